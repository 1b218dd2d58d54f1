using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace NeuralSharp.Kernels;

// Legend: rows = outer (inner == 1), n = dim = row length (>= 16 here), x/y = one row of input/output.
//
// Contiguous rows with AVX-512 shorter than LongRow (longer rows: Softmax.Rows512Long.cs, in L1-sized chunks).
// Per row: pass 1 reads x for the maximum (one max per 16 floats), pass 2 reads x
// again for exp(x - max) (and, for softmax, writes it to y) and its sum, pass 3 writes y. A row of up to a few
// thousand floats stays in L1/L2 between the passes, so memory sees one read of x and one write of y; the two
// later passes are compute-bound, so they prefetch the next row's x (pass 2) and y (pass 3) to keep DRAM busy
// meanwhile. Exp (ExpRow below) is evaluated once per element (an online max/sum would need a second exp or rescaling).
// Tails: the last 16 floats are handled as one vector overlapping the previous one, loaded before any store
// (so y may alias x) and stored after the loop (rewriting identical values); its overlapping lanes are
// masked out of the sum. The maximum needs no masking (max is idempotent). A NaN (or a ±inf maximum) need not
// reach the maximum: it turns exp(x - max) and so the sum into NaN, which poisons the whole row.
// The row kernels here and in Softmax.Rows512Long.cs are NoInlining | AggressiveOptimization, like the other hot
// kernels (why: the comment on KernelThreads.InvokeStruct).
public static partial class Softmax
{
    internal static bool UseRows512 => Vector512.IsHardwareAccelerated && Avx512F.IsSupported;

    private static unsafe void ForwardRows512(ReadOnlySpan<float> x, Span<float> y, int rows, int dim)
    {
        if (dim >= LongRow) { ForwardLongRows512(x, y, rows, dim, log: false, stream: false); return; }
        fixed (float* px = &MemoryMarshal.GetReference(x), py = &MemoryMarshal.GetReference(y))
            for (int r = 0; r < rows; r++)
            {
                nuint b = (nuint)r * (nuint)dim;
                ForwardRow512(px + b, py + b, (nuint)dim, r + 1 < rows ? (nuint)dim : 0);
            }
    }

    /// <summary>Log-softmax rows; <paramref name="stream"/>: write y with non-temporal stores (long rows only, see Softmax.Rows512Long.cs).</summary>
    private static unsafe void LogForwardRows512(ReadOnlySpan<float> x, Span<float> y, int rows, int dim, bool stream)
    {
        if (dim >= LongRow) { ForwardLongRows512(x, y, rows, dim, log: true, stream); return; }
        fixed (float* px = &MemoryMarshal.GetReference(x), py = &MemoryMarshal.GetReference(y))
            for (int r = 0; r < rows; r++)
            {
                nuint b = (nuint)r * (nuint)dim;
                LogForwardRow512(px + b, py + b, (nuint)dim, r + 1 < rows ? (nuint)dim : 0);
            }
    }

