using System.Runtime.Intrinsics;

namespace NeuralSharp.Kernels;

// Legend: x is [Outer, C, Inner] row-major (C = channels, PyTorch's dim 1; Inner = the dims after it, 1 for [N, C]);
// w is [C], one learned slope per channel.

/// <summary>PReLU, a leaky ReLU with a learned slope per channel: y = x for x &gt; 0, w[c] x otherwise.</summary>
public static class Prelu
{
    /// <summary>y[o, c, i] = x[o, c, i] &gt; 0 ? x[o, c, i] : w[c] * x[o, c, i].</summary>
    /// <param name="x">Inputs [Outer, C, Inner].</param>
    /// <param name="w">Slopes [C].</param>
    /// <param name="y">Outputs [Outer, C, Inner]; may alias <paramref name="x"/>.</param>
    /// <param name="outer">Outer (&gt;= 0).</param>
    /// <param name="channels">C (&gt;= 0).</param>
    /// <param name="inner">Inner (&gt;= 0).</param>
    /// <exception cref="ArgumentException">A size is negative or a span has the wrong length.</exception>
    public static void Forward(ReadOnlySpan<float> x, ReadOnlySpan<float> w, Span<float> y, int outer, int channels, int inner)
    {
        const string k = "Prelu.Forward";
        int n = Guard.Product(k, outer, nameof(outer), channels, nameof(channels), inner, nameof(inner));
        Guard.Length(k, nameof(x), n, x.Length);
        Guard.Length(k, nameof(w), channels, w.Length);
        Guard.Length(k, nameof(y), n, y.Length);
        for (int o = 0; o < outer; o++)
        {
            int row = o * channels * inner;
            if (inner == 1)
                SimdLoop.Binary(new PreluOp(), x.Slice(row, channels), w, y.Slice(row, channels));
            else
                for (int c = 0; c < channels; c++)
                    SimdLoop.Unary(new LeakyReluOp(w[c]), x.Slice(row + c * inner, inner), y.Slice(row + c * inner, inner));
        }
    }

    /// <summary>
    /// dx[o, c, i] += dy * (x &gt; 0 ? 1 : w[c]) and dw[c] += Σ_{o, i: x &lt;= 0} dy * x (PyTorch's prelu_backward), summed
    /// in (o, i) order per channel, so the result does not depend on the SIMD width or thread count.
    /// </summary>
    /// <param name="x">Forward inputs [Outer, C, Inner].</param>
    /// <param name="w">Slopes [C].</param>
    /// <param name="dy">Upstream gradient [Outer, C, Inner].</param>
    /// <param name="dx">Input gradient [Outer, C, Inner], accumulated; empty for none.</param>
    /// <param name="dw">Slope gradient [C], accumulated; empty for none.</param>
    /// <param name="outer">Outer (&gt;= 0).</param>
    /// <param name="channels">C (&gt;= 0).</param>
    /// <param name="inner">Inner (&gt;= 0).</param>
    /// <exception cref="ArgumentException">A size is negative or a span has the wrong length.</exception>
    public static void Backward(ReadOnlySpan<float> x, ReadOnlySpan<float> w, ReadOnlySpan<float> dy, Span<float> dx, Span<float> dw,
        int outer, int channels, int inner)
    {
        const string k = "Prelu.Backward";
        int n = Guard.Product(k, outer, nameof(outer), channels, nameof(channels), inner, nameof(inner));
        Guard.Length(k, nameof(x), n, x.Length);
        Guard.Length(k, nameof(w), channels, w.Length);
        Guard.Length(k, nameof(dy), n, dy.Length);
        Guard.LengthOrEmpty(k, nameof(dx), n, dx.Length);
        Guard.LengthOrEmpty(k, nameof(dw), channels, dw.Length);
        for (int o = 0; o < outer; o++)
        {
            int row = o * channels * inner;
            if (inner == 1)
            {
                var xr = x.Slice(row, channels);
                var dyr = dy.Slice(row, channels);
                if (!dx.IsEmpty) SimdLoop.Quaternary(new PreluBackwardOp(), xr, w, dyr, dx.Slice(row, channels), dx.Slice(row, channels));
                // Rows are added one after another: each dw[c] is a sum in row order.
                if (!dw.IsEmpty) SimdLoop.Ternary(new PreluWeightGradOp(), xr, dyr, dw, dw);
            }
            else
                for (int c = 0; c < channels; c++)
                {
                    var xs = x.Slice(row + c * inner, inner);
                    var dys = dy.Slice(row + c * inner, inner);
                    if (!dx.IsEmpty)
                        SimdLoop.Quaternary(new LeakyReluBackwardOp(w[c]), xs, xs, dys, dx.Slice(row + c * inner, inner), dx.Slice(row + c * inner, inner));
                    if (!dw.IsEmpty)
                    {
                        float s = 0f;
                        for (int i = 0; i < inner; i++) if (!(xs[i] > 0f)) s += dys[i] * xs[i];
                        dw[c] += s;
                    }
                }
        }
    }
}

