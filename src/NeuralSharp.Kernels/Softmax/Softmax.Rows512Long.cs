using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace NeuralSharp.Kernels;

// Legend: rows = outer (inner == 1), n = dim = row length (>= LongRow here), x/y = one row of input/output,
// c = chunk (a piece of a row of about Chunk floats), M/S = running maximum and sum of exp(x - M) over the chunks so far.
//
// Long contiguous rows with AVX-512, in L1-sized chunks. The three-pass row kernel (Softmax.Rows512.cs) needs the
// whole row plus the prefetched next row in L1, which a row of 4096+ floats overflows. Here the first pass walks the
// row chunk by chunk: the chunk maximum (x read from memory), then exp(x - shift) and its sum from L1 (softmax also
// stores the terms into y), with shift = the running maximum including this chunk; the chunk sum joins the running
// sum rescaled by one scalar exp per chunk (the online softmax of Milakov & Gimelshein, per chunk instead of per
// element, so the vector loops still evaluate one exp per element). The second pass reads the row back from L1/L2:
// softmax multiplies each chunk of y by exp(shift_c - M) / S, log-softmax writes y = x - M - ln S.
// While a chunk is exponentiated (compute-bound) the next chunk of x and y, a fixed Chunk floats ahead in the flat
// array (so into the next row at the end of a row), is prefetched: memory streams at a steady distance. The second
// pass (L1/L2-bound) prefetches the next row further on (a quarter line per line it writes), so memory stays busy.
// Streaming (log-softmax whose output is at least StreamingBytes, far beyond the caches): the second pass writes y with
// non-temporal stores, so memory sees y written once instead of read for ownership and then written back, and the
// first pass does not prefetch y but fetches x two chunks ahead; the row is then fenced (sfence) so the stores are
// visible to whichever thread reads y next. Softmax writes its terms in the first pass and rescales them in L1, where
// streaming stores would not help.
// Special values: a shift of -inf (all of the row so far is -inf) computes the chunk against float.MaxValue
// (terms 0) and is kept as -inf, so the chunk scales by exp(-inf - M) = 0 later; an all -inf row ends with S = 0 and
// gives NaN like the three-pass kernel; NaN or a +inf maximum turns the running sum into NaN and poisons the row.
public static partial class Softmax
{
    /// <summary>Rows at least this long take the chunked path.</summary>
    internal const int LongRow = 2048;

    /// <summary>Chunk length in floats (a multiple of 64): chunk x and y plus the next chunk's fit L1 with room.</summary>
    private const int Chunk = 1024;

    /// <summary>Most chunks per row kept on the stack (softmax keeps each chunk's shift); longer rows use longer chunks.</summary>
    private const int MaxChunks = 256;

    /// <summary>
    /// Log-softmax outputs of at least this many bytes are streamed (see the file comment): beyond the L2s and half of a
    /// 32 MiB L3, the output would be evicted before its reader comes anyway. On one thread over rows of 4096 out of
    /// cache, streaming raised log-softmax from ~0.76x to ~0.88x of a copy's bandwidth (interleaved runs).
    /// </summary>
    internal const long StreamingBytes = 16L << 20;

    /// <summary>Whether a log-softmax writing <paramref name="elements"/> floats to <paramref name="y"/> streams its output.</summary>
    private static unsafe bool Streams(long elements, float* y) => elements * sizeof(float) >= StreamingBytes && ((nint)y & 3) == 0;

    private static unsafe void ForwardLongRows512(ReadOnlySpan<float> x, Span<float> y, int rows, int dim, bool log, bool stream)
    {
        nuint n = (nuint)dim, cl = ChunkLength(n);
        float* shifts = stackalloc float[MaxChunks];
        fixed (float* px = &MemoryMarshal.GetReference(x), py = &MemoryMarshal.GetReference(y))
            for (int r = 0; r < rows; r++)
            {
                nuint b = (nuint)r * n;
                if (log) LogForwardLongRow512(px + b, py + b, n, cl, stream);
                else ForwardLongRow512(px + b, py + b, n, cl, shifts);
            }
    }

