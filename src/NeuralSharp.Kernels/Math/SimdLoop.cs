using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace NeuralSharp.Kernels;

// Element-wise operations as structs, so that the generic drivers below are specialised (and the op
// inlined) by the JIT for each op: one loop body serves every element-wise kernel.

/// <summary>d = f(x).</summary>
internal interface IUnaryOp
{
    float Invoke(float x);
    Vector256<float> Invoke(Vector256<float> x);
    Vector512<float> Invoke(Vector512<float> x);
}

/// <summary>d = f(x, y).</summary>
internal interface IBinaryOp
{
    float Invoke(float x, float y);
    Vector256<float> Invoke(Vector256<float> x, Vector256<float> y);
    Vector512<float> Invoke(Vector512<float> x, Vector512<float> y);
}

/// <summary>d = f(x, y, z).</summary>
internal interface ITernaryOp
{
    float Invoke(float x, float y, float z);
    Vector256<float> Invoke(Vector256<float> x, Vector256<float> y, Vector256<float> z);
    Vector512<float> Invoke(Vector512<float> x, Vector512<float> y, Vector512<float> z);
}

/// <summary>d = f(x, y, z, w).</summary>
internal interface IQuaternaryOp
{
    float Invoke(float x, float y, float z, float w);
    Vector256<float> Invoke(Vector256<float> x, Vector256<float> y, Vector256<float> z, Vector256<float> w);
    Vector512<float> Invoke(Vector512<float> x, Vector512<float> y, Vector512<float> z, Vector512<float> w);
}

/// <summary>
/// Drivers: Vector512 body when accelerated, else Vector256, then one Vector256 step and a scalar tail.
/// Element i of the destination depends only on element i of the inputs and is written after they are
/// read, so a destination may alias any input exactly (not with an offset).
/// </summary>
internal static class SimdLoop
{
    public static void Unary<T>(T op, ReadOnlySpan<float> x, Span<float> d) where T : struct, IUnaryOp
    {
        ref float px = ref MemoryMarshal.GetReference(x);
        ref float pd = ref MemoryMarshal.GetReference(d);
        nuint n = (nuint)d.Length, i = 0;
        if (Vector512.IsHardwareAccelerated)
            for (; i + 16 <= n; i += 16)
                op.Invoke(Vector512.LoadUnsafe(ref px, i)).StoreUnsafe(ref pd, i);
        if (Vector256.IsHardwareAccelerated)
            for (; i + 8 <= n; i += 8)
                op.Invoke(Vector256.LoadUnsafe(ref px, i)).StoreUnsafe(ref pd, i);
        for (; i < n; i++)
            Unsafe.Add(ref pd, i) = op.Invoke(Unsafe.Add(ref px, i));
    }

    public static void Binary<T>(T op, ReadOnlySpan<float> x, ReadOnlySpan<float> y, Span<float> d) where T : struct, IBinaryOp
    {
        ref float px = ref MemoryMarshal.GetReference(x);
        ref float py = ref MemoryMarshal.GetReference(y);
        ref float pd = ref MemoryMarshal.GetReference(d);
        nuint n = (nuint)d.Length, i = 0;
        if (Vector512.IsHardwareAccelerated)
            for (; i + 16 <= n; i += 16)
                op.Invoke(Vector512.LoadUnsafe(ref px, i), Vector512.LoadUnsafe(ref py, i)).StoreUnsafe(ref pd, i);
        if (Vector256.IsHardwareAccelerated)
            for (; i + 8 <= n; i += 8)
                op.Invoke(Vector256.LoadUnsafe(ref px, i), Vector256.LoadUnsafe(ref py, i)).StoreUnsafe(ref pd, i);
        for (; i < n; i++)
            Unsafe.Add(ref pd, i) = op.Invoke(Unsafe.Add(ref px, i), Unsafe.Add(ref py, i));
    }

    public static void Ternary<T>(T op, ReadOnlySpan<float> x, ReadOnlySpan<float> y, ReadOnlySpan<float> z, Span<float> d)
        where T : struct, ITernaryOp
    {
        ref float px = ref MemoryMarshal.GetReference(x);
        ref float py = ref MemoryMarshal.GetReference(y);
        ref float pz = ref MemoryMarshal.GetReference(z);
        ref float pd = ref MemoryMarshal.GetReference(d);
        nuint n = (nuint)d.Length, i = 0;
        if (Vector512.IsHardwareAccelerated)
            for (; i + 16 <= n; i += 16)
                op.Invoke(Vector512.LoadUnsafe(ref px, i), Vector512.LoadUnsafe(ref py, i), Vector512.LoadUnsafe(ref pz, i))
                    .StoreUnsafe(ref pd, i);
        if (Vector256.IsHardwareAccelerated)
            for (; i + 8 <= n; i += 8)
                op.Invoke(Vector256.LoadUnsafe(ref px, i), Vector256.LoadUnsafe(ref py, i), Vector256.LoadUnsafe(ref pz, i))
                    .StoreUnsafe(ref pd, i);
        for (; i < n; i++)
            Unsafe.Add(ref pd, i) = op.Invoke(Unsafe.Add(ref px, i), Unsafe.Add(ref py, i), Unsafe.Add(ref pz, i));
    }

