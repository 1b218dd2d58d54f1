using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace NeuralSharp.Kernels;

// Legend: op(A) is M x K, op(B) is K x N (row-major, leading dimensions lda, ldb); a block of op(A) is
// mc x kc starting at (i0, p0), a block of op(B) is kc x nc starting at (p0, j0); mr, nr the register tile.

/// <summary>
/// Packs blocks of op(A) and op(B) into the contiguous, zero-padded slivers the micro-kernels read:
/// A as ceil(mc/mr) slivers of kc x mr values (element (r, p) at p * mr + r), B as ceil(nc/nr) slivers of
/// kc x nr values (element (p, j) at p * nr + j). Padding rows/columns are zero so edge tiles compute
/// the same FMA chains as full ones.
/// </summary>
internal static unsafe class GemmPacking
{
    /// <summary>Packs op(A)[i0 .. i0+mc, p0 .. p0+kc] into <paramref name="dst"/> (ceil(mc/mr) * mr * kc floats).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void PackA(float* a, nint lda, bool transA, int i0, int p0, int mc, int kc, int mr, float* dst)
    {
        for (int ir = 0; ir < mc; ir += mr)
        {
            int rows = Math.Min(mr, mc - ir);
            if (transA)
            {
                // op(A)(i, p) = a[p * lda + i]: each p gives `rows` contiguous values.
                float* src = a + (nint)p0 * lda + i0 + ir;
                for (int p = 0; p < kc; p++, src += lda)
                {
                    float* d = dst + (nint)p * mr;
                    int r = 0;
                    for (; r < rows; r++) d[r] = src[r];
                    for (; r < mr; r++) d[r] = 0f;
                }
            }
            else
            {
                // op(A)(i, p) = a[i * lda + p]: the sliver is the transpose of `rows` rows of a.
                if (rows == mr && CanTranspose4(mr))
                {
                    TransposeRows(a + (nint)(i0 + ir) * lda + p0, lda, kc, mr, dst);
                    dst += (nint)mr * kc;
                    continue;
                }
                for (int r = 0; r < rows; r++)
                {
                    float* src = a + (nint)(i0 + ir + r) * lda + p0;
                    float* d = dst + r;
                    for (int p = 0; p < kc; p++) d[(nint)p * mr] = src[p];
                }
                for (int r = rows; r < mr; r++)
                    for (int p = 0; p < kc; p++) dst[(nint)p * mr + r] = 0f;
            }
            dst += (nint)mr * kc;
        }
    }

    /// <summary>Packs op(B)[p0 .. p0+kc, j0 .. j0+nc] into <paramref name="dst"/> (ceil(nc/nr) * nr * kc floats).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void PackB(float* b, nint ldb, bool transB, int p0, int j0, int kc, int nc, int nr, float* dst)
    {
        for (int jr = 0; jr < nc; jr += nr)
        {
            int cols = Math.Min(nr, nc - jr);
            if (transB)
            {
                // op(B)(p, j) = b[j * ldb + p]: the sliver is the transpose of `cols` rows of b.
                if (cols == nr && CanTranspose4(nr))
                    TransposeRows(b + (nint)(j0 + jr) * ldb + p0, ldb, kc, nr, dst);
                else
                {
                    for (int j = 0; j < cols; j++)
                    {
                        float* src = b + (nint)(j0 + jr + j) * ldb + p0;
                        float* d = dst + j;
                        for (int p = 0; p < kc; p++) d[(nint)p * nr] = src[p];
                    }
                    for (int j = cols; j < nr; j++)
                        for (int p = 0; p < kc; p++) dst[(nint)p * nr + j] = 0f;
                }
            }
            else
            {
                // op(B)(p, j) = b[p * ldb + j]: each p gives `cols` contiguous values.
                float* src = b + (nint)p0 * ldb + j0 + jr;
                for (int p = 0; p < kc; p++, src += ldb)
                    CopyPadded(src, dst + (nint)p * nr, cols, nr);
            }
            dst += (nint)nr * kc;
        }
    }

    private static bool CanTranspose4(int width) => Sse.IsSupported && width % 4 == 0;

    /// <summary>dst[p * width + r] = src[r * ld + p] for r &lt; width, p &lt; kc: 4 x 4 SSE transposes.</summary>
    private static void TransposeRows(float* src, nint ld, int kc, int width, float* dst)
    {
        int p = 0;
        // 16 p at a time: each source row is read a whole cache line at once (rows may be 4 KiB apart and alias).
        for (; p + 16 <= kc; p += 16)
            for (int r = 0; r < width; r += 4)
                for (int q = 0; q < 16; q += 4)
                    Transpose4x4(src + r * ld + p + q, ld, dst + (nint)(p + q) * width + r, width);
        for (; p + 4 <= kc; p += 4)
            for (int r = 0; r < width; r += 4)
                Transpose4x4(src + r * ld + p, ld, dst + (nint)p * width + r, width);
        for (; p < kc; p++)
            for (int r = 0; r < width; r++) dst[(nint)p * width + r] = src[r * ld + p];
    }

    /// <summary>d[q * width + i] = s[i * ld + q] for i, q &lt; 4.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Transpose4x4(float* s, nint ld, float* d, int width)
    {
        Vector128<float> r0 = Vector128.Load(s), r1 = Vector128.Load(s + ld);
        Vector128<float> r2 = Vector128.Load(s + 2 * ld), r3 = Vector128.Load(s + 3 * ld);
        Vector128<float> t0 = Sse.UnpackLow(r0, r1), t1 = Sse.UnpackLow(r2, r3);   // a0 b0 a1 b1 | c0 d0 c1 d1
        Vector128<float> t2 = Sse.UnpackHigh(r0, r1), t3 = Sse.UnpackHigh(r2, r3); // a2 b2 a3 b3 | c2 d2 c3 d3
        Vector128.Store(Sse.MoveLowToHigh(t0, t1), d);
        Vector128.Store(Sse.MoveHighToLow(t1, t0), d + width);
        Vector128.Store(Sse.MoveLowToHigh(t2, t3), d + 2 * width);
        Vector128.Store(Sse.MoveHighToLow(t3, t2), d + 3 * width);
    }

    /// <summary>Copies <paramref name="count"/> floats and zero-fills up to <paramref name="width"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void CopyPadded(float* src, float* dst, int count, int width)
    {
        int j = 0;
        if (Vector512.IsHardwareAccelerated)
            for (; j + 16 <= count; j += 16) Vector512.Store(Vector512.Load(src + j), dst + j);
        else if (Vector256.IsHardwareAccelerated)
            for (; j + 8 <= count; j += 8) Vector256.Store(Vector256.Load(src + j), dst + j);
        for (; j < count; j++) dst[j] = src[j];
        for (; j < width; j++) dst[j] = 0f;
    }
}
