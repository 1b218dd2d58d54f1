using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace NeuralSharp.Kernels;

/// <summary>
/// Float row reductions with vector accumulators (lane-wise partial sums, then a horizontal sum), used inside
/// other kernels where float accuracy suffices (softmax sums, norm statistics). Deterministic for a given length.
/// </summary>
internal static class RowKernels
{
    public static float Sum(ReadOnlySpan<float> x)
    {
        ref float px = ref MemoryMarshal.GetReference(x);
        nuint n = (nuint)x.Length, i = 0;
        float s = 0f;
        if (Vector512.IsHardwareAccelerated && n >= 16)
        {
            var a = Vector512<float>.Zero;
            for (; i + 16 <= n; i += 16) a += Vector512.LoadUnsafe(ref px, i);
            s = Vector512.Sum(a);
        }
        else if (Vector256.IsHardwareAccelerated && n >= 8)
        {
            var a = Vector256<float>.Zero;
            for (; i + 8 <= n; i += 8) a += Vector256.LoadUnsafe(ref px, i);
            s = Vector256.Sum(a);
        }
        for (; i < n; i++) s += Unsafe.Add(ref px, i);
        return s;
    }

    public static float Dot(ReadOnlySpan<float> x, ReadOnlySpan<float> y)
    {
        ref float px = ref MemoryMarshal.GetReference(x);
        ref float py = ref MemoryMarshal.GetReference(y);
        nuint n = (nuint)x.Length, i = 0;
        float s = 0f;
        if (Vector512.IsHardwareAccelerated && n >= 16)
        {
            var a = Vector512<float>.Zero;
            for (; i + 16 <= n; i += 16) a += Vector512.LoadUnsafe(ref px, i) * Vector512.LoadUnsafe(ref py, i);
            s = Vector512.Sum(a);
        }
        else if (Vector256.IsHardwareAccelerated && n >= 8)
        {
            var a = Vector256<float>.Zero;
            for (; i + 8 <= n; i += 8) a += Vector256.LoadUnsafe(ref px, i) * Vector256.LoadUnsafe(ref py, i);
            s = Vector256.Sum(a);
        }
        for (; i < n; i++) s += Unsafe.Add(ref px, i) * Unsafe.Add(ref py, i);
        return s;
    }

    /// <summary>sum((x - c)^2), for variances.</summary>
    public static float SumSquaredDeviation(ReadOnlySpan<float> x, float c)
    {
        ref float px = ref MemoryMarshal.GetReference(x);
        nuint n = (nuint)x.Length, i = 0;
        float s = 0f;
        if (Vector512.IsHardwareAccelerated && n >= 16)
        {
            var a = Vector512<float>.Zero;
            var vc = Vector512.Create(c);
            for (; i + 16 <= n; i += 16) { var d = Vector512.LoadUnsafe(ref px, i) - vc; a += d * d; }
            s = Vector512.Sum(a);
        }
        else if (Vector256.IsHardwareAccelerated && n >= 8)
        {
            var a = Vector256<float>.Zero;
            var vc = Vector256.Create(c);
            for (; i + 8 <= n; i += 8) { var d = Vector256.LoadUnsafe(ref px, i) - vc; a += d * d; }
            s = Vector256.Sum(a);
        }
        for (; i < n; i++) { float d = Unsafe.Add(ref px, i) - c; s += d * d; }
        return s;
    }
}
