using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Numerics.Tensors;

namespace NeuralSharp.Kernels;

// Legend: tensors are [outer, dim, inner] row-major; softmax runs along dim, independently for each (outer, inner).
// inner == 1 is the contiguous-rows path (rows of length dim); inner > 1 vectorises across inner (columns of
// 16 or 8 neighbouring inner positions walk down dim together, see Softmax.Strided512.cs).

/// <summary>
/// Softmax and log-softmax along the middle axis of an [outer, dim, inner] tensor, with their gradients.
/// Numerically stable: the maximum along dim is subtracted before exponentiating (exp by <see cref="FastMath"/>).
/// A NaN anywhere along dim makes that whole slice NaN; so does a slice whose maximum is ±inf.
/// </summary>
public static partial class Softmax
{
    /// <summary>y = exp(x - max) / sum(exp(x - max)) along dim.</summary>
    /// <param name="x">Logits [outer, dim, inner].</param>
    /// <param name="y">Probabilities [outer, dim, inner]; may alias <paramref name="x"/>.</param>
    /// <param name="outer">Number of independent leading blocks.</param>
    /// <param name="dim">Length of the softmax axis.</param>
    /// <param name="inner">Number of trailing positions (1 for contiguous rows).</param>
    /// <exception cref="ArgumentException">A span length is not outer*dim*inner, or a dimension is negative.</exception>
    public static void Forward(ReadOnlySpan<float> x, Span<float> y, int outer, int dim, int inner)
    {
        int n = Check(nameof(Forward), x.Length, y.Length, -1, outer, dim, inner);
        if (n == 0) return;
        if (inner == 1 && dim >= 16 && UseRows512) { Rows512(x, y, outer, dim, log: false); return; }
        for (int o = 0; o < outer; o++)
        {
            int b = o * dim * inner;
            if (inner == 1) ForwardRow(x.Slice(b, dim), y.Slice(b, dim));
            else ForwardBlock(ref Unsafe.Add(ref MemoryMarshal.GetReference(x), b), ref Unsafe.Add(ref MemoryMarshal.GetReference(y), b), dim, inner);
        }
    }

    /// <summary>y = x - max - ln(sum(exp(x - max))) along dim.</summary>
    /// <param name="x">Logits [outer, dim, inner].</param>
    /// <param name="y">Log-probabilities [outer, dim, inner]; may alias <paramref name="x"/>.</param>
    /// <param name="outer">Number of independent leading blocks.</param>
    /// <param name="dim">Length of the softmax axis.</param>
    /// <param name="inner">Number of trailing positions (1 for contiguous rows).</param>
    /// <exception cref="ArgumentException">A span length is not outer*dim*inner, or a dimension is negative.</exception>
    public static void LogForward(ReadOnlySpan<float> x, Span<float> y, int outer, int dim, int inner)
    {
        int n = Check(nameof(LogForward), x.Length, y.Length, -1, outer, dim, inner);
        if (n == 0) return;
        if (inner == 1 && dim >= 16 && UseRows512) { Rows512(x, y, outer, dim, log: true); return; }
        for (int o = 0; o < outer; o++)
        {
            int b = o * dim * inner;
            if (inner == 1) LogForwardRow(x.Slice(b, dim), y.Slice(b, dim));
            else LogForwardBlock(ref Unsafe.Add(ref MemoryMarshal.GetReference(x), b), ref Unsafe.Add(ref MemoryMarshal.GetReference(y), b), dim, inner);
        }
    }

    /// <summary>Softmax gradient: accumulates dx += y * (dy - sum(dy * y)) along dim.</summary>
    /// <param name="y">Forward output (probabilities) [outer, dim, inner].</param>
    /// <param name="dy">Upstream gradient [outer, dim, inner].</param>
    /// <param name="dx">Input gradient [outer, dim, inner], accumulated.</param>
    /// <param name="outer">Number of independent leading blocks.</param>
    /// <param name="dim">Length of the softmax axis.</param>
    /// <param name="inner">Number of trailing positions (1 for contiguous rows).</param>
    /// <exception cref="ArgumentException">A span length is not outer*dim*inner, or a dimension is negative.</exception>
    public static void Backward(ReadOnlySpan<float> y, ReadOnlySpan<float> dy, Span<float> dx, int outer, int dim, int inner)
    {
        int n = Check(nameof(Backward), y.Length, dx.Length, dy.Length, outer, dim, inner);
        if (n == 0) return;
        for (int o = 0; o < outer; o++)
        {
            int b = o * dim * inner;
            if (inner == 1) BackwardRow(y.Slice(b, dim), dy.Slice(b, dim), dx.Slice(b, dim));
            else BackwardBlock(ref Unsafe.Add(ref MemoryMarshal.GetReference(y), b), ref Unsafe.Add(ref MemoryMarshal.GetReference(dy), b),
                ref Unsafe.Add(ref MemoryMarshal.GetReference(dx), b), dim, inner);
        }
    }

