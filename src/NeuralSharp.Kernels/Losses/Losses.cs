using System.Runtime.Intrinsics;

namespace NeuralSharp.Kernels;

// Legend: n = number of elements; cols = length of the last dimension (posWeight broadcasts along it), n = rows * cols.

/// <summary>
/// Element-wise losses (mean squared error, binary cross-entropy with logits): forward returns the sum over all
/// elements in double (each term computed in float), backward accumulates scale * dLoss/dx.
/// </summary>
public static class Losses
{
    /// <summary>sum_i (x[i] - t[i])^2.</summary>
    /// <param name="x">Predictions [n].</param>
    /// <param name="target">Targets [n].</param>
    /// <returns>The sum of squared errors, in double.</returns>
    /// <exception cref="ArgumentException">Lengths differ.</exception>
    public static double MseForward(ReadOnlySpan<float> x, ReadOnlySpan<float> target)
    {
        Guard.Length("Losses.MseForward", nameof(target), x.Length, target.Length);
        return SimdReduce.SumDouble(new SquaredErrorOp(), x, target, x);
    }

    /// <summary>Accumulates dx[i] += scale * 2 * (x[i] - t[i]).</summary>
    /// <param name="x">Predictions [n].</param>
    /// <param name="target">Targets [n].</param>
    /// <param name="scale">Upstream gradient of the summed loss (e.g. 1/n for 'mean').</param>
    /// <param name="dx">Gradient of the predictions [n], accumulated.</param>
    /// <exception cref="ArgumentException">Lengths differ.</exception>
    public static void MseBackward(ReadOnlySpan<float> x, ReadOnlySpan<float> target, float scale, Span<float> dx)
    {
        Guard.Length("Losses.MseBackward", nameof(x), dx.Length, x.Length);
        Guard.Length("Losses.MseBackward", nameof(target), dx.Length, target.Length);
        SimdLoop.Ternary(new MseGradOp(scale * 2f), x, target, dx, dx);
    }

    /// <summary>
    /// sum_i of PyTorch's <c>binary_cross_entropy_with_logits</c> term in its stable form:
    /// (1 - t) x + l (log1p(exp(-|x|)) + max(-x, 0)) with l = 1 + (p - 1) t, where p = posWeight[i mod cols]
    /// (p = 1, i.e. max(x,0) - x t + log1p(exp(-|x|)), when <paramref name="posWeight"/> is empty).
    /// </summary>
    /// <param name="x">Logits [n].</param>
    /// <param name="target">Targets in [0, 1] [n].</param>
    /// <param name="posWeight">Positive-class weights [cols], or empty.</param>
    /// <param name="cols">Length of the last dimension; used (and checked: n is a multiple of it) only with posWeight.</param>
    /// <returns>The summed loss, in double.</returns>
    /// <exception cref="ArgumentException">Lengths differ, or posWeight's length is not cols, or n is not a multiple of cols.</exception>
    public static double BceWithLogitsForward(ReadOnlySpan<float> x, ReadOnlySpan<float> target, ReadOnlySpan<float> posWeight, int cols)
    {
        const string k = "Losses.BceWithLogitsForward";
        Guard.Length(k, nameof(target), x.Length, target.Length);
        if (posWeight.IsEmpty) return SimdReduce.SumDouble(new BceOp(), x, target, x);
        CheckPosWeight(k, x.Length, posWeight.Length, cols);
        double s = 0;
        for (int b = 0; b < x.Length; b += cols)
            s += SimdReduce.SumDouble(new BcePosWeightOp(), x.Slice(b, cols), target.Slice(b, cols), posWeight);
        return s;
    }

    /// <summary>
    /// Accumulates dx[i] += scale ((p t + 1 - t) sigmoid(x) - p t), p = posWeight[i mod cols] (PyTorch's formula;
    /// scale (sigmoid(x) - t) without posWeight).
    /// </summary>
    /// <param name="x">Logits [n].</param>
    /// <param name="target">Targets [n].</param>
    /// <param name="posWeight">Positive-class weights [cols], or empty.</param>
    /// <param name="cols">Length of the last dimension; used only with posWeight.</param>
    /// <param name="scale">Upstream gradient of the summed loss.</param>
    /// <param name="dx">Gradient of the logits [n], accumulated.</param>
    /// <exception cref="ArgumentException">Lengths differ, or posWeight's length is not cols, or n is not a multiple of cols.</exception>
    public static void BceWithLogitsBackward(ReadOnlySpan<float> x, ReadOnlySpan<float> target, ReadOnlySpan<float> posWeight, int cols, float scale, Span<float> dx)
    {
        const string k = "Losses.BceWithLogitsBackward";
        Guard.Length(k, nameof(x), dx.Length, x.Length);
        Guard.Length(k, nameof(target), dx.Length, target.Length);
        if (posWeight.IsEmpty)
        {
            SimdLoop.Ternary(new BceGradOp(scale), x, target, dx, dx);
            return;
        }
        CheckPosWeight(k, x.Length, posWeight.Length, cols);
        for (int b = 0; b < x.Length; b += cols)
            SimdLoop.Quaternary(new BcePosWeightGradOp(scale), x.Slice(b, cols), target.Slice(b, cols), posWeight, dx.Slice(b, cols), dx.Slice(b, cols));
    }

