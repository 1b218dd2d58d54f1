using System.Runtime.Intrinsics;

namespace NeuralSharp.Kernels;

// Legend: x is [Outer, 2H, Inner] row-major, split along the middle dim into a = x[:, :H, :] and b = x[:, H:, :];
// y is [Outer, H, Inner]. Per outer index, a, b and y are contiguous blocks of H * Inner floats.

/// <summary>The gated linear unit y = a ⊙ sigmoid(b) (PyTorch's <c>glu</c>), with its gradient.</summary>
public static class Glu
{
    /// <summary>y[o, h, i] = a[o, h, i] * sigmoid(b[o, h, i]), a = x[o, h, i], b = x[o, H + h, i].</summary>
    /// <param name="x">Inputs [Outer, 2H, Inner].</param>
    /// <param name="y">Outputs [Outer, H, Inner].</param>
    /// <param name="outer">Outer (&gt;= 0).</param>
    /// <param name="half">H, half the split dimension (&gt;= 0).</param>
    /// <param name="inner">Inner (&gt;= 0).</param>
    /// <exception cref="ArgumentException">A size is negative or a span has the wrong length.</exception>
    public static void Forward(ReadOnlySpan<float> x, Span<float> y, int outer, int half, int inner)
    {
        const string k = "Glu.Forward";
        int n = Guard.Product(k, outer, nameof(outer), half, nameof(half), inner, nameof(inner));
        Guard.Length(k, nameof(x), 2 * n, x.Length);
        Guard.Length(k, nameof(y), n, y.Length);
        int block = half * inner;
        for (int o = 0; o < outer; o++)
            SimdLoop.Binary(new GluOp(), x.Slice(2 * o * block, block), x.Slice((2 * o + 1) * block, block), y.Slice(o * block, block));
    }

    /// <summary>da += dy * sigmoid(b); db += dy * a * s (1 - s), s = sigmoid(b).</summary>
    /// <param name="x">Forward inputs [Outer, 2H, Inner].</param>
    /// <param name="dy">Upstream gradient [Outer, H, Inner].</param>
    /// <param name="dx">Input gradient [Outer, 2H, Inner], accumulated.</param>
    /// <param name="outer">Outer (&gt;= 0).</param>
    /// <param name="half">H (&gt;= 0).</param>
    /// <param name="inner">Inner (&gt;= 0).</param>
    /// <exception cref="ArgumentException">A size is negative or a span has the wrong length.</exception>
    public static void Backward(ReadOnlySpan<float> x, ReadOnlySpan<float> dy, Span<float> dx, int outer, int half, int inner)
    {
        const string k = "Glu.Backward";
        int n = Guard.Product(k, outer, nameof(outer), half, nameof(half), inner, nameof(inner));
        Guard.Length(k, nameof(x), 2 * n, x.Length);
        Guard.Length(k, nameof(dy), n, dy.Length);
        Guard.Length(k, nameof(dx), 2 * n, dx.Length);
        int block = half * inner;
        for (int o = 0; o < outer; o++)
        {
            var a = x.Slice(2 * o * block, block);
            var b = x.Slice((2 * o + 1) * block, block);
            var g = dy.Slice(o * block, block);
            var da = dx.Slice(2 * o * block, block);
            var db = dx.Slice((2 * o + 1) * block, block);
            SimdLoop.Ternary(new GluGateGradOp(), b, g, da, da);
            SimdLoop.Quaternary(new GluSigmoidGradOp(), a, b, g, db, db);
        }
    }
}

/// <summary>(a, b) -&gt; a / (1 + e^-b).</summary>
internal readonly struct GluOp : IBinaryOp
{
    public float Invoke(float a, float b) => a * (1f / (1f + FastMath.Exp(-b)));
    public Vector256<float> Invoke(Vector256<float> a, Vector256<float> b) => a * (Vector256<float>.One / (Vector256<float>.One + FastMath.Exp(-b)));
    public Vector512<float> Invoke(Vector512<float> a, Vector512<float> b) => a * (Vector512<float>.One / (Vector512<float>.One + FastMath.Exp(-b)));
}

/// <summary>(b, dy, acc) -&gt; acc + dy sigmoid(b).</summary>
internal readonly struct GluGateGradOp : ITernaryOp
{
    public float Invoke(float b, float dy, float acc) => acc + dy * (1f / (1f + FastMath.Exp(-b)));
    public Vector256<float> Invoke(Vector256<float> b, Vector256<float> dy, Vector256<float> acc) =>
        acc + dy * (Vector256<float>.One / (Vector256<float>.One + FastMath.Exp(-b)));
    public Vector512<float> Invoke(Vector512<float> b, Vector512<float> dy, Vector512<float> acc) =>
        acc + dy * (Vector512<float>.One / (Vector512<float>.One + FastMath.Exp(-b)));
}

/// <summary>(a, b, dy, acc) -&gt; acc + dy a s (1 - s), s = sigmoid(b).</summary>
internal readonly struct GluSigmoidGradOp : IQuaternaryOp
{
    public float Invoke(float a, float b, float dy, float acc)
    {
        float s = 1f / (1f + FastMath.Exp(-b));
        return acc + dy * a * (s * (1f - s));
    }

    public Vector256<float> Invoke(Vector256<float> a, Vector256<float> b, Vector256<float> dy, Vector256<float> acc)
    {
        var s = Vector256<float>.One / (Vector256<float>.One + FastMath.Exp(-b));
        return acc + dy * a * (s * (Vector256<float>.One - s));
    }

    public Vector512<float> Invoke(Vector512<float> a, Vector512<float> b, Vector512<float> dy, Vector512<float> acc)
    {
        var s = Vector512<float>.One / (Vector512<float>.One + FastMath.Exp(-b));
        return acc + dy * a * (s * (Vector512<float>.One - s));
    }
}

/// <summary>GLU in double, straight from the formulas; the tests compare against it.</summary>
internal static class GluReference
{
    public static void Forward(ReadOnlySpan<float> x, Span<double> y, int outer, int half, int inner)
    {
        int block = half * inner;
        for (int o = 0; o < outer; o++)
            for (int j = 0; j < block; j++)
                y[o * block + j] = x[2 * o * block + j] / (1 + Math.Exp(-(double)x[(2 * o + 1) * block + j]));
    }

    public static void Backward(ReadOnlySpan<float> x, ReadOnlySpan<float> dy, Span<double> dx, int outer, int half, int inner)
    {
        int block = half * inner;
        for (int o = 0; o < outer; o++)
            for (int j = 0; j < block; j++)
            {
                double a = x[2 * o * block + j], s = 1 / (1 + Math.Exp(-(double)x[(2 * o + 1) * block + j])), g = dy[o * block + j];
                dx[2 * o * block + j] += g * s;
                dx[(2 * o + 1) * block + j] += g * a * s * (1 - s);
            }
    }
}
