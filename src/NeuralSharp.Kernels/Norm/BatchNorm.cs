using System.Runtime.Intrinsics;

namespace NeuralSharp.Kernels;

// Legend: N = batch, C = channels (features), L = length per channel (1 for [N, C] inputs).
// x, y, dy, dx are [N, C, L] row-major; gamma, beta, dgamma, dbeta, mean, variance, rstd, running* are [C];
// M = N * L values per channel. With L = 1 the loops run across channels (contiguous rows of C), otherwise
// within each contiguous [L] segment.

/// <summary>
/// Batch normalisation over the batch (and length) axes, as torch.nn.functional.batch_norm:
/// y = (x - mean[c]) * rstd[c] * gamma[c] + beta[c], rstd = 1/sqrt(var + eps). In training the statistics
/// are the batch's (biased variance, two-pass); in evaluation the running statistics.
/// </summary>
public static class BatchNorm
{
    /// <summary>Training forward: per-channel batch mean and biased variance, then normalisation.</summary>
    /// <param name="x">Inputs [N, C, L].</param>
    /// <param name="gamma">Scale [C], or empty for none.</param>
    /// <param name="beta">Shift [C], or empty for none.</param>
    /// <param name="eps">Added to the variance.</param>
    /// <param name="y">Outputs [N, C, L]; may alias <paramref name="x"/>.</param>
    /// <param name="mean">Batch means [C] (written).</param>
    /// <param name="variance">Batch biased variances Σ(x - mean)²/M [C] (written).</param>
    /// <param name="rstd">1/sqrt(variance + eps) [C] (written).</param>
    /// <param name="n">Batch size N.</param>
    /// <param name="c">Channels C.</param>
    /// <param name="l">Length L (1 for 2-D inputs).</param>
    /// <exception cref="ArgumentException">A span length does not match N, C, L.</exception>
    public static void ForwardTraining(ReadOnlySpan<float> x, ReadOnlySpan<float> gamma, ReadOnlySpan<float> beta, float eps,
        Span<float> y, Span<float> mean, Span<float> variance, Span<float> rstd, int n, int c, int l)
    {
        const string k = "BatchNorm.ForwardTraining";
        Check(k, x, gamma, beta, y, n, c, l);
        Guard.Length(k, nameof(mean), c, mean.Length);
        Guard.Length(k, nameof(variance), c, variance.Length);
        Guard.Length(k, nameof(rstd), c, rstd.Length);
        mean.Clear();
        variance.Clear();
        int block = c * l;
        for (int b = 0; b < n; b++)
        {
            var xb = x.Slice(b * block, block);
            if (l == 1) SimdLoop.Binary(new AddOp(), mean, xb, mean);
            else for (int ch = 0; ch < c; ch++) mean[ch] += RowKernels.Sum(xb.Slice(ch * l, l));
        }
        long count = (long)n * l;
        for (int ch = 0; ch < c; ch++) mean[ch] = count == 0 ? 0f : mean[ch] / count;
        for (int b = 0; b < n; b++)
        {
            var xb = x.Slice(b * block, block);
            if (l == 1) SimdLoop.Ternary(new BnSquaredDeviationAccOp(), xb, mean, variance, variance);
            else for (int ch = 0; ch < c; ch++) variance[ch] += RowKernels.SumSquaredDeviation(xb.Slice(ch * l, l), mean[ch]);
        }
        for (int ch = 0; ch < c; ch++)
        {
            variance[ch] = count == 0 ? 0f : variance[ch] / count;
            rstd[ch] = 1f / MathF.Sqrt(variance[ch] + eps);
        }
        Normalize(x, mean, rstd, gamma, beta, y, n, c, l);
    }

