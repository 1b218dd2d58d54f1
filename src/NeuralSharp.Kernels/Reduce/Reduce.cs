using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace NeuralSharp.Kernels;

// Legend: Sum reduces [outer, dim, inner] over dim into [outer, inner]; the others reduce a whole span of n elements.

/// <summary>Reductions: sums along an axis, whole-span sums in double, max/argmax, finiteness.</summary>
public static class Reduce
{
    /// <summary>
    /// dst[o, i] = sum_d x[o, d, i] (or dst[o, i] += ... when <paramref name="accumulate"/>), accumulated in float
    /// vectors (inner == 1: lane-wise partial sums along the row; inner &gt; 1: vectorised across inner, summing
    /// down dim in order). dim = 0 gives 0.
    /// </summary>
    /// <param name="x">Input [outer, dim, inner].</param>
    /// <param name="dst">Sums [outer, inner].</param>
    /// <param name="outer">Number of leading blocks.</param>
    /// <param name="dim">Length of the reduced axis.</param>
    /// <param name="inner">Number of trailing positions.</param>
    /// <param name="accumulate">Add into dst instead of overwriting it.</param>
    /// <exception cref="ArgumentException">A span length does not match the dimensions, or a dimension is negative.</exception>
    public static void Sum(ReadOnlySpan<float> x, Span<float> dst, int outer, int dim, int inner, bool accumulate)
    {
        const string k = "Reduce.Sum";
        int n = Guard.Product(k, outer, nameof(outer), dim, nameof(dim), inner, nameof(inner));
        Guard.Length(k, nameof(x), n, x.Length);
        Guard.Length(k, nameof(dst), Guard.Product(k, outer, nameof(outer), inner, nameof(inner)), dst.Length);
        if (inner == 1)
        {
            for (int o = 0; o < outer; o++)
            {
                float s = RowKernels.Sum(x.Slice(o * dim, dim));
                dst[o] = accumulate ? dst[o] + s : s;
            }
            return;
        }
        ref float px = ref MemoryMarshal.GetReference(x);
        ref float pd = ref MemoryMarshal.GetReference(dst);
        for (int o = 0; o < outer; o++)
        {
            ref float xb = ref Unsafe.Add(ref px, (nint)o * dim * inner);
            ref float db = ref Unsafe.Add(ref pd, (nint)o * inner);
            int c = 0;
            if (Vector512.IsHardwareAccelerated)
                for (; c + 16 <= inner; c += 16)
                {
                    var s = Vector512<float>.Zero;
                    for (int d = 0; d < dim; d++) s += Vector512.LoadUnsafe(ref xb, (nuint)(d * inner + c));
                    if (accumulate) s = Vector512.LoadUnsafe(ref db, (nuint)c) + s;
                    s.StoreUnsafe(ref db, (nuint)c);
                }
            if (Vector256.IsHardwareAccelerated)
                for (; c + 8 <= inner; c += 8)
                {
                    var s = Vector256<float>.Zero;
                    for (int d = 0; d < dim; d++) s += Vector256.LoadUnsafe(ref xb, (nuint)(d * inner + c));
                    if (accumulate) s = Vector256.LoadUnsafe(ref db, (nuint)c) + s;
                    s.StoreUnsafe(ref db, (nuint)c);
                }
            for (; c < inner; c++)
            {
                float s = 0f;
                for (int d = 0; d < dim; d++) s += Unsafe.Add(ref xb, d * inner + c);
                Unsafe.Add(ref db, c) = accumulate ? Unsafe.Add(ref db, c) + s : s;
            }
        }
    }

    /// <summary>sum_i x[i], each element widened to double and summed in 16 double lanes (two Vector512 or Vector256 accumulators), so the
    /// rounding error is about that of double summation (~n * 1e-16 relative at worst).</summary>
    /// <param name="x">The values.</param>
    /// <returns>The sum (0 for an empty span; NaN/inf propagate).</returns>
    public static double SumAll(ReadOnlySpan<float> x) => SimdReduce.SumDouble(new FirstOp(), x, x, x);

    /// <summary>sum_i x[i]^2, each element widened to double before squaring and summed in double.</summary>
    /// <param name="x">The values.</param>
    /// <returns>The sum of squares (0 for an empty span).</returns>
    public static double SumOfSquares(ReadOnlySpan<float> x)
    {
        ref float px = ref MemoryMarshal.GetReference(x);
        nuint n = (nuint)x.Length, i = 0;
        double s = 0;
        if (Vector512.IsHardwareAccelerated && n >= 16)
        {
            Vector512<double> a0 = Vector512<double>.Zero, a1 = Vector512<double>.Zero;
            for (; i + 16 <= n; i += 16)
            {
                var (lo, hi) = Vector512.Widen(Vector512.LoadUnsafe(ref px, i));
                a0 += lo * lo; a1 += hi * hi;
            }
            s = Vector512.Sum(a0 + a1);
        }
        else if (Vector256.IsHardwareAccelerated && n >= 8)
        {
            Vector256<double> a0 = Vector256<double>.Zero, a1 = Vector256<double>.Zero;
            for (; i + 8 <= n; i += 8)
            {
                var (lo, hi) = Vector256.Widen(Vector256.LoadUnsafe(ref px, i));
                a0 += lo * lo; a1 += hi * hi;
            }
            s = Vector256.Sum(a0 + a1);
        }
        for (; i < n; i++) { double v = Unsafe.Add(ref px, i); s += v * v; }
        return s;
    }