/// <summary>(x, w) -&gt; x &gt; 0 ? x : w x.</summary>
internal readonly struct PreluOp : IBinaryOp
{
    public float Invoke(float x, float w) => x > 0f ? x : w * x;
    public Vector256<float> Invoke(Vector256<float> x, Vector256<float> w) => Vector256.ConditionalSelect(Vector256.GreaterThan(x, Vector256<float>.Zero), x, w * x);
    public Vector512<float> Invoke(Vector512<float> x, Vector512<float> w) => Vector512.ConditionalSelect(Vector512.GreaterThan(x, Vector512<float>.Zero), x, w * x);
}

/// <summary>(x, w, dy, acc) -&gt; acc + (x &gt; 0 ? dy : w dy).</summary>
internal readonly struct PreluBackwardOp : IQuaternaryOp
{
    public float Invoke(float x, float w, float dy, float acc) => acc + (x > 0f ? dy : w * dy);
    public Vector256<float> Invoke(Vector256<float> x, Vector256<float> w, Vector256<float> dy, Vector256<float> acc) =>
        acc + Vector256.ConditionalSelect(Vector256.GreaterThan(x, Vector256<float>.Zero), dy, w * dy);
    public Vector512<float> Invoke(Vector512<float> x, Vector512<float> w, Vector512<float> dy, Vector512<float> acc) =>
        acc + Vector512.ConditionalSelect(Vector512.GreaterThan(x, Vector512<float>.Zero), dy, w * dy);
}

/// <summary>(x, dy, acc) -&gt; acc + (x &gt; 0 ? 0 : dy x).</summary>
internal readonly struct PreluWeightGradOp : ITernaryOp
{
    public float Invoke(float x, float dy, float acc) => x > 0f ? acc : acc + dy * x;
    public Vector256<float> Invoke(Vector256<float> x, Vector256<float> dy, Vector256<float> acc) =>
        Vector256.ConditionalSelect(Vector256.GreaterThan(x, Vector256<float>.Zero), acc, acc + dy * x);
    public Vector512<float> Invoke(Vector512<float> x, Vector512<float> dy, Vector512<float> acc) =>
        Vector512.ConditionalSelect(Vector512.GreaterThan(x, Vector512<float>.Zero), acc, acc + dy * x);
}

/// <summary>PReLU in double, straight from the formulas; the tests compare against it.</summary>
internal static class PreluReference
{
    public static void Forward(ReadOnlySpan<float> x, ReadOnlySpan<float> w, Span<double> y, int outer, int channels, int inner)
    {
        for (int o = 0; o < outer; o++)
            for (int c = 0; c < channels; c++)
                for (int i = 0; i < inner; i++)
                {
                    int j = (o * channels + c) * inner + i;
                    y[j] = x[j] > 0 ? x[j] : (double)w[c] * x[j];
                }
    }

    public static void Backward(ReadOnlySpan<float> x, ReadOnlySpan<float> w, ReadOnlySpan<float> dy, Span<double> dx, Span<double> dw,
        int outer, int channels, int inner)
    {
        for (int o = 0; o < outer; o++)
            for (int c = 0; c < channels; c++)
                for (int i = 0; i < inner; i++)
                {
                    int j = (o * channels + c) * inner + i;
                    dx[j] += x[j] > 0 ? dy[j] : (double)w[c] * dy[j];
                    if (!(x[j] > 0)) dw[c] += (double)dy[j] * x[j];
                }
    }
}