    /// <summary>Evaluation forward with the running statistics: y = (x - runningMean) / sqrt(runningVar + eps) * gamma + beta.</summary>
    /// <param name="x">Inputs [N, C, L].</param>
    /// <param name="runningMean">Running means [C].</param>
    /// <param name="runningVar">Running variances [C].</param>
    /// <param name="gamma">Scale [C], or empty for none.</param>
    /// <param name="beta">Shift [C], or empty for none.</param>
    /// <param name="eps">Added to the variance.</param>
    /// <param name="y">Outputs [N, C, L]; may alias <paramref name="x"/>.</param>
    /// <param name="rstd">1/sqrt(runningVar + eps) [C] (written, for <see cref="Backward"/>).</param>
    /// <param name="n">Batch size N.</param>
    /// <param name="c">Channels C.</param>
    /// <param name="l">Length L.</param>
    /// <exception cref="ArgumentException">A span length does not match N, C, L.</exception>
    public static void ForwardInference(ReadOnlySpan<float> x, ReadOnlySpan<float> runningMean, ReadOnlySpan<float> runningVar,
        ReadOnlySpan<float> gamma, ReadOnlySpan<float> beta, float eps, Span<float> y, Span<float> rstd, int n, int c, int l)
    {
        const string k = "BatchNorm.ForwardInference";
        Check(k, x, gamma, beta, y, n, c, l);
        Guard.Length(k, nameof(runningMean), c, runningMean.Length);
        Guard.Length(k, nameof(runningVar), c, runningVar.Length);
        Guard.Length(k, nameof(rstd), c, rstd.Length);
        for (int ch = 0; ch < c; ch++) rstd[ch] = 1f / MathF.Sqrt(runningVar[ch] + eps);
        Normalize(x, runningMean, rstd, gamma, beta, y, n, c, l);
    }

    /// <summary>
    /// Updates running statistics as PyTorch: running = (1 - momentum)·running + momentum·batch, where the
    /// variance uses the unbiased batch variance variance·M/(M - 1).
    /// </summary>
    /// <param name="mean">Batch means [C].</param>
    /// <param name="variance">Batch biased variances [C].</param>
    /// <param name="count">M = N·L values per channel, &gt; 1.</param>
    /// <param name="momentum">Weight of the batch statistics in [0, 1].</param>
    /// <param name="runningMean">Running means [C], updated.</param>
    /// <param name="runningVar">Running variances [C], updated.</param>
    /// <exception cref="ArgumentException">A span length differs from C, or count ≤ 1.</exception>
    public static void UpdateRunningStatistics(ReadOnlySpan<float> mean, ReadOnlySpan<float> variance, long count, float momentum,
        Span<float> runningMean, Span<float> runningVar)
    {
        const string k = "BatchNorm.UpdateRunningStatistics";
        int c = mean.Length;
        Guard.Length(k, nameof(variance), c, variance.Length);
        Guard.Length(k, nameof(runningMean), c, runningMean.Length);
        Guard.Length(k, nameof(runningVar), c, runningVar.Length);
        if (count <= 1) throw new ArgumentException($"{k}: 'count' is {count}, expected more than 1 value per channel.", nameof(count));
        float unbias = (float)((double)count / (count - 1));
        for (int ch = 0; ch < c; ch++)
        {
            runningMean[ch] = momentum * mean[ch] + (1f - momentum) * runningMean[ch];
            runningVar[ch] = momentum * (variance[ch] * unbias) + (1f - momentum) * runningVar[ch];
        }
    }