    private static void CheckPosWeight(string kernel, int n, int posWeightLength, int cols)
    {
        if (cols <= 0 || n % cols != 0)
            throw new ArgumentException($"{kernel}: cols is {cols}, expected a positive divisor of the input length {n}.", nameof(cols));
        Guard.Length(kernel, "posWeight", cols, posWeightLength);
    }
}

/// <summary>f = (x - t)^2.</summary>
internal readonly struct SquaredErrorOp : ITernaryOp
{
    public float Invoke(float x, float t, float z) { float d = x - t; return d * d; }
    public Vector256<float> Invoke(Vector256<float> x, Vector256<float> t, Vector256<float> z) { var d = x - t; return d * d; }
    public Vector512<float> Invoke(Vector512<float> x, Vector512<float> t, Vector512<float> z) { var d = x - t; return d * d; }
}

/// <summary>d = acc + s2 (x - t).</summary>
internal readonly struct MseGradOp(float s2) : ITernaryOp
{
    private readonly float _s = s2;
    public float Invoke(float x, float t, float acc) => acc + _s * (x - t);
    public Vector256<float> Invoke(Vector256<float> x, Vector256<float> t, Vector256<float> acc) => acc + Vector256.Create(_s) * (x - t);
    public Vector512<float> Invoke(Vector512<float> x, Vector512<float> t, Vector512<float> acc) => acc + Vector512.Create(_s) * (x - t);
}

/// <summary>f = (1 - t) x + log1p(exp(-|x|)) + max(-x, 0).</summary>
internal readonly struct BceOp : ITernaryOp
{
    public float Invoke(float x, float t, float z) =>
        (1f - t) * x + (FastMath.Log1p(FastMath.Exp(-MathF.Abs(x))) + MathF.Max(-x, 0f));
    public Vector256<float> Invoke(Vector256<float> x, Vector256<float> t, Vector256<float> z) =>
        (Vector256<float>.One - t) * x + (FastMath.Log1p(FastMath.Exp(-Vector256.Abs(x))) + Vector256.Max(-x, Vector256<float>.Zero));
    public Vector512<float> Invoke(Vector512<float> x, Vector512<float> t, Vector512<float> z) =>
        (Vector512<float>.One - t) * x + (FastMath.Log1p(FastMath.Exp(-Vector512.Abs(x))) + Vector512.Max(-x, Vector512<float>.Zero));
}

/// <summary>f = (1 - t) x + (1 + (p - 1) t) (log1p(exp(-|x|)) + max(-x, 0)).</summary>
internal readonly struct BcePosWeightOp : ITernaryOp
{
    public float Invoke(float x, float t, float p) =>
        (1f - t) * x + (1f + (p - 1f) * t) * (FastMath.Log1p(FastMath.Exp(-MathF.Abs(x))) + MathF.Max(-x, 0f));
    public Vector256<float> Invoke(Vector256<float> x, Vector256<float> t, Vector256<float> p) =>
        (Vector256<float>.One - t) * x + (Vector256<float>.One + (p - Vector256<float>.One) * t)
        * (FastMath.Log1p(FastMath.Exp(-Vector256.Abs(x))) + Vector256.Max(-x, Vector256<float>.Zero));
    public Vector512<float> Invoke(Vector512<float> x, Vector512<float> t, Vector512<float> p) =>
        (Vector512<float>.One - t) * x + (Vector512<float>.One + (p - Vector512<float>.One) * t)
        * (FastMath.Log1p(FastMath.Exp(-Vector512.Abs(x))) + Vector512.Max(-x, Vector512<float>.Zero));
}

/// <summary>d = acc + s (sigmoid(x) - t).</summary>
internal readonly struct BceGradOp(float scale) : ITernaryOp
{
    private readonly float _s = scale;
    public float Invoke(float x, float t, float acc) => acc + (1f / (1f + FastMath.Exp(-x)) - t) * _s;
    public Vector256<float> Invoke(Vector256<float> x, Vector256<float> t, Vector256<float> acc) =>
        acc + (Vector256<float>.One / (Vector256<float>.One + FastMath.Exp(-x)) - t) * Vector256.Create(_s);
    public Vector512<float> Invoke(Vector512<float> x, Vector512<float> t, Vector512<float> acc) =>
        acc + (Vector512<float>.One / (Vector512<float>.One + FastMath.Exp(-x)) - t) * Vector512.Create(_s);
}

/// <summary>d = acc + s ((p t + 1 - t) sigmoid(x) - p t).</summary>
internal readonly struct BcePosWeightGradOp(float scale) : IQuaternaryOp
{
    private readonly float _s = scale;
    public float Invoke(float x, float t, float p, float acc)
    {
        float pt = p * t;
        return acc + ((pt + 1f - t) * (1f / (1f + FastMath.Exp(-x))) - pt) * _s;
    }

    public Vector256<float> Invoke(Vector256<float> x, Vector256<float> t, Vector256<float> p, Vector256<float> acc)
    {
        var one = Vector256<float>.One;
        var pt = p * t;
        return acc + ((pt + one - t) * (one / (one + FastMath.Exp(-x))) - pt) * Vector256.Create(_s);
    }

    public Vector512<float> Invoke(Vector512<float> x, Vector512<float> t, Vector512<float> p, Vector512<float> acc)
    {
        var one = Vector512<float>.One;
        var pt = p * t;
        return acc + ((pt + one - t) * (one / (one + FastMath.Exp(-x))) - pt) * Vector512.Create(_s);
    }
}
