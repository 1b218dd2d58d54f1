using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using NeuralSharp.Kernels;

namespace NeuralSharp.Onnx.Ops;

/// <summary>
/// The ONNX reductions over any set of axes of float, double, int32 and int64 tensors, walking the input once
/// in memory order (<see cref="ReducePlan"/>). Floating-point values accumulate in double (float sums of
/// contiguous runs through <see cref="Reduce.SumAll"/>, also in double; float maxima through <see cref="Reduce.Max"/>), integers in int64 with wrap-around
/// like NumPy; results are rounded back to the input type. Max and min propagate NaN.
/// </summary>
internal static class ReduceKernels
{
    /// <summary>Reduces the axes of <paramref name="x"/> flagged in <paramref name="reduced"/> (none flagged: each element alone).</summary>
    public static OnnxTensor Run(OnnxTensor x, ReadOnlySpan<bool> reduced, bool keepDims, ReduceKind kind)
    {
        var plan = ReducePlan.Create(x.Shape, reduced, keepDims);
        Array y = x.Data switch
        {
            float[] a => Floating(a, plan, kind),
            double[] a => Floating(a, plan, kind),
            int[] a => Integer(a, plan, kind),
            long[] a => Integer(a, plan, kind),
            _ => throw new InvalidOperationException($"Reduce{kind}: no kernel for {x}"),
        };
        return new OnnxTensor(x.ElementType, plan.OutputShape, y);
    }