    /// <summary>
    /// Gradients, all accumulated. With xhat = (x - mean)·rstd, training (statistics of the batch):
    /// dx += gamma·rstd·(dy - Σdy/M - xhat·Σ(dy·xhat)/M); evaluation (fixed statistics): dx += gamma·rstd·dy.
    /// Both: dgamma += Σ dy·xhat, dbeta += Σ dy (sums over N and L).
    /// </summary>
    /// <param name="x">Forward inputs [N, C, L].</param>
    /// <param name="gamma">Scale [C], or empty for none (1).</param>
    /// <param name="mean">The mean used by the forward pass (batch or running) [C].</param>
    /// <param name="rstd">The rstd written by the forward pass [C].</param>
    /// <param name="dy">Upstream gradient [N, C, L].</param>
    /// <param name="dx">Input gradient [N, C, L], accumulated, or empty to skip.</param>
    /// <param name="dgamma">Scale gradient [C], accumulated, or empty to skip.</param>
    /// <param name="dbeta">Shift gradient [C], accumulated, or empty to skip.</param>
    /// <param name="workspace">Scratch of 3·C floats (overwritten).</param>
    /// <param name="training">Whether the forward pass used the batch statistics.</param>
    /// <param name="n">Batch size N.</param>
    /// <param name="c">Channels C.</param>
    /// <param name="l">Length L.</param>
    /// <exception cref="ArgumentException">A span length does not match N, C, L.</exception>
    public static void Backward(ReadOnlySpan<float> x, ReadOnlySpan<float> gamma, ReadOnlySpan<float> mean, ReadOnlySpan<float> rstd,
        ReadOnlySpan<float> dy, Span<float> dx, Span<float> dgamma, Span<float> dbeta, Span<float> workspace, bool training, int n, int c, int l)
    {
        const string k = "BatchNorm.Backward";
        int size = Guard.Product(k, n, nameof(n), c, nameof(c), l, nameof(l));
        Guard.Length(k, nameof(x), size, x.Length);
        Guard.Length(k, nameof(dy), size, dy.Length);
        Guard.LengthOrEmpty(k, nameof(dx), size, dx.Length);
        Guard.LengthOrEmpty(k, nameof(gamma), c, gamma.Length);
        Guard.Length(k, nameof(mean), c, mean.Length);
        Guard.Length(k, nameof(rstd), c, rstd.Length);
        Guard.LengthOrEmpty(k, nameof(dgamma), c, dgamma.Length);
        Guard.LengthOrEmpty(k, nameof(dbeta), c, dbeta.Length);
        Guard.Length(k, nameof(workspace), 3 * c, workspace.Length);
        if (size == 0) return;
        var coefA = workspace[..c];         // gamma·rstd
        var coefD = workspace.Slice(c, c);  // Σdy, then -gamma·rstd·Σdy/M
        var coefB = workspace.Slice(2 * c, c); // Σdy·(x - mean), then -gamma·rstd³·Σdy·(x - mean)/M
        coefD.Clear();
        coefB.Clear();
        int block = c * l;
        for (int b = 0; b < n; b++)
        {
            var xb = x.Slice(b * block, block);
            var dyb = dy.Slice(b * block, block);
            if (l == 1)
            {
                SimdLoop.Binary(new AddOp(), coefD, dyb, coefD);
                SimdLoop.Quaternary(new BnDyCenteredAccOp(), dyb, xb, mean, coefB, coefB);
            }
            else
            {
                for (int ch = 0; ch < c; ch++)
                {
                    var dys = dyb.Slice(ch * l, l);
                    coefD[ch] += RowKernels.Sum(dys);
                    coefB[ch] += SimdReduce.Sum(new DyXhatOp(mean[ch], 1f), dys, dys, xb.Slice(ch * l, l));
                }
            }
        }
        float invCount = 1f / ((long)n * l);
        for (int ch = 0; ch < c; ch++)
        {
            float sumDy = coefD[ch], sumDyXc = coefB[ch], r = rstd[ch];
            if (!dgamma.IsEmpty) dgamma[ch] += sumDyXc * r;
            if (!dbeta.IsEmpty) dbeta[ch] += sumDy;
            float a = (gamma.IsEmpty ? 1f : gamma[ch]) * r;
            coefA[ch] = a;
            coefD[ch] = training ? -a * sumDy * invCount : 0f;
            coefB[ch] = training ? -a * r * r * sumDyXc * invCount : 0f;
        }
        if (dx.IsEmpty) return;
        for (int b = 0; b < n; b++)
        {
            var xb = x.Slice(b * block, block);
            var dyb = dy.Slice(b * block, block);
            var dxb = dx.Slice(b * block, block);
            if (l == 1)
            {
                if (training)
                {
                    SimdLoop.Quaternary(new BnScaleShiftAccOp(), dyb, coefA, coefD, dxb, dxb);
                    SimdLoop.Quaternary(new BnCenteredScaleAccOp(), xb, mean, coefB, dxb, dxb);
                }
                else SimdLoop.Ternary(new BnMulAccOp(), dyb, coefA, dxb, dxb);
            }
            else
            {
                for (int ch = 0; ch < c; ch++)
                    SimdLoop.Ternary(new BnDxSegmentOp(coefA[ch], coefD[ch], coefB[ch], mean[ch]),
                        dyb.Slice(ch * l, l), xb.Slice(ch * l, l), dxb.Slice(ch * l, l), dxb.Slice(ch * l, l));
            }
        }
    }

    private static void Check(string k, ReadOnlySpan<float> x, ReadOnlySpan<float> gamma, ReadOnlySpan<float> beta, Span<float> y, int n, int c, int l)
    {
        int size = Guard.Product(k, n, nameof(n), c, nameof(c), l, nameof(l));
        Guard.Length(k, nameof(x), size, x.Length);
        Guard.Length(k, nameof(y), size, y.Length);
        Guard.LengthOrEmpty(k, nameof(gamma), c, gamma.Length);
        Guard.LengthOrEmpty(k, nameof(beta), c, beta.Length);
    }

