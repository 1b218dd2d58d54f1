using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace NeuralSharp.Kernels;

// Legend: rows = samples (N), classes = C. logits, logProbs, dLogits are [rows, classes]; targets [rows];
// classWeights [classes] or empty (all 1). eps = label smoothing, w = class weights, lp = log-probabilities.

/// <summary>
/// Fused log-softmax + negative log-likelihood (PyTorch's <c>cross_entropy</c> with class-index targets, class
/// weights, label smoothing and ignore_index). The caller divides by the returned weight for 'mean' reduction.
/// </summary>
public static partial class CrossEntropy
{
    /// <summary>
    /// Writes lp = log_softmax(logits) row-wise and returns
    /// Loss = sum_i [ (1-eps) w[y_i] (-lp[i,y_i]) + eps/C sum_c w[c] (-lp[i,c]) ] and Weight = sum_i w[y_i],
    /// both over rows whose target is not <paramref name="ignoreIndex"/> (PyTorch's 'mean' is Loss / Weight).
    /// </summary>
    /// <param name="logits">Unnormalised scores [rows, classes].</param>
    /// <param name="targets">Class indices [rows], each in [0, classes) or equal to <paramref name="ignoreIndex"/> (checked by the caller).</param>
    /// <param name="classWeights">Per-class weights [classes], or empty for all 1.</param>
    /// <param name="labelSmoothing">eps in [0, 1].</param>
    /// <param name="ignoreIndex">A target value whose rows contribute nothing.</param>
    /// <param name="logProbs">Output log-probabilities [rows, classes] (written for every row, ignored ones too).</param>
    /// <param name="rows">Number of samples.</param>
    /// <param name="classes">Number of classes.</param>
    /// <returns>The summed (weighted, smoothed) loss and the summed target weights, in double.</returns>
    /// <exception cref="ArgumentException">A span length does not match rows/classes.</exception>
    /// <exception cref="IndexOutOfRangeException">A non-ignored target is outside [0, classes).</exception>
    public static (double Loss, double Weight) Forward(ReadOnlySpan<float> logits, ReadOnlySpan<int> targets, ReadOnlySpan<float> classWeights,
        float labelSmoothing, int ignoreIndex, Span<float> logProbs, int rows, int classes)
    {
        const string k = "CrossEntropy.Forward";
        int n = Guard.Product(k, rows, nameof(rows), classes, nameof(classes));
        Guard.Length(k, nameof(logits), n, logits.Length);
        Guard.Length(k, nameof(logProbs), n, logProbs.Length);
        Guard.Length(k, nameof(targets), rows, targets.Length);
        Guard.LengthOrEmpty(k, nameof(classWeights), classes, classWeights.Length);
        if (n == 0) return (0, 0);
        if (Softmax.SplitsRows(rows, n)) return ForwardInParallel(logits, targets, classWeights, labelSmoothing, ignoreIndex, logProbs, rows, classes);
        double loss = 0, weight = 0;
        if (classes >= 16 && Softmax.UseRows512)
        {
            // Row by row, so the loss terms read the row just written while it is still in L1.
            unsafe
            {
                fixed (float* px = &MemoryMarshal.GetReference(logits), py = &MemoryMarshal.GetReference(logProbs))
                    for (int i = 0; i < rows; i++)
                    {
                        nuint b = (nuint)i * (nuint)classes;
                        Softmax.LogForwardRow512(px + b, py + b, (nuint)classes, i + 1 < rows ? (nuint)classes : 0);
                        AddRowLoss(logProbs, targets, classWeights, labelSmoothing, ignoreIndex, i, classes, ref loss, ref weight);
                    }
            }
        }
        else
        {
            Softmax.LogForward(logits, logProbs, rows, classes, 1);
            for (int i = 0; i < rows; i++)
                AddRowLoss(logProbs, targets, classWeights, labelSmoothing, ignoreIndex, i, classes, ref loss, ref weight);
        }
        return (loss, weight);
    }