    public static void Quaternary<T>(T op, ReadOnlySpan<float> x, ReadOnlySpan<float> y, ReadOnlySpan<float> z,
        ReadOnlySpan<float> w, Span<float> d) where T : struct, IQuaternaryOp
    {
        ref float px = ref MemoryMarshal.GetReference(x);
        ref float py = ref MemoryMarshal.GetReference(y);
        ref float pz = ref MemoryMarshal.GetReference(z);
        ref float pw = ref MemoryMarshal.GetReference(w);
        ref float pd = ref MemoryMarshal.GetReference(d);
        nuint n = (nuint)d.Length, i = 0;
        if (Vector512.IsHardwareAccelerated)
            for (; i + 16 <= n; i += 16)
                op.Invoke(Vector512.LoadUnsafe(ref px, i), Vector512.LoadUnsafe(ref py, i), Vector512.LoadUnsafe(ref pz, i),
                    Vector512.LoadUnsafe(ref pw, i)).StoreUnsafe(ref pd, i);
        if (Vector256.IsHardwareAccelerated)
            for (; i + 8 <= n; i += 8)
                op.Invoke(Vector256.LoadUnsafe(ref px, i), Vector256.LoadUnsafe(ref py, i), Vector256.LoadUnsafe(ref pz, i),
                    Vector256.LoadUnsafe(ref pw, i)).StoreUnsafe(ref pd, i);
        for (; i < n; i++)
            Unsafe.Add(ref pd, i) = op.Invoke(Unsafe.Add(ref px, i), Unsafe.Add(ref py, i), Unsafe.Add(ref pz, i), Unsafe.Add(ref pw, i));
    }
}

/// <summary>Reductions sum_i f(x[i], y[i], z[i]) with float vector accumulators (deterministic for a given length).</summary>
internal static class SimdReduce
{
    public static float Sum<T>(T op, ReadOnlySpan<float> x, ReadOnlySpan<float> y, ReadOnlySpan<float> z) where T : struct, ITernaryOp
    {
        ref float px = ref MemoryMarshal.GetReference(x);
        ref float py = ref MemoryMarshal.GetReference(y);
        ref float pz = ref MemoryMarshal.GetReference(z);
        nuint n = (nuint)x.Length, i = 0;
        float s = 0f;
        if (Vector512.IsHardwareAccelerated && n >= 16)
        {
            var a = Vector512<float>.Zero;
            for (; i + 16 <= n; i += 16)
                a += op.Invoke(Vector512.LoadUnsafe(ref px, i), Vector512.LoadUnsafe(ref py, i), Vector512.LoadUnsafe(ref pz, i));
            s = Vector512.Sum(a);
        }
        else if (Vector256.IsHardwareAccelerated && n >= 8)
        {
            var a = Vector256<float>.Zero;
            for (; i + 8 <= n; i += 8)
                a += op.Invoke(Vector256.LoadUnsafe(ref px, i), Vector256.LoadUnsafe(ref py, i), Vector256.LoadUnsafe(ref pz, i));
            s = Vector256.Sum(a);
        }
        for (; i < n; i++) s += op.Invoke(Unsafe.Add(ref px, i), Unsafe.Add(ref py, i), Unsafe.Add(ref pz, i));
        return s;
    }

    /// <summary>sum_i f(x[i], y[i], z[i]) where each f is evaluated in float and summed in double.</summary>
    public static double SumDouble<T>(T op, ReadOnlySpan<float> x, ReadOnlySpan<float> y, ReadOnlySpan<float> z) where T : struct, ITernaryOp
    {
        ref float px = ref MemoryMarshal.GetReference(x);
        ref float py = ref MemoryMarshal.GetReference(y);
        ref float pz = ref MemoryMarshal.GetReference(z);
        nuint n = (nuint)x.Length, i = 0;
        double s = 0;
        if (Vector512.IsHardwareAccelerated && n >= 16)
        {
            Vector512<double> a0 = Vector512<double>.Zero, a1 = Vector512<double>.Zero;
            for (; i + 16 <= n; i += 16)
            {
                var (lo, hi) = Vector512.Widen(op.Invoke(Vector512.LoadUnsafe(ref px, i), Vector512.LoadUnsafe(ref py, i), Vector512.LoadUnsafe(ref pz, i)));
                a0 += lo; a1 += hi;
            }
            s = Vector512.Sum(a0 + a1);
        }
        else if (Vector256.IsHardwareAccelerated && n >= 8)
        {
            Vector256<double> a0 = Vector256<double>.Zero, a1 = Vector256<double>.Zero;
            for (; i + 8 <= n; i += 8)
            {
                var (lo, hi) = Vector256.Widen(op.Invoke(Vector256.LoadUnsafe(ref px, i), Vector256.LoadUnsafe(ref py, i), Vector256.LoadUnsafe(ref pz, i)));
                a0 += lo; a1 += hi;
            }
            s = Vector256.Sum(a0 + a1);
        }
        for (; i < n; i++) s += op.Invoke(Unsafe.Add(ref px, i), Unsafe.Add(ref py, i), Unsafe.Add(ref pz, i));
        return s;
    }
}