    /// <summary>Log-softmax gradient: accumulates dx += dy - exp(y) * sum(dy) along dim.</summary>
    /// <param name="y">Forward output (log-probabilities) [outer, dim, inner].</param>
    /// <param name="dy">Upstream gradient [outer, dim, inner].</param>
    /// <param name="dx">Input gradient [outer, dim, inner], accumulated.</param>
    /// <param name="outer">Number of independent leading blocks.</param>
    /// <param name="dim">Length of the softmax axis.</param>
    /// <param name="inner">Number of trailing positions (1 for contiguous rows).</param>
    /// <exception cref="ArgumentException">A span length is not outer*dim*inner, or a dimension is negative.</exception>
    public static void LogBackward(ReadOnlySpan<float> y, ReadOnlySpan<float> dy, Span<float> dx, int outer, int dim, int inner)
    {
        int n = Check(nameof(LogBackward), y.Length, dx.Length, dy.Length, outer, dim, inner);
        if (n == 0) return;
        for (int o = 0; o < outer; o++)
        {
            int b = o * dim * inner;
            if (inner == 1) LogBackwardRow(y.Slice(b, dim), dy.Slice(b, dim), dx.Slice(b, dim));
            else LogBackwardBlock(ref Unsafe.Add(ref MemoryMarshal.GetReference(y), b), ref Unsafe.Add(ref MemoryMarshal.GetReference(dy), b),
                ref Unsafe.Add(ref MemoryMarshal.GetReference(dx), b), dim, inner);
        }
    }

    private static int Check(string kernel, int inLength, int outLength, int dyLength, int outer, int dim, int inner)
    {
        int n = Guard.Product("Softmax." + kernel, outer, nameof(outer), dim, nameof(dim), inner, nameof(inner));
        Guard.Length("Softmax." + kernel, "input", n, inLength);
        Guard.Length("Softmax." + kernel, "output", n, outLength);
        if (dyLength >= 0) Guard.Length("Softmax." + kernel, "dy", n, dyLength);
        return n;
    }

    // ---- contiguous rows (inner == 1) ----

    internal static void ForwardRow(ReadOnlySpan<float> x, Span<float> y)
    {
        float max = TensorPrimitives.Max(x);
        float sum = ExpSubSum(x, max, y, store: true);
        SimdLoop.Unary(new ScalarRightOp<DivOp>(sum), y, y);
    }

    internal static void LogForwardRow(ReadOnlySpan<float> x, Span<float> y)
    {
        float max = TensorPrimitives.Max(x);
        float sum = ExpSubSum(x, max, y, store: false);
        SimdLoop.Unary(new SubTwoOp(max, FastMath.Log(sum)), x, y);
    }

    private static void BackwardRow(ReadOnlySpan<float> y, ReadOnlySpan<float> dy, Span<float> dx)
    {
        float s = RowKernels.Dot(y, dy);
        SimdLoop.Ternary(new SoftmaxBackwardOp(s), y, dy, dx, dx);
    }

    private static void LogBackwardRow(ReadOnlySpan<float> y, ReadOnlySpan<float> dy, Span<float> dx)
    {
        float s = RowKernels.Sum(dy);
        SimdLoop.Ternary(new LogSoftmaxBackwardOp(s), y, dy, dx, dx);
    }

    /// <summary>Returns sum(exp(x - max)); stores the terms into y when asked (y may alias x).</summary>
    private static float ExpSubSum(ReadOnlySpan<float> x, float max, Span<float> y, bool store)
    {
        ref float px = ref MemoryMarshal.GetReference(x);
        ref float py = ref MemoryMarshal.GetReference(y);
        nuint n = (nuint)x.Length, i = 0;
        float sum = 0f;
        if (Vector512.IsHardwareAccelerated && n >= 16)
        {
            var m = Vector512.Create(max);
            var acc = Vector512<float>.Zero;
            for (; i + 16 <= n; i += 16)
            {
                var e = FastMath.Exp(Vector512.LoadUnsafe(ref px, i) - m);
                if (store) e.StoreUnsafe(ref py, i);
                acc += e;
            }
            sum = Vector512.Sum(acc);
        }
        else if (Vector256.IsHardwareAccelerated && n >= 8)
        {
            var m = Vector256.Create(max);
            var acc = Vector256<float>.Zero;
            for (; i + 8 <= n; i += 8)
            {
                var e = FastMath.Exp(Vector256.LoadUnsafe(ref px, i) - m);
                if (store) e.StoreUnsafe(ref py, i);
                acc += e;
            }
            sum = Vector256.Sum(acc);
        }
        for (; i < n; i++)
        {
            float e = FastMath.Exp(Unsafe.Add(ref px, i) - max);
            if (store) Unsafe.Add(ref py, i) = e;
            sum += e;
        }
        return sum;
    }