    private static void AddRowLoss(ReadOnlySpan<float> logProbs, ReadOnlySpan<int> targets, ReadOnlySpan<float> classWeights,
        float labelSmoothing, int ignoreIndex, int i, int classes, ref double loss, ref double weight)
    {
        int t = targets[i];
        if (t == ignoreIndex) return;
        var (target, smooth, wy) = RowLossTerms(logProbs.Slice(i * classes, classes), t, classWeights, labelSmoothing);
        loss += target;
        if (labelSmoothing != 0) loss += smooth;
        weight += wy;
    }

    /// <summary>
    /// One row's loss terms, added to the total in this order: the target term (1-eps) w[t] (-lp[t]), the smoothing
    /// term eps/C sum_c w[c] (-lp[c]) (0 without smoothing), and the row's weight w[t].
    /// </summary>
    private static (double Target, double Smooth, double Weight) RowLossTerms(ReadOnlySpan<float> lp, int t, ReadOnlySpan<float> classWeights,
        float labelSmoothing)
    {
        double eps = labelSmoothing;
        bool weighted = !classWeights.IsEmpty;
        double wy = weighted ? classWeights[t] : 1.0;
        double target = (1 - eps) * wy * -(double)lp[t], smooth = 0;
        if (eps != 0)
        {
            double sum = weighted
                ? SimdReduce.SumDouble(new ProductOp(), lp, classWeights, lp)
                : SimdReduce.SumDouble(new FirstOp(), lp, lp, lp);
            smooth = eps / lp.Length * -sum;
        }
        return (target, smooth, wy);
    }

    /// <summary>
    /// Accumulates dLogits[i,j] += scale [ (1-eps) w[y_i] (p_ij - [j == y_i]) + eps/C (p_ij sum_c w_c - w_j) ] with
    /// p = exp(logProbs), for rows whose target is not <paramref name="ignoreIndex"/>.
    /// </summary>
    /// <param name="logProbs">Log-probabilities from <see cref="Forward"/> [rows, classes].</param>
    /// <param name="targets">Class indices [rows].</param>
    /// <param name="classWeights">Per-class weights [classes], or empty for all 1.</param>
    /// <param name="labelSmoothing">eps in [0, 1].</param>
    /// <param name="ignoreIndex">A target value whose rows get no gradient.</param>
    /// <param name="scale">Upstream gradient of the summed loss (e.g. dLoss / Weight for 'mean').</param>
    /// <param name="dLogits">Gradient of the logits [rows, classes], accumulated.</param>
    /// <param name="rows">Number of samples.</param>
    /// <param name="classes">Number of classes.</param>
    /// <exception cref="ArgumentException">A span length does not match rows/classes.</exception>
    /// <exception cref="IndexOutOfRangeException">A non-ignored target is outside [0, classes).</exception>
    public static void Backward(ReadOnlySpan<float> logProbs, ReadOnlySpan<int> targets, ReadOnlySpan<float> classWeights,
        float labelSmoothing, int ignoreIndex, float scale, Span<float> dLogits, int rows, int classes)
    {
        const string k = "CrossEntropy.Backward";
        int n = Guard.Product(k, rows, nameof(rows), classes, nameof(classes));
        Guard.Length(k, nameof(logProbs), n, logProbs.Length);
        Guard.Length(k, nameof(dLogits), n, dLogits.Length);
        Guard.Length(k, nameof(targets), rows, targets.Length);
        Guard.LengthOrEmpty(k, nameof(classWeights), classes, classWeights.Length);
        if (n == 0) return;
        if (Softmax.SplitsRows(rows, n)) { BackwardInParallel(logProbs, targets, classWeights, labelSmoothing, ignoreIndex, scale, dLogits, rows, classes); return; }
        BackwardRows(logProbs, targets, classWeights, labelSmoothing, ignoreIndex, scale, dLogits, 0, rows, classes);
    }