    /// <summary>y = (x - mean)·rstd·gamma + beta per channel.</summary>
    private static void Normalize(ReadOnlySpan<float> x, ReadOnlySpan<float> mean, ReadOnlySpan<float> rstd, ReadOnlySpan<float> gamma,
        ReadOnlySpan<float> beta, Span<float> y, int n, int c, int l)
    {
        int block = c * l;
        for (int b = 0; b < n; b++)
        {
            var xb = x.Slice(b * block, block);
            var yb = y.Slice(b * block, block);
            if (l == 1)
            {
                SimdLoop.Ternary(new BnCenteredScaleOp(), xb, mean, rstd, yb);
                if (!gamma.IsEmpty && !beta.IsEmpty) SimdLoop.Ternary(new BnFmaOp(), yb, gamma, beta, yb);
                else if (!gamma.IsEmpty) SimdLoop.Binary(new MulOp(), yb, gamma, yb);
                else if (!beta.IsEmpty) SimdLoop.Binary(new AddOp(), yb, beta, yb);
            }
            else
            {
                for (int ch = 0; ch < c; ch++)
                    SimdLoop.Unary(new BnNormalizeScaleShiftOp(mean[ch], rstd[ch], gamma.IsEmpty ? 1f : gamma[ch], beta.IsEmpty ? 0f : beta[ch]),
                        xb.Slice(ch * l, l), yb.Slice(ch * l, l));
            }
        }
    }
}

/// <summary>d = acc + (x - m)².</summary>
internal readonly struct BnSquaredDeviationAccOp : ITernaryOp
{
    public float Invoke(float x, float m, float acc) => acc + (x - m) * (x - m);
    public Vector256<float> Invoke(Vector256<float> x, Vector256<float> m, Vector256<float> acc) { var d = x - m; return acc + d * d; }
    public Vector512<float> Invoke(Vector512<float> x, Vector512<float> m, Vector512<float> acc) { var d = x - m; return acc + d * d; }
}

/// <summary>d = (x - m)·r.</summary>
internal readonly struct BnCenteredScaleOp : ITernaryOp
{
    public float Invoke(float x, float m, float r) => (x - m) * r;
    public Vector256<float> Invoke(Vector256<float> x, Vector256<float> m, Vector256<float> r) => (x - m) * r;
    public Vector512<float> Invoke(Vector512<float> x, Vector512<float> m, Vector512<float> r) => (x - m) * r;
}

/// <summary>d = x·g + b.</summary>
internal readonly struct BnFmaOp : ITernaryOp
{
    public float Invoke(float x, float g, float b) => x * g + b;
    public Vector256<float> Invoke(Vector256<float> x, Vector256<float> g, Vector256<float> b) => x * g + b;
    public Vector512<float> Invoke(Vector512<float> x, Vector512<float> g, Vector512<float> b) => x * g + b;
}

/// <summary>d = acc + x·a.</summary>
internal readonly struct BnMulAccOp : ITernaryOp
{
    public float Invoke(float x, float a, float acc) => acc + x * a;
    public Vector256<float> Invoke(Vector256<float> x, Vector256<float> a, Vector256<float> acc) => acc + x * a;
    public Vector512<float> Invoke(Vector512<float> x, Vector512<float> a, Vector512<float> acc) => acc + x * a;
}

/// <summary>d = acc + dy·(x - m).</summary>
internal readonly struct BnDyCenteredAccOp : IQuaternaryOp
{
    public float Invoke(float dy, float x, float m, float acc) => acc + dy * (x - m);
    public Vector256<float> Invoke(Vector256<float> dy, Vector256<float> x, Vector256<float> m, Vector256<float> acc) => acc + dy * (x - m);
    public Vector512<float> Invoke(Vector512<float> dy, Vector512<float> x, Vector512<float> m, Vector512<float> acc) => acc + dy * (x - m);
}

/// <summary>d = acc + dy·a + s.</summary>
internal readonly struct BnScaleShiftAccOp : IQuaternaryOp
{
    public float Invoke(float dy, float a, float s, float acc) => acc + (dy * a + s);
    public Vector256<float> Invoke(Vector256<float> dy, Vector256<float> a, Vector256<float> s, Vector256<float> acc) => acc + (dy * a + s);
    public Vector512<float> Invoke(Vector512<float> dy, Vector512<float> a, Vector512<float> s, Vector512<float> acc) => acc + (dy * a + s);
}

