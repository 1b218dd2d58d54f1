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
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
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
                    CopyPadded(src, dst + (nint)p * mr, rows, mr);
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
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
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

    /// <summary>dst[p * width + r] = src[r * ld + p] for r &lt; width, p &lt; kc: 16 x 16 AVX-512 or 4 x 4 SSE transposes.</summary>
    private static void TransposeRows(float* src, nint ld, int kc, int width, float* dst)
    {
        int p = 0;
        if (Avx512F.IsSupported && width % 16 == 0)
        {
            // B's 32-wide slivers (NT products): whole 16 x 16 blocks in registers, half the shuffles and a quarter of
            // the loads and stores of the 4 x 4 SSE blocks.
            for (; p + 16 <= kc; p += 16)
                for (int r = 0; r < width; r += 16)
                    Transpose16x16(src + r * ld + p, ld, dst + (nint)p * width + r, width);
        }
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

    /// <summary>d[q * width + i] = s[i * ld + q] for i, q &lt; 16 (unpack pairs, 4 x 4 blocks per 128-bit lane, then lanes).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Transpose16x16(float* s, nint ld, float* d, int width)
    {
        // Rows i and i + 1 interleaved: t[2k] lane = (a0 b0 a1 b1), t[2k + 1] lane = (a2 b2 a3 b3).
        Vector512<float> r0 = Vector512.Load(s), r1 = Vector512.Load(s + ld);
        Vector512<float> t0 = Avx512F.UnpackLow(r0, r1), t1 = Avx512F.UnpackHigh(r0, r1);
        r0 = Vector512.Load(s + 2 * ld); r1 = Vector512.Load(s + 3 * ld);
        Vector512<float> t2 = Avx512F.UnpackLow(r0, r1), t3 = Avx512F.UnpackHigh(r0, r1);
        r0 = Vector512.Load(s + 4 * ld); r1 = Vector512.Load(s + 5 * ld);
        Vector512<float> t4 = Avx512F.UnpackLow(r0, r1), t5 = Avx512F.UnpackHigh(r0, r1);
        r0 = Vector512.Load(s + 6 * ld); r1 = Vector512.Load(s + 7 * ld);
        Vector512<float> t6 = Avx512F.UnpackLow(r0, r1), t7 = Avx512F.UnpackHigh(r0, r1);
        r0 = Vector512.Load(s + 8 * ld); r1 = Vector512.Load(s + 9 * ld);
        Vector512<float> t8 = Avx512F.UnpackLow(r0, r1), t9 = Avx512F.UnpackHigh(r0, r1);
        r0 = Vector512.Load(s + 10 * ld); r1 = Vector512.Load(s + 11 * ld);
        Vector512<float> t10 = Avx512F.UnpackLow(r0, r1), t11 = Avx512F.UnpackHigh(r0, r1);
        r0 = Vector512.Load(s + 12 * ld); r1 = Vector512.Load(s + 13 * ld);
        Vector512<float> t12 = Avx512F.UnpackLow(r0, r1), t13 = Avx512F.UnpackHigh(r0, r1);
        r0 = Vector512.Load(s + 14 * ld); r1 = Vector512.Load(s + 15 * ld);
        Vector512<float> t14 = Avx512F.UnpackLow(r0, r1), t15 = Avx512F.UnpackHigh(r0, r1);

        // u[4j + q], lane L: column 4L + q of rows 4j .. 4j + 3.
        Vector512<float> u0 = Avx512F.Shuffle(t0, t2, 0x44), u1 = Avx512F.Shuffle(t0, t2, 0xEE);
        Vector512<float> u2 = Avx512F.Shuffle(t1, t3, 0x44), u3 = Avx512F.Shuffle(t1, t3, 0xEE);
        Vector512<float> u4 = Avx512F.Shuffle(t4, t6, 0x44), u5 = Avx512F.Shuffle(t4, t6, 0xEE);
        Vector512<float> u6 = Avx512F.Shuffle(t5, t7, 0x44), u7 = Avx512F.Shuffle(t5, t7, 0xEE);
        Vector512<float> u8 = Avx512F.Shuffle(t8, t10, 0x44), u9 = Avx512F.Shuffle(t8, t10, 0xEE);
        Vector512<float> u10 = Avx512F.Shuffle(t9, t11, 0x44), u11 = Avx512F.Shuffle(t9, t11, 0xEE);
        Vector512<float> u12 = Avx512F.Shuffle(t12, t14, 0x44), u13 = Avx512F.Shuffle(t12, t14, 0xEE);
        Vector512<float> u14 = Avx512F.Shuffle(t13, t15, 0x44), u15 = Avx512F.Shuffle(t13, t15, 0xEE);

        // v[q] (q < 4) = lanes 0, 2 of u[q], u[q + 4]; v[q + 4] = lanes 1, 3 (likewise v[8 ..] from u[8 ..]).
        Vector512<float> v0 = Avx512F.Shuffle4x128(u0, u4, 0x88), v4 = Avx512F.Shuffle4x128(u0, u4, 0xDD);
        Vector512<float> v1 = Avx512F.Shuffle4x128(u1, u5, 0x88), v5 = Avx512F.Shuffle4x128(u1, u5, 0xDD);
        Vector512<float> v2 = Avx512F.Shuffle4x128(u2, u6, 0x88), v6 = Avx512F.Shuffle4x128(u2, u6, 0xDD);
        Vector512<float> v3 = Avx512F.Shuffle4x128(u3, u7, 0x88), v7 = Avx512F.Shuffle4x128(u3, u7, 0xDD);
        Vector512<float> v8 = Avx512F.Shuffle4x128(u8, u12, 0x88), v12 = Avx512F.Shuffle4x128(u8, u12, 0xDD);
        Vector512<float> v9 = Avx512F.Shuffle4x128(u9, u13, 0x88), v13 = Avx512F.Shuffle4x128(u9, u13, 0xDD);
        Vector512<float> v10 = Avx512F.Shuffle4x128(u10, u14, 0x88), v14 = Avx512F.Shuffle4x128(u10, u14, 0xDD);
        Vector512<float> v11 = Avx512F.Shuffle4x128(u11, u15, 0x88), v15 = Avx512F.Shuffle4x128(u11, u15, 0xDD);

        // Column c: lanes 0, 2 of v[c] then of v[c + 8] (c < 4, 4 .. 7), lanes 1, 3 for columns 8 .. 15.
        Vector512.Store(Avx512F.Shuffle4x128(v0, v8, 0x88), d);
        Vector512.Store(Avx512F.Shuffle4x128(v1, v9, 0x88), d + width);
        Vector512.Store(Avx512F.Shuffle4x128(v2, v10, 0x88), d + 2 * width);
        Vector512.Store(Avx512F.Shuffle4x128(v3, v11, 0x88), d + 3 * width);
        Vector512.Store(Avx512F.Shuffle4x128(v4, v12, 0x88), d + 4 * width);
        Vector512.Store(Avx512F.Shuffle4x128(v5, v13, 0x88), d + 5 * width);
        Vector512.Store(Avx512F.Shuffle4x128(v6, v14, 0x88), d + 6 * width);
        Vector512.Store(Avx512F.Shuffle4x128(v7, v15, 0x88), d + 7 * width);
        Vector512.Store(Avx512F.Shuffle4x128(v0, v8, 0xDD), d + 8 * width);
        Vector512.Store(Avx512F.Shuffle4x128(v1, v9, 0xDD), d + 9 * width);
        Vector512.Store(Avx512F.Shuffle4x128(v2, v10, 0xDD), d + 10 * width);
        Vector512.Store(Avx512F.Shuffle4x128(v3, v11, 0xDD), d + 11 * width);
        Vector512.Store(Avx512F.Shuffle4x128(v4, v12, 0xDD), d + 12 * width);
        Vector512.Store(Avx512F.Shuffle4x128(v5, v13, 0xDD), d + 13 * width);
        Vector512.Store(Avx512F.Shuffle4x128(v6, v14, 0xDD), d + 14 * width);
        Vector512.Store(Avx512F.Shuffle4x128(v7, v15, 0xDD), d + 15 * width);
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
        // Then 8 and 4 at a time: A's slivers are 12 wide (the transposed-A pack copies 12 floats per k).
        if (Vector256.IsHardwareAccelerated)
            for (; j + 8 <= count; j += 8) Vector256.Store(Vector256.Load(src + j), dst + j);
        if (Vector128.IsHardwareAccelerated)
            for (; j + 4 <= count; j += 4) Vector128.Store(Vector128.Load(src + j), dst + j);
        for (; j < count; j++) dst[j] = src[j];
        for (; j < width; j++) dst[j] = 0f;
    }
}