    /// <summary>The backward over rows [r0, r1) (spans cover all rows).</summary>
    private static void BackwardRows(ReadOnlySpan<float> logProbs, ReadOnlySpan<int> targets, ReadOnlySpan<float> classWeights,
        float labelSmoothing, int ignoreIndex, float scale, Span<float> dLogits, int r0, int r1, int classes)
    {
        bool weighted = !classWeights.IsEmpty;
        double eps = labelSmoothing;
        double wSum = weighted ? SimdReduce.SumDouble(new FirstOp(), classWeights, classWeights, classWeights) : classes;
        for (int i = r0; i < r1; i++)
        {
            int t = targets[i];
            if (t == ignoreIndex) continue;
            var lp = logProbs.Slice(i * classes, classes);
            var dl = dLogits.Slice(i * classes, classes);
            double wy = weighted ? classWeights[t] : 1.0;
            // dl += a p - c w (w = 1 if unweighted), then the one-hot term at the target.
            float a = (float)(scale * ((1 - eps) * wy + eps / classes * wSum));
            float c = (float)(scale * eps / classes);
            if (weighted && eps != 0) SimdLoop.Ternary(new CeGradWeightedOp(a, c), lp, classWeights, dl, dl);
            else if (classes >= 16 && Softmax.UseRows512) CeGradRow(lp, dl, a, c);
            else SimdLoop.Binary(new CeGradOp(a, c), lp, dl, dl);
            dl[t] -= (float)(scale * (1 - eps) * wy);
        }
    }

    private static unsafe void CeGradRow(ReadOnlySpan<float> lp, Span<float> dl, float a, float c)
    {
        fixed (float* pl = &MemoryMarshal.GetReference(lp), pd = &MemoryMarshal.GetReference(dl))
            Softmax.CeGradRow512(pl, pd, (nuint)lp.Length, a, c);
    }
}

/// <summary>f(x, y, z) = x * y.</summary>
internal readonly struct ProductOp : ITernaryOp
{
    public float Invoke(float x, float y, float z) => x * y;
    public Vector256<float> Invoke(Vector256<float> x, Vector256<float> y, Vector256<float> z) => x * y;
    public Vector512<float> Invoke(Vector512<float> x, Vector512<float> y, Vector512<float> z) => x * y;
}

/// <summary>f(x, y, z) = x.</summary>
internal readonly struct FirstOp : ITernaryOp
{
    public float Invoke(float x, float y, float z) => x;
    public Vector256<float> Invoke(Vector256<float> x, Vector256<float> y, Vector256<float> z) => x;
    public Vector512<float> Invoke(Vector512<float> x, Vector512<float> y, Vector512<float> z) => x;
}

/// <summary>d = acc + (a exp(lp) - c).</summary>
internal readonly struct CeGradOp(float a, float c) : IBinaryOp
{
    private readonly float _a = a, _c = c;
    public float Invoke(float lp, float acc) => acc + (_a * FastMath.Exp(lp) - _c);
    public Vector256<float> Invoke(Vector256<float> lp, Vector256<float> acc) => acc + (Vector256.Create(_a) * FastMath.Exp(lp) - Vector256.Create(_c));
    public Vector512<float> Invoke(Vector512<float> lp, Vector512<float> acc) => acc + (Vector512.Create(_a) * FastMath.Exp(lp) - Vector512.Create(_c));
}

/// <summary>d = acc + (a exp(lp) - c w).</summary>
internal readonly struct CeGradWeightedOp(float a, float c) : ITernaryOp
{
    private readonly float _a = a, _c = c;
    public float Invoke(float lp, float w, float acc) => acc + (_a * FastMath.Exp(lp) - _c * w);
    public Vector256<float> Invoke(Vector256<float> lp, Vector256<float> w, Vector256<float> acc) =>
        acc + (Vector256.Create(_a) * FastMath.Exp(lp) - Vector256.Create(_c) * w);
    public Vector512<float> Invoke(Vector512<float> lp, Vector512<float> w, Vector512<float> acc) =>
        acc + (Vector512.Create(_a) * FastMath.Exp(lp) - Vector512.Create(_c) * w);
}