/// <summary>d = acc + (x - m)·b.</summary>
internal readonly struct BnCenteredScaleAccOp : IQuaternaryOp
{
    public float Invoke(float x, float m, float b, float acc) => acc + (x - m) * b;
    public Vector256<float> Invoke(Vector256<float> x, Vector256<float> m, Vector256<float> b, Vector256<float> acc) => acc + (x - m) * b;
    public Vector512<float> Invoke(Vector512<float> x, Vector512<float> m, Vector512<float> b, Vector512<float> acc) => acc + (x - m) * b;
}

/// <summary>d = (x - m)·r·g + b with per-segment scalars.</summary>
internal readonly struct BnNormalizeScaleShiftOp(float mean, float rstd, float gamma, float beta) : IUnaryOp
{
    private readonly float _m = mean, _r = rstd, _g = gamma, _b = beta;
    public float Invoke(float x) => (x - _m) * _r * _g + _b;
    public Vector256<float> Invoke(Vector256<float> x) => (x - Vector256.Create(_m)) * Vector256.Create(_r) * Vector256.Create(_g) + Vector256.Create(_b);
    public Vector512<float> Invoke(Vector512<float> x) => (x - Vector512.Create(_m)) * Vector512.Create(_r) * Vector512.Create(_g) + Vector512.Create(_b);
}

/// <summary>d = acc + (dy·a + s) + (x - m)·b with per-segment scalars (same grouping as the L = 1 path).</summary>
internal readonly struct BnDxSegmentOp(float a, float s, float b, float mean) : ITernaryOp
{
    private readonly float _a = a, _s = s, _b = b, _m = mean;
    public float Invoke(float dy, float x, float acc) => acc + (dy * _a + _s) + (x - _m) * _b;
    public Vector256<float> Invoke(Vector256<float> dy, Vector256<float> x, Vector256<float> acc) =>
        acc + (dy * Vector256.Create(_a) + Vector256.Create(_s)) + (x - Vector256.Create(_m)) * Vector256.Create(_b);
    public Vector512<float> Invoke(Vector512<float> dy, Vector512<float> x, Vector512<float> acc) =>
        acc + (dy * Vector512.Create(_a) + Vector512.Create(_s)) + (x - Vector512.Create(_m)) * Vector512.Create(_b);
}

/// <summary>BatchNorm in double straight from the formulas (x as [N, C, L]); the tests compare against it and differentiate it numerically.</summary>
internal static class BatchNormReference
{
    /// <summary>Training forward with batch statistics; returns the biased variances through <paramref name="variance"/>.</summary>
    public static void ForwardTraining(ReadOnlySpan<double> x, ReadOnlySpan<double> gamma, ReadOnlySpan<double> beta, double eps,
        Span<double> y, Span<double> mean, Span<double> variance, int n, int c, int l)
    {
        for (int ch = 0; ch < c; ch++)
        {
            double m = 0, v = 0;
            for (int b = 0; b < n; b++) for (int i = 0; i < l; i++) m += x[(b * c + ch) * l + i];
            m /= (double)n * l;
            for (int b = 0; b < n; b++) for (int i = 0; i < l; i++) { double d = x[(b * c + ch) * l + i] - m; v += d * d; }
            v /= (double)n * l;
            mean[ch] = m;
            variance[ch] = v;
        }
        Normalize(x, mean, variance, gamma, beta, eps, y, n, c, l);
    }

    /// <summary>y = (x - mean)/sqrt(var + eps)·gamma + beta with given statistics.</summary>
    public static void Normalize(ReadOnlySpan<double> x, ReadOnlySpan<double> mean, ReadOnlySpan<double> variance, ReadOnlySpan<double> gamma,
        ReadOnlySpan<double> beta, double eps, Span<double> y, int n, int c, int l)
    {
        for (int b = 0; b < n; b++)
            for (int ch = 0; ch < c; ch++)
                for (int i = 0; i < l; i++)
                {
                    int j = (b * c + ch) * l + i;
                    y[j] = (x[j] - mean[ch]) / Math.Sqrt(variance[ch] + eps) * (gamma.IsEmpty ? 1 : gamma[ch]) + (beta.IsEmpty ? 0 : beta[ch]);
                }
    }
}