    // ---- strided blocks (inner > 1): one [dim, inner] block, columns in SIMD chunks, then scalar columns ----

    private static void ForwardBlock(ref float x, ref float y, int dim, int inner)
    {
        int c = 0;
        if (Vector512.IsHardwareAccelerated) for (; c + 16 <= inner; c += 16) ForwardCols512(ref x, ref y, dim, inner, c);
        if (Vector256.IsHardwareAccelerated) for (; c + 8 <= inner; c += 8) ForwardCols256(ref x, ref y, dim, inner, c);
        for (; c < inner; c++)
        {
            float max = float.NegativeInfinity;
            bool nan = false;
            for (int d = 0; d < dim; d++) { float v = Unsafe.Add(ref x, d * inner + c); nan |= float.IsNaN(v); max = v > max ? v : max; }
            if (nan) max = float.NaN;
            float sum = 0f;
            for (int d = 0; d < dim; d++) { float e = FastMath.Exp(Unsafe.Add(ref x, d * inner + c) - max); Unsafe.Add(ref y, d * inner + c) = e; sum += e; }
            for (int d = 0; d < dim; d++) Unsafe.Add(ref y, d * inner + c) /= sum;
        }
    }

    private static void LogForwardBlock(ref float x, ref float y, int dim, int inner)
    {
        int c = 0;
        if (Vector512.IsHardwareAccelerated) for (; c + 16 <= inner; c += 16) LogForwardCols512(ref x, ref y, dim, inner, c);
        if (Vector256.IsHardwareAccelerated) for (; c + 8 <= inner; c += 8) LogForwardCols256(ref x, ref y, dim, inner, c);
        for (; c < inner; c++)
        {
            float max = float.NegativeInfinity;
            bool nan = false;
            for (int d = 0; d < dim; d++) { float v = Unsafe.Add(ref x, d * inner + c); nan |= float.IsNaN(v); max = v > max ? v : max; }
            if (nan) max = float.NaN;
            float sum = 0f;
            for (int d = 0; d < dim; d++) sum += FastMath.Exp(Unsafe.Add(ref x, d * inner + c) - max);
            float ls = FastMath.Log(sum);
            for (int d = 0; d < dim; d++) Unsafe.Add(ref y, d * inner + c) = Unsafe.Add(ref x, d * inner + c) - max - ls;
        }
    }

    private static void BackwardBlock(ref float y, ref float dy, ref float dx, int dim, int inner)
    {
        int c = 0;
        if (Vector512.IsHardwareAccelerated) for (; c + 16 <= inner; c += 16) BackwardCols512(ref y, ref dy, ref dx, dim, inner, c);
        if (Vector256.IsHardwareAccelerated) for (; c + 8 <= inner; c += 8) BackwardCols256(ref y, ref dy, ref dx, dim, inner, c);
        for (; c < inner; c++)
        {
            float s = 0f;
            for (int d = 0; d < dim; d++) s += Unsafe.Add(ref y, d * inner + c) * Unsafe.Add(ref dy, d * inner + c);
            for (int d = 0; d < dim; d++)
            {
                int k = d * inner + c;
                Unsafe.Add(ref dx, k) += Unsafe.Add(ref y, k) * (Unsafe.Add(ref dy, k) - s);
            }
        }
    }

    private static void LogBackwardBlock(ref float y, ref float dy, ref float dx, int dim, int inner)
    {
        int c = 0;
        if (Vector512.IsHardwareAccelerated) for (; c + 16 <= inner; c += 16) LogBackwardCols512(ref y, ref dy, ref dx, dim, inner, c);
        if (Vector256.IsHardwareAccelerated) for (; c + 8 <= inner; c += 8) LogBackwardCols256(ref y, ref dy, ref dx, dim, inner, c);
        for (; c < inner; c++)
        {
            float s = 0f;
            for (int d = 0; d < dim; d++) s += Unsafe.Add(ref dy, d * inner + c);
            for (int d = 0; d < dim; d++)
            {
                int k = d * inner + c;
                Unsafe.Add(ref dx, k) += Unsafe.Add(ref dy, k) - FastMath.Exp(Unsafe.Add(ref y, k)) * s;
            }
        }
    }
}