    /// <summary>y = exp(x - max) / sum over one row of n &gt;= 16 floats; pf = prefetch distance (the next row), or 0.</summary>
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static unsafe void ForwardRow512(float* x, float* y, nuint n, nuint pf)
    {
        var max = Vector512.Create(RowMax512(x, n));
        nuint t = n - 16, i = 0;
        var eLast = ExpRow(Vector512.Load(x + t) - max);
        Vector512<float> s0 = default, s1 = default, s2 = default, s3 = default;
        for (; i + 64 <= n; i += 64)
        {
            Sse.Prefetch0(x + i + pf);
            Sse.Prefetch0(x + i + pf + 16);
            Sse.Prefetch0(x + i + pf + 32);
            Sse.Prefetch0(x + i + pf + 48);
            var e0 = Vector512.Load(x + i) - max;
            var e1 = Vector512.Load(x + i + 16) - max;
            var e2 = Vector512.Load(x + i + 32) - max;
            var e3 = Vector512.Load(x + i + 48) - max;
            ExpRow4(ref e0, ref e1, ref e2, ref e3);
            e0.Store(y + i);
            e1.Store(y + i + 16);
            e2.Store(y + i + 32);
            e3.Store(y + i + 48);
            s0 += e0; s1 += e1; s2 += e2; s3 += e3;
        }
        for (; i + 16 <= n; i += 16)
        {
            var e = ExpRow(Vector512.Load(x + i) - max);
            e.Store(y + i);
            s0 += e;
        }
        s1 += eLast & TailMask(i - t);
        eLast.Store(y + t);
        var inv = Vector512.Create(1f / Vector512.Sum((s0 + s1) + (s2 + s3)));
        var yLast = Vector512.Load(y + t) * inv;
        for (i = 0; i + 64 <= n; i += 64)
        {
            Sse.Prefetch0(y + i + pf);
            Sse.Prefetch0(y + i + pf + 16);
            Sse.Prefetch0(y + i + pf + 32);
            Sse.Prefetch0(y + i + pf + 48);
            (Vector512.Load(y + i) * inv).Store(y + i);
            (Vector512.Load(y + i + 16) * inv).Store(y + i + 16);
            (Vector512.Load(y + i + 32) * inv).Store(y + i + 32);
            (Vector512.Load(y + i + 48) * inv).Store(y + i + 48);
        }
        for (; i + 16 <= n; i += 16) (Vector512.Load(y + i) * inv).Store(y + i);
        yLast.Store(y + t);
    }

    /// <summary>y = x - max - ln(sum(exp(x - max))) over one row of n &gt;= 16 floats; pf as in <see cref="ForwardRow512"/>.</summary>
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    internal static unsafe void LogForwardRow512(float* x, float* y, nuint n, nuint pf)
    {
        var max = Vector512.Create(RowMax512(x, n));
        nuint t = n - 16, i = 0;
        Vector512<float> s0 = default, s1 = default, s2 = default, s3 = default;
        for (; i + 64 <= n; i += 64)
        {
            Sse.Prefetch0(x + i + pf);
            Sse.Prefetch0(x + i + pf + 16);
            Sse.Prefetch0(x + i + pf + 32);
            Sse.Prefetch0(x + i + pf + 48);
            var e0 = Vector512.Load(x + i) - max;
            var e1 = Vector512.Load(x + i + 16) - max;
            var e2 = Vector512.Load(x + i + 32) - max;
            var e3 = Vector512.Load(x + i + 48) - max;
            ExpRow4(ref e0, ref e1, ref e2, ref e3);
            s0 += e0; s1 += e1; s2 += e2; s3 += e3;
        }
        for (; i + 16 <= n; i += 16) s0 += ExpRow(Vector512.Load(x + i) - max);
        s1 += ExpRow(Vector512.Load(x + t) - max) & TailMask(i - t);
        // Two subtractions, not x - (max + ln sum): max + ln sum would round to the precision of a large max.
        var ls = Vector512.Create(FastMath.Log(Vector512.Sum((s0 + s1) + (s2 + s3))));
        var yLast = Vector512.Load(x + t) - max - ls;
        for (i = 0; i + 64 <= n; i += 64)
        {
            Sse.Prefetch0(y + i + pf);
            Sse.Prefetch0(y + i + pf + 16);
            Sse.Prefetch0(y + i + pf + 32);
            Sse.Prefetch0(y + i + pf + 48);
            (Vector512.Load(x + i) - max - ls).Store(y + i);
            (Vector512.Load(x + i + 16) - max - ls).Store(y + i + 16);
            (Vector512.Load(x + i + 32) - max - ls).Store(y + i + 32);
            (Vector512.Load(x + i + 48) - max - ls).Store(y + i + 48);
        }
        for (; i + 16 <= n; i += 16) (Vector512.Load(x + i) - max - ls).Store(y + i);
        yLast.Store(y + t);
    }

