using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

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
                // op(A)(i, p) = a[i * lda + p]: gather one value from each of `rows` rows per p.
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
    public static void PackB(float* b, nint ldb, bool transB, int p0, int j0, int kc, int nc, int nr, float* dst)
    {
        for (int jr = 0; jr < nc; jr += nr)
        {
            int cols = Math.Min(nr, nc - jr);
            if (transB)
            {
                // op(B)(p, j) = b[j * ldb + p]: column j of the sliver is row j of b.
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