    /// <summary>Chunk length for rows of n floats: Chunk, or longer (a multiple of 64) so that at most MaxChunks chunks remain.</summary>
    private static nuint ChunkLength(nuint n)
    {
        nuint c = (n + MaxChunks - 1) / MaxChunks;
        c = (c + 63) & ~(nuint)63;
        return c < Chunk ? Chunk : c;
    }

    /// <summary>End of the chunk starting at i: a remainder shorter than 16 floats joins the last chunk.</summary>
    private static nuint ChunkEnd(nuint i, nuint n, nuint cl) => n - i < cl + 16 ? n : i + cl;

    /// <summary>Softmax over one row of n &gt;= LongRow floats in chunks of cl (see the file comment).</summary>
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static unsafe void ForwardLongRow512(float* x, float* y, nuint n, nuint cl, float* shifts)
    {
        float m = float.NegativeInfinity, s = 0f;
        int k = 0;
        for (nuint i = 0; i < n; k++)
        {
            nuint e = ChunkEnd(i, n, cl);
            float sh = MathF.Max(m, RowMax512(x + i, e - i));
            float sc = ExpSumChunk512(x + i, y + i, e - i, float.IsNegativeInfinity(sh) ? float.MaxValue : sh, cl, store: true, prefetchY: true);
            s = s * (sh == m ? 1f : MathF.Exp(m - sh)) + sc;
            m = sh;
            shifts[k] = sh;
            i = e;
        }
        float inv = 1f / s;
        k = 0;
        for (nuint i = 0; i < n; k++)
        {
            nuint e = ChunkEnd(i, n, cl);
            float f = shifts[k] == m ? inv : MathF.Exp(shifts[k] - m) * inv;
            ScaleChunk512(y + i, e - i, f, x + n + cl + i / 4, y + n + cl + i / 4);
            i = e;
        }
    }

    /// <summary>Log-softmax over one row of n &gt;= LongRow floats in chunks of cl, streaming y or not (see the file comment).</summary>
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static unsafe void LogForwardLongRow512(float* x, float* y, nuint n, nuint cl, bool stream)
    {
        float m = float.NegativeInfinity, s = 0f;
        for (nuint i = 0; i < n;)
        {
            nuint e = ChunkEnd(i, n, cl);
            float sh = MathF.Max(m, RowMax512(x + i, e - i));
            float sc = ExpSumChunk512(x + i, y + i, e - i, float.IsNegativeInfinity(sh) ? float.MaxValue : sh, stream ? 2 * cl : cl,
                store: false, prefetchY: !stream);
            s = s * (sh == m ? 1f : MathF.Exp(m - sh)) + sc;
            m = sh;
            i = e;
        }
        var max = Vector512.Create(m);
        // Two subtractions, not x - (max + ln sum): max + ln sum would round to the precision of a large max.
        var ls = Vector512.Create(FastMath.Log(s));
        nuint t = n - 16, j = 0;
        var yLast = Vector512.Load(x + t) - max - ls;
        float* pfx = x + n + cl, pfy = y + n + cl;
        if (stream)
        {
            StreamLogRow(x, y, n, max, ls, pfx);
            yLast.Store(y + t);
            return;
        }
        for (; j + 64 <= n; j += 64)
        {
            Sse.Prefetch0(pfx + j / 4);
            Sse.Prefetch0(pfy + j / 4);
            (Vector512.Load(x + j) - max - ls).Store(y + j);
            (Vector512.Load(x + j + 16) - max - ls).Store(y + j + 16);
            (Vector512.Load(x + j + 32) - max - ls).Store(y + j + 32);
            (Vector512.Load(x + j + 48) - max - ls).Store(y + j + 48);
        }
        for (; j + 16 <= n; j += 16) (Vector512.Load(x + j) - max - ls).Store(y + j);
        yLast.Store(y + t);
    }

