namespace NeuralSharp.Kernels;

// Legend: rows = number of normalised vectors (e.g. batch * tokens), cols = normalised length (features).
// x, y, dy, dx are [rows, cols]; gamma, beta, dgamma, dbeta are [cols] or empty; mean, rstd are [rows].

/// <summary>
/// Layer normalisation over the last axis, as torch.nn.functional.layer_norm:
/// y = (x - mean) * rstd * gamma + beta with mean and the biased variance var over each row, rstd = 1/sqrt(var + eps).
/// Row statistics are computed in float with vector accumulators, two-pass (mean, then squared deviations).
/// </summary>
public static class LayerNorm
{
    /// <summary>Normalises each row; stores each row's mean and rstd for <see cref="Backward"/>.</summary>
    /// <param name="x">Inputs [rows, cols].</param>
    /// <param name="gamma">Scale [cols], or empty for none.</param>
    /// <param name="beta">Shift [cols], or empty for none.</param>
    /// <param name="eps">Added to the variance.</param>
    /// <param name="y">Outputs [rows, cols]; may alias <paramref name="x"/>.</param>
    /// <param name="mean">Row means [rows].</param>
    /// <param name="rstd">Row reciprocal standard deviations [rows].</param>
    /// <param name="rows">Number of rows.</param>
    /// <param name="cols">Row length.</param>
    /// <exception cref="ArgumentException">A span length does not match rows/cols.</exception>
    public static void Forward(ReadOnlySpan<float> x, ReadOnlySpan<float> gamma, ReadOnlySpan<float> beta, float eps,
        Span<float> y, Span<float> mean, Span<float> rstd, int rows, int cols)
    {
        const string k = "LayerNorm.Forward";
        int n = Guard.Product(k, rows, nameof(rows), cols, nameof(cols));
        Guard.Length(k, nameof(x), n, x.Length);
        Guard.Length(k, nameof(y), n, y.Length);
        Guard.LengthOrEmpty(k, nameof(gamma), cols, gamma.Length);
        Guard.LengthOrEmpty(k, nameof(beta), cols, beta.Length);
        Guard.Length(k, nameof(mean), rows, mean.Length);
        Guard.Length(k, nameof(rstd), rows, rstd.Length);
        for (int r = 0; r < rows; r++)
        {
            var xr = x.Slice(r * cols, cols);
            var yr = y.Slice(r * cols, cols);
            float m = cols == 0 ? 0f : RowKernels.Sum(xr) / cols;
            float v = cols == 0 ? 0f : RowKernels.SumSquaredDeviation(xr, m) / cols;
            float rs = 1f / MathF.Sqrt(v + eps);
            mean[r] = m;
            rstd[r] = rs;
            if (!gamma.IsEmpty && !beta.IsEmpty) { SimdLoop.Ternary(new NormalizeAffineOp(m, rs), xr, gamma, beta, yr); continue; }
            SimdLoop.Unary(new NormalizeOp(m, rs), xr, yr);
            if (!gamma.IsEmpty) SimdLoop.Binary(new MulOp(), yr, gamma, yr);
            if (!beta.IsEmpty) SimdLoop.Binary(new AddOp(), yr, beta, yr);
        }
    }

    /// <summary>
    /// Gradients, all accumulated: with xhat = (x - mean) rstd and g = dy * gamma,
    /// dx += (g - mean(g) - xhat * mean(g * xhat)) * rstd; dgamma += sum_rows dy * xhat; dbeta += sum_rows dy.
    /// </summary>
    /// <param name="x">Forward inputs [rows, cols].</param>
    /// <param name="gamma">Scale [cols], or empty for none.</param>
    /// <param name="mean">Row means from <see cref="Forward"/> [rows].</param>
    /// <param name="rstd">Row rstd from <see cref="Forward"/> [rows].</param>
    /// <param name="dy">Upstream gradient [rows, cols].</param>
    /// <param name="dx">Input gradient [rows, cols], accumulated.</param>
    /// <param name="dgamma">Scale gradient [cols], accumulated, or empty to skip.</param>
    /// <param name="dbeta">Shift gradient [cols], accumulated, or empty to skip.</param>
    /// <param name="rows">Number of rows.</param>
    /// <param name="cols">Row length.</param>
    /// <exception cref="ArgumentException">A span length does not match rows/cols.</exception>
    public static void Backward(ReadOnlySpan<float> x, ReadOnlySpan<float> gamma, ReadOnlySpan<float> mean, ReadOnlySpan<float> rstd,
        ReadOnlySpan<float> dy, Span<float> dx, Span<float> dgamma, Span<float> dbeta, int rows, int cols)
    {
        const string k = "LayerNorm.Backward";
        int n = Guard.Product(k, rows, nameof(rows), cols, nameof(cols));
        Guard.Length(k, nameof(x), n, x.Length);
        Guard.Length(k, nameof(dy), n, dy.Length);
        Guard.Length(k, nameof(dx), n, dx.Length);
        Guard.LengthOrEmpty(k, nameof(gamma), cols, gamma.Length);
        Guard.LengthOrEmpty(k, nameof(dgamma), cols, dgamma.Length);
        Guard.LengthOrEmpty(k, nameof(dbeta), cols, dbeta.Length);
        Guard.Length(k, nameof(mean), rows, mean.Length);
        Guard.Length(k, nameof(rstd), rows, rstd.Length);
        if (cols == 0) return;
        for (int r = 0; r < rows; r++)
            NormBackwardRow(x.Slice(r * cols, cols), gamma, mean[r], rstd[r], dy.Slice(r * cols, cols), dx.Slice(r * cols, cols), dgamma, dbeta, centered: true);
    }

    /// <summary>One row of the LayerNorm (centered) or RmsNorm (mean = 0, a = 0) backward pass.</summary>
    internal static void NormBackwardRow(ReadOnlySpan<float> x, ReadOnlySpan<float> gamma, float m, float rs, ReadOnlySpan<float> dy,
        Span<float> dx, Span<float> dgamma, Span<float> dbeta, bool centered)
    {
        int cols = x.Length;
        float a, b;
        if (gamma.IsEmpty)
        {
            a = centered ? RowKernels.Sum(dy) / cols : 0f;
            b = SimdReduce.Sum(new DyXhatOp(m, rs), dy, dy, x) / cols;
            SimdLoop.Quaternary(new NormDxNoGammaOp(m, rs, a, b), x, dy, dy, dx, dx);
        }
        else
        {
            a = centered ? RowKernels.Dot(dy, gamma) / cols : 0f;
            b = SimdReduce.Sum(new DnormXhatOp(m, rs), dy, gamma, x) / cols;
            SimdLoop.Quaternary(new NormDxOp(m, rs, a, b), x, gamma, dy, dx, dx);
        }
        if (!dgamma.IsEmpty) SimdLoop.Ternary(new DgammaOp(m, rs), dy, x, dgamma, dgamma);
        if (!dbeta.IsEmpty) SimdLoop.Binary(new AddOp(), dbeta, dy, dbeta);
    }
}