    private static T[] Floating<T>(T[] x, ReducePlan plan, ReduceKind kind) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var acc = new double[plan.OutputLength];
        double[]? shift = null;
        switch (kind)
        {
            case ReduceKind.Sum or ReduceKind.Mean or ReduceKind.LogSum: Fold<T, double, SumStep<T>>(x, acc, null, plan); break;
            case ReduceKind.SumSquare or ReduceKind.L2: Fold<T, double, SquareStep<T>>(x, acc, null, plan); break;
            case ReduceKind.L1: Fold<T, double, AbsStep<T>>(x, acc, null, plan); break;
            case ReduceKind.Max: Fold<T, double, MaxStep<T>>(x, acc, null, plan); break;
            case ReduceKind.Min: Fold<T, double, MinStep<T>>(x, acc, null, plan); break;
            case ReduceKind.Prod: Fold<T, double, ProdStep<T>>(x, acc, null, plan); break;
            case ReduceKind.LogSumExp:
                // log Σ exp(x) = m + log Σ exp(x - m) with m the maximum, so that exp cannot overflow; an infinite
                // maximum (all -inf, an empty set, or some +inf) needs no shift: log Σ exp gives -inf or +inf itself.
                shift = new double[plan.OutputLength];
                Fold<T, double, MaxStep<T>>(x, shift, null, plan);
                for (int i = 0; i < shift.Length; i++) if (double.IsInfinity(shift[i])) shift[i] = 0;
                Fold<T, double, ExpStep<T>>(x, acc, shift, plan);
                break;
            default: throw new InvalidOperationException($"Reduce{kind}: unknown reduction");
        }
        var y = new T[acc.Length];
        for (int i = 0; i < y.Length; i++)
        {
            double v = acc[i];
            v = kind switch
            {
                ReduceKind.Mean => v / plan.Count,
                ReduceKind.L2 => Math.Sqrt(v),
                ReduceKind.LogSum => Math.Log(v),
                ReduceKind.LogSumExp => Math.Log(v) + shift![i],
                _ => v,
            };
            y[i] = T.CreateTruncating(v);
        }
        return y;
    }

    private static T[] Integer<T>(T[] x, ReducePlan plan, ReduceKind kind) where T : unmanaged, IBinaryInteger<T>, IMinMaxValue<T>
    {
        var acc = new long[plan.OutputLength];
        switch (kind)
        {
            case ReduceKind.Sum: Fold<T, long, IntSumStep<T>>(x, acc, null, plan); break;
            case ReduceKind.SumSquare: Fold<T, long, IntSquareStep<T>>(x, acc, null, plan); break;
            case ReduceKind.L1: Fold<T, long, IntAbsStep<T>>(x, acc, null, plan); break;
            case ReduceKind.Max: Fold<T, long, IntMaxStep<T>>(x, acc, null, plan); break;
            case ReduceKind.Min: Fold<T, long, IntMinStep<T>>(x, acc, null, plan); break;
            case ReduceKind.Prod: Fold<T, long, IntProdStep<T>>(x, acc, null, plan); break;
            default: throw new InvalidOperationException($"Reduce{kind}: no integer kernel");
        }
        var y = new T[acc.Length];
        for (int i = 0; i < y.Length; i++) y[i] = T.CreateTruncating(acc[i]);
        return y;
    }

    private static void Fold<T, TAcc, TStep>(T[] x, TAcc[] acc, TAcc[]? shift, ReducePlan plan)
        where T : unmanaged where TAcc : unmanaged where TStep : struct, IReduceStep<T, TAcc>
    {
        acc.AsSpan().Fill(TStep.Identity);
        var folder = new Folder<T, TAcc, TStep> { X = x, Acc = acc, Shift = shift, Inner = plan.Inner, InnerReduced = plan.InnerReduced };
        plan.ForEachRun(ref folder);
    }

    private struct Folder<T, TAcc, TStep> : IRunVisitor
        where T : unmanaged where TAcc : unmanaged where TStep : struct, IReduceStep<T, TAcc>
    {
        public T[] X;
        public TAcc[] Acc;
        public TAcc[]? Shift;
        public int Inner;
        public bool InnerReduced;

        public readonly void Run(int inOffset, int outOffset)
        {
            var x = X.AsSpan(inOffset, Inner);
            if (InnerReduced)
            {
                TAcc a = Acc[outOffset];
                if (typeof(TStep) == typeof(SumStep<float>))
                {
                    // The kernel sums widened to double in SIMD lanes: as accurate as the scalar loop, much faster.
                    Unsafe.As<TAcc, double>(ref a) += Reduce.SumAll(MemoryMarshal.Cast<T, float>(x));
                }
                else if (typeof(TStep) == typeof(SquareStep<float>))
                {
                    Unsafe.As<TAcc, double>(ref a) += Reduce.SumOfSquares(MemoryMarshal.Cast<T, float>(x));
                }
                else if (typeof(TStep) == typeof(MaxStep<float>))
                {
                    // NaN-propagating SIMD maximum; exact, so the same as the scalar loop.
                    ref double m = ref Unsafe.As<TAcc, double>(ref a);
                    m = Math.Max(m, Reduce.Max(MemoryMarshal.Cast<T, float>(x)));
                }
                else
                {
                    TAcc s = Shift == null ? default : Shift[outOffset];
                    foreach (var v in x) a = TStep.Step(a, v, s);
                }
                Acc[outOffset] = a;
            }
            else
            {
                var acc = Acc.AsSpan(outOffset, Inner);
                if (typeof(TStep) == typeof(SumStep<float>))
                    Widening.Add(MemoryMarshal.Cast<T, float>(x), MemoryMarshal.Cast<TAcc, double>(acc));
                else if (typeof(TStep) == typeof(MaxStep<float>))
                    Widening.Max(MemoryMarshal.Cast<T, float>(x), MemoryMarshal.Cast<TAcc, double>(acc));
                else if (typeof(TStep) == typeof(MinStep<float>))
                    Widening.Min(MemoryMarshal.Cast<T, float>(x), MemoryMarshal.Cast<TAcc, double>(acc));
                else if (Shift == null)
                    for (int i = 0; i < acc.Length; i++) acc[i] = TStep.Step(acc[i], x[i], default);
                else
                {
                    var shift = Shift.AsSpan(outOffset, Inner);
                    for (int i = 0; i < acc.Length; i++) acc[i] = TStep.Step(acc[i], x[i], shift[i]);
                }
            }
        }
    }
}

