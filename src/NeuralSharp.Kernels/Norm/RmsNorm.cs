namespace NeuralSharp.Kernels;

// Legend: rows = number of normalised vectors, cols = normalised length. x, y, dy, dx are [rows, cols];
// gamma, dgamma are [cols] or empty; rstd is [rows].

/// <summary>
/// RMS normalisation over the last axis (as torch.nn.RMSNorm): y = x * rstd * gamma with
/// rstd = 1/sqrt(mean(x^2) + eps), the mean of squares computed in float with vector accumulators.
/// </summary>
public static class RmsNorm
{
    /// <summary>Normalises each row; stores each row's rstd for <see cref="Backward"/>.</summary>
    /// <param name="x">Inputs [rows, cols].</param>
    /// <param name="gamma">Scale [cols], or empty for none.</param>
    /// <param name="eps">Added to the mean square.</param>
    /// <param name="y">Outputs [rows, cols]; may alias <paramref name="x"/>.</param>
    /// <param name="rstd">Row reciprocal RMS [rows].</param>
    /// <param name="rows">Number of rows.</param>
    /// <param name="cols">Row length.</param>
    /// <exception cref="ArgumentException">A span length does not match rows/cols.</exception>
    public static void Forward(ReadOnlySpan<float> x, ReadOnlySpan<float> gamma, float eps, Span<float> y, Span<float> rstd, int rows, int cols)
    {
        const string k = "RmsNorm.Forward";
        int n = Guard.Product(k, rows, nameof(rows), cols, nameof(cols));
        Guard.Length(k, nameof(x), n, x.Length);
        Guard.Length(k, nameof(y), n, y.Length);
        Guard.LengthOrEmpty(k, nameof(gamma), cols, gamma.Length);
        Guard.Length(k, nameof(rstd), rows, rstd.Length);
        for (int r = 0; r < rows; r++)
        {
            var xr = x.Slice(r * cols, cols);
            var yr = y.Slice(r * cols, cols);
            float ms = cols == 0 ? 0f : RowKernels.Dot(xr, xr) / cols;
            float rs = 1f / MathF.Sqrt(ms + eps);
            rstd[r] = rs;
            SimdLoop.Unary(new NormalizeOp(0f, rs), xr, yr);
            if (!gamma.IsEmpty) SimdLoop.Binary(new MulOp(), yr, gamma, yr);
        }
    }

    /// <summary>
    /// Gradients, all accumulated: with xhat = x rstd and g = dy * gamma,
    /// dx += (g - xhat * mean(g * xhat)) * rstd; dgamma += sum_rows dy * xhat.
    /// </summary>
    /// <param name="x">Forward inputs [rows, cols].</param>
    /// <param name="gamma">Scale [cols], or empty for none.</param>
    /// <param name="rstd">Row rstd from <see cref="Forward"/> [rows].</param>
    /// <param name="dy">Upstream gradient [rows, cols].</param>
    /// <param name="dx">Input gradient [rows, cols], accumulated.</param>
    /// <param name="dgamma">Scale gradient [cols], accumulated, or empty to skip.</param>
    /// <param name="rows">Number of rows.</param>
    /// <param name="cols">Row length.</param>
    /// <exception cref="ArgumentException">A span length does not match rows/cols.</exception>
    public static void Backward(ReadOnlySpan<float> x, ReadOnlySpan<float> gamma, ReadOnlySpan<float> rstd, ReadOnlySpan<float> dy,
        Span<float> dx, Span<float> dgamma, int rows, int cols)
    {
        const string k = "RmsNorm.Backward";
        int n = Guard.Product(k, rows, nameof(rows), cols, nameof(cols));
        Guard.Length(k, nameof(x), n, x.Length);
        Guard.Length(k, nameof(dy), n, dy.Length);
        Guard.Length(k, nameof(dx), n, dx.Length);
        Guard.LengthOrEmpty(k, nameof(gamma), cols, gamma.Length);
        Guard.LengthOrEmpty(k, nameof(dgamma), cols, dgamma.Length);
        Guard.Length(k, nameof(rstd), rows, rstd.Length);
        if (cols == 0) return;
        for (int r = 0; r < rows; r++)
            LayerNorm.NormBackwardRow(x.Slice(r * cols, cols), gamma, 0f, rstd[r], dy.Slice(r * cols, cols), dx.Slice(r * cols, cols),
                dgamma, Span<float>.Empty, centered: false);
    }
}