    /// <summary>
    /// y = x - max - ls over one row of n &gt;= 16 floats with non-temporal stores, except the overlapping last vector,
    /// which the caller stores. The stores start at the first 64-byte boundary of y; the head before it is stored
    /// normally after the loop (from values computed first, so y may alias x). Prefetches pfx as the normal pass does.
    /// </summary>
    private static unsafe void StreamLogRow(float* x, float* y, nuint n, Vector512<float> max, Vector512<float> ls, float* pfx)
    {
        var head = Vector512.Load(x) - max - ls;
        nuint j = (nuint)((64 - ((nint)y & 63)) & 63) / sizeof(float);
        for (; j + 64 <= n; j += 64)
        {
            Sse.Prefetch0(pfx + j / 4);
            Avx512F.StoreAlignedNonTemporal(y + j, Vector512.Load(x + j) - max - ls);
            Avx512F.StoreAlignedNonTemporal(y + j + 16, Vector512.Load(x + j + 16) - max - ls);
            Avx512F.StoreAlignedNonTemporal(y + j + 32, Vector512.Load(x + j + 32) - max - ls);
            Avx512F.StoreAlignedNonTemporal(y + j + 48, Vector512.Load(x + j + 48) - max - ls);
        }
        for (; j + 16 <= n; j += 16) Avx512F.StoreAlignedNonTemporal(y + j, Vector512.Load(x + j) - max - ls);
        // Non-temporal stores are weakly ordered: fence them before the row is handed on (to another thread, maybe).
        Sse.StoreFence();
        head.Store(y);
    }

    /// <summary>
    /// Returns sum(exp(x - shift)) over one chunk of n &gt;= 16 floats, storing the terms into y when asked; prefetches
    /// x, and y when asked, pf floats ahead (the next chunk or the one after).
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static unsafe float ExpSumChunk512(float* x, float* y, nuint n, float shift, nuint pf, bool store, bool prefetchY)
    {
        var max = Vector512.Create(shift);
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
            // y too, also for log-softmax (which writes it in the second pass): the write misses are then L1/L2 hits.
            if (prefetchY)
            {
                Sse.Prefetch0(y + i + pf);
                Sse.Prefetch0(y + i + pf + 16);
                Sse.Prefetch0(y + i + pf + 32);
                Sse.Prefetch0(y + i + pf + 48);
            }
            if (store)
            {
                e0.Store(y + i);
                e1.Store(y + i + 16);
                e2.Store(y + i + 32);
                e3.Store(y + i + 48);
            }
            s0 += e0; s1 += e1; s2 += e2; s3 += e3;
        }
        for (; i + 16 <= n; i += 16)
        {
            var e = ExpRow(Vector512.Load(x + i) - max);
            if (store) e.Store(y + i);
            s0 += e;
        }
        s1 += eLast & TailMask(i - t);
        if (store) eLast.Store(y + t);
        return Vector512.Sum((s0 + s1) + (s2 + s3));
    }

    /// <summary>
    /// y *= f over one chunk of n &gt;= 16 floats (the overlapping last vector is loaded first, stored last); prefetches
    /// one line of pfx and of pfy per 4 lines of y.
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static unsafe void ScaleChunk512(float* y, nuint n, float f, float* pfx, float* pfy)
    {
        var vf = Vector512.Create(f);
        nuint t = n - 16, i = 0;
        var yLast = Vector512.Load(y + t) * vf;
        for (; i + 64 <= n; i += 64)
        {
            Sse.Prefetch0(pfx + i / 4);
            Sse.Prefetch0(pfy + i / 4);
            (Vector512.Load(y + i) * vf).Store(y + i);
            (Vector512.Load(y + i + 16) * vf).Store(y + i + 16);
            (Vector512.Load(y + i + 32) * vf).Store(y + i + 32);
            (Vector512.Load(y + i + 48) * vf).Store(y + i + 48);
        }
        for (; i + 16 <= n; i += 16) (Vector512.Load(y + i) * vf).Store(y + i);
        yLast.Store(y + t);
    }
}