/// <summary>acc[i] += (double)x[i], widening in SIMD registers (the sums of a kept innermost axis).</summary>
file static class Widening
{
    public static void Add(ReadOnlySpan<float> x, Span<double> acc)
    {
        ref float xr = ref MemoryMarshal.GetReference(x);
        ref double ar = ref MemoryMarshal.GetReference(acc);
        int i = 0, n = x.Length;
        if (Vector512.IsHardwareAccelerated)
        {
            for (; i <= n - 16; i += 16)
            {
                var (lo, hi) = Vector512.Widen(Vector512.LoadUnsafe(ref xr, (nuint)i));
                (Vector512.LoadUnsafe(ref ar, (nuint)i) + lo).StoreUnsafe(ref ar, (nuint)i);
                (Vector512.LoadUnsafe(ref ar, (nuint)(i + 8)) + hi).StoreUnsafe(ref ar, (nuint)(i + 8));
            }
        }
        else if (Vector256.IsHardwareAccelerated)
        {
            for (; i <= n - 8; i += 8)
            {
                var (lo, hi) = Vector256.Widen(Vector256.LoadUnsafe(ref xr, (nuint)i));
                (Vector256.LoadUnsafe(ref ar, (nuint)i) + lo).StoreUnsafe(ref ar, (nuint)i);
                (Vector256.LoadUnsafe(ref ar, (nuint)(i + 4)) + hi).StoreUnsafe(ref ar, (nuint)(i + 4));
            }
        }
        for (; i < n; i++) acc[i] += x[i];
    }

    /// <summary>acc[i] = max(acc[i], x[i]), NaN-propagating like <see cref="Math.Max(double, double)"/> (so are the vector Max since .NET 9).</summary>
    public static void Max(ReadOnlySpan<float> x, Span<double> acc)
    {
        ref float xr = ref MemoryMarshal.GetReference(x);
        ref double ar = ref MemoryMarshal.GetReference(acc);
        int i = 0, n = x.Length;
        if (Vector512.IsHardwareAccelerated)
        {
            for (; i <= n - 16; i += 16)
            {
                var (lo, hi) = Vector512.Widen(Vector512.LoadUnsafe(ref xr, (nuint)i));
                Vector512.Max(Vector512.LoadUnsafe(ref ar, (nuint)i), lo).StoreUnsafe(ref ar, (nuint)i);
                Vector512.Max(Vector512.LoadUnsafe(ref ar, (nuint)(i + 8)), hi).StoreUnsafe(ref ar, (nuint)(i + 8));
            }
        }
        for (; i < n; i++) acc[i] = Math.Max(acc[i], x[i]);
    }

    /// <summary>acc[i] = min(acc[i], x[i]), NaN-propagating like <see cref="Math.Min(double, double)"/>.</summary>
    public static void Min(ReadOnlySpan<float> x, Span<double> acc)
    {
        ref float xr = ref MemoryMarshal.GetReference(x);
        ref double ar = ref MemoryMarshal.GetReference(acc);
        int i = 0, n = x.Length;
        if (Vector512.IsHardwareAccelerated)
        {
            for (; i <= n - 16; i += 16)
            {
                var (lo, hi) = Vector512.Widen(Vector512.LoadUnsafe(ref xr, (nuint)i));
                Vector512.Min(Vector512.LoadUnsafe(ref ar, (nuint)i), lo).StoreUnsafe(ref ar, (nuint)i);
                Vector512.Min(Vector512.LoadUnsafe(ref ar, (nuint)(i + 8)), hi).StoreUnsafe(ref ar, (nuint)(i + 8));
            }
        }
        for (; i < n; i++) acc[i] = Math.Min(acc[i], x[i]);
    }
}

/// <summary>The kinds of ONNX reduction (the operator name is <c>Reduce</c> + the kind).</summary>
internal enum ReduceKind { Sum, Mean, Max, Min, Prod, L1, L2, SumSquare, LogSum, LogSumExp }