    /// <summary>The largest element; NaN if any element is NaN (like torch.max). Of +0 and -0 either may be returned.</summary>
    /// <param name="x">The values (non-empty).</param>
    /// <returns>max_i x[i].</returns>
    /// <exception cref="ArgumentException"><paramref name="x"/> is empty.</exception>
    public static float Max(ReadOnlySpan<float> x)
    {
        if (x.IsEmpty) throw new ArgumentException("Reduce.Max: 'x' is empty, expected at least one element.", nameof(x));
        ref float px = ref MemoryMarshal.GetReference(x);
        nuint n = (nuint)x.Length, i = 0;
        float m = float.NegativeInfinity;
        bool nan = false;
        if (Vector512.IsHardwareAccelerated && n >= 16)
        {
            var a = Vector512.Create(float.NegativeInfinity);
            var bad = Vector512<float>.Zero;
            for (; i + 16 <= n; i += 16)
            {
                var v = Vector512.LoadUnsafe(ref px, i);
                bad |= ~Vector512.Equals(v, v);
                a = Vector512.MaxNative(a, v);
            }
            nan = bad != Vector512<float>.Zero;
            for (int l = 0; l < 16; l++) m = MathF.Max(m, a[l]);
        }
        else if (Vector256.IsHardwareAccelerated && n >= 8)
        {
            var a = Vector256.Create(float.NegativeInfinity);
            var bad = Vector256<float>.Zero;
            for (; i + 8 <= n; i += 8)
            {
                var v = Vector256.LoadUnsafe(ref px, i);
                bad |= ~Vector256.Equals(v, v);
                a = Vector256.MaxNative(a, v);
            }
            nan = bad != Vector256<float>.Zero;
            for (int l = 0; l < 8; l++) m = MathF.Max(m, a[l]);
        }
        for (; i < n; i++)
        {
            float v = Unsafe.Add(ref px, i);
            nan |= float.IsNaN(v);
            m = v > m ? v : m;
        }
        return nan ? float.NaN : m;
    }

    /// <summary>
    /// The index of the first maximum (ties: the lowest index; +0 and -0 compare equal). NaN counts as larger than
    /// everything, like torch.argmax: if any element is NaN the index of the first NaN is returned.
    /// </summary>
    /// <param name="x">The values (non-empty).</param>
    /// <returns>argmax_i x[i].</returns>
    /// <exception cref="ArgumentException"><paramref name="x"/> is empty.</exception>
    public static int ArgMax(ReadOnlySpan<float> x)
    {
        if (x.IsEmpty) throw new ArgumentException("Reduce.ArgMax: 'x' is empty, expected at least one element.", nameof(x));
        float m = Max(x);
        if (float.IsNaN(m))
        {
            for (int j = 0; j < x.Length; j++) if (float.IsNaN(x[j])) return j;
        }
        ref float px = ref MemoryMarshal.GetReference(x);
        nuint n = (nuint)x.Length, i = 0;
        if (Vector512.IsHardwareAccelerated)
        {
            var vm = Vector512.Create(m);
            for (; i + 16 <= n; i += 16)
            {
                ulong bits = Vector512.Equals(Vector512.LoadUnsafe(ref px, i), vm).ExtractMostSignificantBits();
                if (bits != 0) return (int)i + System.Numerics.BitOperations.TrailingZeroCount(bits);
            }
        }
        else if (Vector256.IsHardwareAccelerated)
        {
            var vm = Vector256.Create(m);
            for (; i + 8 <= n; i += 8)
            {
                uint bits = Vector256.Equals(Vector256.LoadUnsafe(ref px, i), vm).ExtractMostSignificantBits();
                if (bits != 0) return (int)i + System.Numerics.BitOperations.TrailingZeroCount(bits);
            }
        }
        for (; i < n; i++) if (Unsafe.Add(ref px, i) == m) return (int)i;
        return -1; // unreachable: m is an element of x
    }

    /// <summary>True when no element is NaN or ±inf (true for an empty span).</summary>
    /// <param name="x">The values.</param>
    /// <returns>Whether every element is finite.</returns>
    public static bool AllFinite(ReadOnlySpan<float> x)
    {
        // x * 0 is 0 for finite x and NaN for NaN or ±inf; the NaNs survive the accumulation.
        ref float px = ref MemoryMarshal.GetReference(x);
        nuint n = (nuint)x.Length, i = 0;
        if (Vector512.IsHardwareAccelerated && n >= 16)
        {
            var a = Vector512<float>.Zero;
            for (; i + 16 <= n; i += 16) a += Vector512.LoadUnsafe(ref px, i) * Vector512<float>.Zero;
            if (!Vector512.EqualsAll(a, Vector512<float>.Zero)) return false;
        }
        else if (Vector256.IsHardwareAccelerated && n >= 8)
        {
            var a = Vector256<float>.Zero;
            for (; i + 8 <= n; i += 8) a += Vector256.LoadUnsafe(ref px, i) * Vector256<float>.Zero;
            if (!Vector256.EqualsAll(a, Vector256<float>.Zero)) return false;
        }
        for (; i < n; i++) if (!float.IsFinite(Unsafe.Add(ref px, i))) return false;
        return true;
    }
}