    /// <summary>Maximum of n &gt;= 16 floats (NaN lanes may or may not win; see the file comment).</summary>
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static unsafe float RowMax512(float* x, nuint n)
    {
        var m0 = Vector512.Load(x + n - 16);
        Vector512<float> m1 = m0, m2 = m0, m3 = m0;
        nuint i = 0;
        for (; i + 64 <= n; i += 64)
        {
            m0 = Avx512F.Max(m0, Vector512.Load(x + i));
            m1 = Avx512F.Max(m1, Vector512.Load(x + i + 16));
            m2 = Avx512F.Max(m2, Vector512.Load(x + i + 32));
            m3 = Avx512F.Max(m3, Vector512.Load(x + i + 48));
        }
        for (; i + 16 <= n; i += 16) m0 = Avx512F.Max(m0, Vector512.Load(x + i));
        var m = Avx512F.Max(Avx512F.Max(m0, m1), Avx512F.Max(m2, m3));
        var h = Avx.Max(m.GetLower(), m.GetUpper());
        var q = Sse.Max(h.GetLower(), h.GetUpper());
        q = Sse.Max(q, Sse.Shuffle(q, q, 0b_01_00_11_10));
        q = Sse.Max(q, Sse.Shuffle(q, q, 0b_10_11_00_01));
        return q.ToScalar();
    }

    // exp for the row kernels, whose arguments are x - max <= 0 (or NaN): no overflow clamp, ln 2 in one constant
    // (the range-reduction error n * 1.9e-9 stays below 3e-7 relative even at the underflow end, where the terms
    // no longer matter), and a degree-5 minimax polynomial for e^r on [-ln2/2, ln2/2] (1.4e-7 relative with
    // these float coefficients). 7 FMAs instead of FastMath.Exp's 10: this is the hot loop. Clamping at -104
    // keeps -inf from turning into NaN (it gives 0); max returns its second operand for a NaN, so NaN propagates.
    private const float RowExpLo = -104f, RowLog2E = 1.44269504088896341f, RowLn2 = 0.693147182464599609375f;
    private const float RowRound = 12582912f; // 1.5 * 2^23: adding it rounds to an integer
    private const float C0 = 1.0000001192092896f, C1 = 0.9999997019767761f, C2 = 0.49998894333839417f;
    private const float C3 = 0.16667574644088745f, C4 = 0.04191538318991661f, C5 = 0.008297654800117016f;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<float> ExpRow(Vector512<float> x)
    {
        var xc = Avx512F.Max(Vector512.Create(RowExpLo), x);
        var nf = Vector512.FusedMultiplyAdd(xc, Vector512.Create(RowLog2E), Vector512.Create(RowRound)) - Vector512.Create(RowRound);
        var r = Vector512.FusedMultiplyAdd(nf, Vector512.Create(-RowLn2), xc);
        var p = Vector512.FusedMultiplyAdd(Vector512.Create(C5), r, Vector512.Create(C4));
        p = Vector512.FusedMultiplyAdd(p, r, Vector512.Create(C3));
        p = Vector512.FusedMultiplyAdd(p, r, Vector512.Create(C2));
        p = Vector512.FusedMultiplyAdd(p, r, Vector512.Create(C1));
        p = Vector512.FusedMultiplyAdd(p, r, Vector512.Create(C0));
        return Avx512F.Scale(p, nf);
    }

    /// <summary>
    /// <see cref="ExpRow"/> of four vectors in place, stage by stage across the four. Same operations, same results;
    /// written out because each exp is a chain of ~40 cycles of latency: in this order the independent work of the
    /// four chains sits side by side in the instruction stream, where the out-of-order window finds it, and the loops
    /// run ~15% faster than with four ExpRow calls one after another (measured on Zen 5).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void ExpRow4(ref Vector512<float> a, ref Vector512<float> b, ref Vector512<float> c, ref Vector512<float> d)
    {
        var lo = Vector512.Create(RowExpLo);
        a = Avx512F.Max(lo, a); b = Avx512F.Max(lo, b); c = Avx512F.Max(lo, c); d = Avx512F.Max(lo, d);
        var l2e = Vector512.Create(RowLog2E);
        var rnd = Vector512.Create(RowRound);
        var na = Vector512.FusedMultiplyAdd(a, l2e, rnd) - rnd;
        var nb = Vector512.FusedMultiplyAdd(b, l2e, rnd) - rnd;
        var nc = Vector512.FusedMultiplyAdd(c, l2e, rnd) - rnd;
        var nd = Vector512.FusedMultiplyAdd(d, l2e, rnd) - rnd;
        var ln2 = Vector512.Create(-RowLn2);
        a = Vector512.FusedMultiplyAdd(na, ln2, a); b = Vector512.FusedMultiplyAdd(nb, ln2, b);
        c = Vector512.FusedMultiplyAdd(nc, ln2, c); d = Vector512.FusedMultiplyAdd(nd, ln2, d);
        var k = Vector512.Create(C5);
        var k1 = Vector512.Create(C4);
        var pa = Vector512.FusedMultiplyAdd(k, a, k1); var pb = Vector512.FusedMultiplyAdd(k, b, k1);
        var pc = Vector512.FusedMultiplyAdd(k, c, k1); var pd = Vector512.FusedMultiplyAdd(k, d, k1);
        Horner4(ref pa, ref pb, ref pc, ref pd, a, b, c, d, C3);
        Horner4(ref pa, ref pb, ref pc, ref pd, a, b, c, d, C2);
        Horner4(ref pa, ref pb, ref pc, ref pd, a, b, c, d, C1);
        Horner4(ref pa, ref pb, ref pc, ref pd, a, b, c, d, C0);
        a = Avx512F.Scale(pa, na); b = Avx512F.Scale(pb, nb); c = Avx512F.Scale(pc, nc); d = Avx512F.Scale(pd, nd);
    }