/// <summary>One step of a reduction: acc ⊕ f(value), with a per-output shift (log-sum-exp's maximum).</summary>
internal interface IReduceStep<T, TAcc>
{
    /// <summary>The value of a reduction over nothing.</summary>
    static abstract TAcc Identity { get; }

    /// <summary>The accumulator after folding in <paramref name="value"/>.</summary>
    static abstract TAcc Step(TAcc acc, T value, TAcc shift);
}

internal readonly struct SumStep<T> : IReduceStep<T, double> where T : INumberBase<T>
{
    public static double Identity => 0;
    public static double Step(double acc, T value, double shift) => acc + double.CreateTruncating(value);
}

internal readonly struct SquareStep<T> : IReduceStep<T, double> where T : INumberBase<T>
{
    public static double Identity => 0;
    public static double Step(double acc, T value, double shift) { double v = double.CreateTruncating(value); return acc + v * v; }
}

internal readonly struct AbsStep<T> : IReduceStep<T, double> where T : INumberBase<T>
{
    public static double Identity => 0;
    public static double Step(double acc, T value, double shift) => acc + Math.Abs(double.CreateTruncating(value));
}

internal readonly struct ExpStep<T> : IReduceStep<T, double> where T : INumberBase<T>
{
    public static double Identity => 0;
    public static double Step(double acc, T value, double shift) => acc + Math.Exp(double.CreateTruncating(value) - shift);
}

internal readonly struct MaxStep<T> : IReduceStep<T, double> where T : INumberBase<T>
{
    public static double Identity => double.NegativeInfinity;
    public static double Step(double acc, T value, double shift) => Math.Max(acc, double.CreateTruncating(value));
}

internal readonly struct MinStep<T> : IReduceStep<T, double> where T : INumberBase<T>
{
    public static double Identity => double.PositiveInfinity;
    public static double Step(double acc, T value, double shift) => Math.Min(acc, double.CreateTruncating(value));
}

internal readonly struct ProdStep<T> : IReduceStep<T, double> where T : INumberBase<T>
{
    public static double Identity => 1;
    public static double Step(double acc, T value, double shift) => acc * double.CreateTruncating(value);
}

internal readonly struct IntSumStep<T> : IReduceStep<T, long> where T : IBinaryInteger<T>
{
    public static long Identity => 0;
    public static long Step(long acc, T value, long shift) => unchecked(acc + long.CreateTruncating(value));
}

internal readonly struct IntSquareStep<T> : IReduceStep<T, long> where T : IBinaryInteger<T>
{
    public static long Identity => 0;
    public static long Step(long acc, T value, long shift) { long v = long.CreateTruncating(value); return unchecked(acc + v * v); }
}

internal readonly struct IntAbsStep<T> : IReduceStep<T, long> where T : IBinaryInteger<T>
{
    public static long Identity => 0;
    public static long Step(long acc, T value, long shift) { long v = long.CreateTruncating(value); return unchecked(acc + (v < 0 ? -v : v)); }
}

internal readonly struct IntMaxStep<T> : IReduceStep<T, long> where T : IBinaryInteger<T>, IMinMaxValue<T>
{
    public static long Identity => long.CreateTruncating(T.MinValue);
    public static long Step(long acc, T value, long shift) => Math.Max(acc, long.CreateTruncating(value));
}

internal readonly struct IntMinStep<T> : IReduceStep<T, long> where T : IBinaryInteger<T>, IMinMaxValue<T>
{
    public static long Identity => long.CreateTruncating(T.MaxValue);
    public static long Step(long acc, T value, long shift) => Math.Min(acc, long.CreateTruncating(value));
}

internal readonly struct IntProdStep<T> : IReduceStep<T, long> where T : IBinaryInteger<T>
{
    public static long Identity => 1;
    public static long Step(long acc, T value, long shift) => unchecked(acc * long.CreateTruncating(value));
}