    /// <summary>One Horner step p = p * r + k for four independent (p, r) pairs.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Horner4(ref Vector512<float> pa, ref Vector512<float> pb, ref Vector512<float> pc, ref Vector512<float> pd,
        Vector512<float> ra, Vector512<float> rb, Vector512<float> rc, Vector512<float> rd, float k)
    {
        var vk = Vector512.Create(k);
        pa = Vector512.FusedMultiplyAdd(pa, ra, vk); pb = Vector512.FusedMultiplyAdd(pb, rb, vk);
        pc = Vector512.FusedMultiplyAdd(pc, rc, vk); pd = Vector512.FusedMultiplyAdd(pd, rd, vk);
    }

    /// <summary>
    /// Cross-entropy gradient over one row of n &gt;= 16 floats: dl += a exp(lp) - c (lp &lt;= 0, log-probabilities).
    /// The loop starts where dl is 64-byte aligned, so its loads and stores of dl do not straddle cache lines (rows of
    /// an unaligned array, or rows whose length is not a multiple of 16: 26-39% faster out of cache). The first and the
    /// last 16 floats, which overlap the loop, are computed from the original dl before it and stored after it; every
    /// element is computed alone, so the bits do not depend on the alignment.
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    internal static unsafe void CeGradRow512(float* lp, float* dl, nuint n, float a, float c)
    {
        var va = Vector512.Create(a);
        var vc = Vector512.Create(c);
        nuint t = n - 16;
        var first = Vector512.FusedMultiplyAdd(va, ExpRow(Vector512.Load(lp)), Vector512.Load(dl) - vc);
        var last = Vector512.FusedMultiplyAdd(va, ExpRow(Vector512.Load(lp + t)), Vector512.Load(dl + t) - vc);
        // Floats before dl's first 64-byte boundary (none if dl is not even float-aligned: then no boundary is reachable).
        nuint i = ((nint)dl & 3) == 0 ? (nuint)((64 - ((nint)dl & 63)) & 63) / sizeof(float) : 0;
        for (; i + 32 <= n; i += 32)
        {
            var g0 = Vector512.FusedMultiplyAdd(va, ExpRow(Vector512.Load(lp + i)), Vector512.Load(dl + i) - vc);
            var g1 = Vector512.FusedMultiplyAdd(va, ExpRow(Vector512.Load(lp + i + 16)), Vector512.Load(dl + i + 16) - vc);
            g0.Store(dl + i);
            g1.Store(dl + i + 16);
        }
        for (; i + 16 <= n; i += 16)
            Vector512.FusedMultiplyAdd(va, ExpRow(Vector512.Load(lp + i)), Vector512.Load(dl + i) - vc).Store(dl + i);
        first.Store(dl);
        last.Store(dl + t);
    }

    /// <summary>All-ones in lanes l &gt;= skip, zero below: the lanes of the overlapping last vector not yet covered.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<float> TailMask(nuint skip) =>
        Vector512.GreaterThanOrEqual(Vector512<int>.Indices, Vector512.Create((int)skip)).AsSingle();
}
