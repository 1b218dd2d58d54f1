using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace NeuralSharp.Kernels;

// Legend: M rows of A and C (few), N rows of B (columns of C), K the reduction. A is M x K (row stride lda), B is N x K
// (row stride ldb, op(B) = B^T), C is M x N (row stride ldc): C[i, j] = alpha * dot(A[i, :], B[j, :]) + beta * C[i, j].

/// <summary>
/// C = alpha * A * B^T + beta * C for few rows M (a linear layer on a small batch, e.g. one expert's tokens) without
/// packing: packing B (N x K) costs as much as the product itself when M is small. 6 x 4 tiles of dot products along
/// K keep 24 accumulators busy (6 loads of A, which stay in L1, and 4 of B per 24 FMAs: B is rarely 64-byte aligned,
/// and its split loads from L2 are what limits a 4 x 4 tile); B streams once per 6 rows of A from L2, walked in column
/// chunks that fit L2. A tile's sums are reduced together by a transpose tree instead of one horizontal sum each.
/// </summary>
/// <remarks>
/// Determinism: C[i, j] is computed by the tile that holds it, and tiles are fixed by i and j alone (6-row blocks from
/// row 0 and a last block of up to 4 rows, 4-column blocks from column 0); threads take whole column chunks, so any
/// thread count gives the same bits. The results do not depend on the buffers' alignment either.
/// </remarks>
internal static unsafe class GemmRowDots
{
    /// <summary>True when this path is available (it uses AVX-512 shuffles).</summary>
    public static bool IsSupported => Vector512.IsHardwareAccelerated && Avx512F.IsSupported;

    /// <summary>Whether an NT product of this shape should take this path: few rows, enough columns, a long enough K.</summary>
    public static bool Suits(bool transA, bool transB, int m, int n, int k) =>
        IsSupported && transB && !transA && m >= MinRows && m <= MaxRows && n >= 32 && k >= 64;

    /// <summary>Fewest rows taken (M = 1 is <see cref="GemmVector"/>'s).</summary>
    public const int MinRows = 2;

    /// <summary>Most rows taken: at 48 rows the blocked path is as fast (measured with unaligned B, N = 1024, K = 256).</summary>
    public const int MaxRows = 40;

    /// <summary>Products with at least this many multiply-adds use several threads.</summary>
    public const long ParallelThreshold = 1L << 17;

    /// <summary>Bytes of B per column chunk: a chunk stays in L2 while every block of 4 rows of A passes over it.</summary>
    private const int ChunkBytes = 128 * 1024;

    /// <summary>C = alpha * A * B^T + beta * C (beta == 0: C not read), then the epilogue on C.</summary>
    public static void Run(int m, int n, int k, float alpha, float* a, nint lda, float* b, nint ldb, float beta, float* c,
        nint ldc, in GemmEpilogue epilogue, int threads)
    {
        // Fixed chunk width (a multiple of 4, independent of the thread count).
        int width = Math.Max(16, ChunkBytes / (4 * k) / 16 * 16);
        int chunks = (n + width - 1) / width;
        var job = new Job
        {
            M = m, N = n, K = k, Alpha = alpha, Beta = beta, A = a, Lda = lda, B = b, Ldb = ldb, C = c, Ldc = ldc,
            Epilogue = epilogue, Width = width, Chunks = chunks,
        };
        int parts = (long)m * n * k >= ParallelThreshold ? Math.Min(threads, chunks) : 1;
        if (parts <= 1)
        {
            job.Parts = 1;
            job.Invoke(0);
            return;
        }
        job.Parts = parts;
        KernelThreads.For(parts, job);
    }

    private struct Job : IKernelLoopBody
    {
        public int M, N, K, Parts, Width, Chunks;
        public float Alpha, Beta;
        public float* A, B, C;
        public nint Lda, Ldb, Ldc;
        public GemmEpilogue Epilogue;

        public readonly void Invoke(int index)
        {
            int lo = KernelThreads.PartStart(Chunks, index, Parts), hi = KernelThreads.PartStart(Chunks, index + 1, Parts);
            for (int chunk = lo; chunk < hi; chunk++)
            {
                int j0 = chunk * Width, j1 = Math.Min(N, j0 + Width);
                Columns(j0, j1);
            }
        }

        /// <summary>Columns [j0, j1) of C (j0 a multiple of 4), then their epilogue.</summary>
        private readonly void Columns(int j0, int j1)
        {
            // Blocks of 6 rows from row 0 while at least 5 remain, then one block of up to 4.
            for (int i = 0; i < M; i += 6)
            {
                int rows = Math.Min(6, M - i);
                if (rows >= 5)
                    for (int j = j0; j < j1; j += 4)
                        Tile6x4(A + i * Lda, Lda, rows, B + j * Ldb, Ldb, Math.Min(4, j1 - j), C + i * Ldc + j, Ldc, K, Alpha, Beta);
                else
                    for (int j = j0; j < j1; j += 4)
                        Tile4x4(A + i * Lda, Lda, rows, B + j * Ldb, Ldb, Math.Min(4, j1 - j), C + i * Ldc + j, Ldc, K, Alpha, Beta);
            }
            if (!Epilogue.IsNoOp) Epilogue.Apply(C + j0, Ldc, 0, j0, M, j1 - j0);
        }
    }

    /// <summary>
    /// The rows x cols (each 1..4) corner of a 4 x 4 tile of C; missing rows of A or B repeat the last present one
    /// (computed, not stored), so every element is computed the same way wherever it lies.
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static void Tile4x4(float* a, nint lda, int rows, float* b, nint ldb, int cols, float* c, nint ldc, int k,
        float alpha, float beta)
    {
        float* a0 = a, a1 = rows > 1 ? a0 + lda : a0, a2 = rows > 2 ? a1 + lda : a1, a3 = rows > 3 ? a2 + lda : a2;
        float* b0 = b, b1 = cols > 1 ? b0 + ldb : b0, b2 = cols > 2 ? b1 + ldb : b1, b3 = cols > 3 ? b2 + ldb : b2;
        Vector512<float> s00 = default, s01 = default, s02 = default, s03 = default;
        Vector512<float> s10 = default, s11 = default, s12 = default, s13 = default;
        Vector512<float> s20 = default, s21 = default, s22 = default, s23 = default;
        Vector512<float> s30 = default, s31 = default, s32 = default, s33 = default;
        int kv = k & ~15;
        for (int p = 0; p < kv; p += 16)
        {
            Vector512<float> y0 = Vector512.Load(b0 + p), y1 = Vector512.Load(b1 + p);
            Vector512<float> y2 = Vector512.Load(b2 + p), y3 = Vector512.Load(b3 + p);
            Vector512<float> x = Vector512.Load(a0 + p);
            s00 = Vector512.FusedMultiplyAdd(x, y0, s00); s01 = Vector512.FusedMultiplyAdd(x, y1, s01);
            s02 = Vector512.FusedMultiplyAdd(x, y2, s02); s03 = Vector512.FusedMultiplyAdd(x, y3, s03);
            x = Vector512.Load(a1 + p);
            s10 = Vector512.FusedMultiplyAdd(x, y0, s10); s11 = Vector512.FusedMultiplyAdd(x, y1, s11);
            s12 = Vector512.FusedMultiplyAdd(x, y2, s12); s13 = Vector512.FusedMultiplyAdd(x, y3, s13);
            x = Vector512.Load(a2 + p);
            s20 = Vector512.FusedMultiplyAdd(x, y0, s20); s21 = Vector512.FusedMultiplyAdd(x, y1, s21);
            s22 = Vector512.FusedMultiplyAdd(x, y2, s22); s23 = Vector512.FusedMultiplyAdd(x, y3, s23);
            x = Vector512.Load(a3 + p);
            s30 = Vector512.FusedMultiplyAdd(x, y0, s30); s31 = Vector512.FusedMultiplyAdd(x, y1, s31);
            s32 = Vector512.FusedMultiplyAdd(x, y2, s32); s33 = Vector512.FusedMultiplyAdd(x, y3, s33);
        }
        // Inputs in column-major order give the sums in row-major order: lanes 4r..4r+3 hold C[r, 0..3].
        Vector512<float> sums = Reduce16(
            Halves(s00, s10), Halves(s20, s30), Halves(s01, s11), Halves(s21, s31),
            Halves(s02, s12), Halves(s22, s32), Halves(s03, s13), Halves(s23, s33));
        Store(Avx512F.ExtractVector128(sums, 0), a0, b0, b1, b2, b3, kv, k, c, cols, alpha, beta);
        if (rows > 1) Store(Avx512F.ExtractVector128(sums, 1), a1, b0, b1, b2, b3, kv, k, c + ldc, cols, alpha, beta);
        if (rows > 2) Store(Avx512F.ExtractVector128(sums, 2), a2, b0, b1, b2, b3, kv, k, c + 2 * ldc, cols, alpha, beta);
        if (rows > 3) Store(Avx512F.ExtractVector128(sums, 3), a3, b0, b1, b2, b3, kv, k, c + 3 * ldc, cols, alpha, beta);
    }

    /// <summary>As <see cref="Tile4x4"/> for a 6 x 4 tile (rows 1..6): 24 accumulators load each vector of B once per 6 rows.</summary>
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static void Tile6x4(float* a, nint lda, int rows, float* b, nint ldb, int cols, float* c, nint ldc, int k,
        float alpha, float beta)
    {
        float* a0 = a, a1 = rows > 1 ? a0 + lda : a0, a2 = rows > 2 ? a1 + lda : a1, a3 = rows > 3 ? a2 + lda : a2;
        float* a4 = rows > 4 ? a3 + lda : a3, a5 = rows > 5 ? a4 + lda : a4;
        float* b0 = b, b1 = cols > 1 ? b0 + ldb : b0, b2 = cols > 2 ? b1 + ldb : b1, b3 = cols > 3 ? b2 + ldb : b2;
        Vector512<float> s00 = default, s01 = default, s02 = default, s03 = default;
        Vector512<float> s10 = default, s11 = default, s12 = default, s13 = default;
        Vector512<float> s20 = default, s21 = default, s22 = default, s23 = default;
        Vector512<float> s30 = default, s31 = default, s32 = default, s33 = default;
        Vector512<float> s40 = default, s41 = default, s42 = default, s43 = default;
        Vector512<float> s50 = default, s51 = default, s52 = default, s53 = default;
        int kv = k & ~15;
        for (int p = 0; p < kv; p += 16)
        {
            Vector512<float> y0 = Vector512.Load(b0 + p), y1 = Vector512.Load(b1 + p);
            Vector512<float> y2 = Vector512.Load(b2 + p), y3 = Vector512.Load(b3 + p);
            Vector512<float> x;
            x = Vector512.Load(a0 + p);
            s00 = Vector512.FusedMultiplyAdd(x, y0, s00); s01 = Vector512.FusedMultiplyAdd(x, y1, s01);
            s02 = Vector512.FusedMultiplyAdd(x, y2, s02); s03 = Vector512.FusedMultiplyAdd(x, y3, s03);
            x = Vector512.Load(a1 + p);
            s10 = Vector512.FusedMultiplyAdd(x, y0, s10); s11 = Vector512.FusedMultiplyAdd(x, y1, s11);
            s12 = Vector512.FusedMultiplyAdd(x, y2, s12); s13 = Vector512.FusedMultiplyAdd(x, y3, s13);
            x = Vector512.Load(a2 + p);
            s20 = Vector512.FusedMultiplyAdd(x, y0, s20); s21 = Vector512.FusedMultiplyAdd(x, y1, s21);
            s22 = Vector512.FusedMultiplyAdd(x, y2, s22); s23 = Vector512.FusedMultiplyAdd(x, y3, s23);
            x = Vector512.Load(a3 + p);
            s30 = Vector512.FusedMultiplyAdd(x, y0, s30); s31 = Vector512.FusedMultiplyAdd(x, y1, s31);
            s32 = Vector512.FusedMultiplyAdd(x, y2, s32); s33 = Vector512.FusedMultiplyAdd(x, y3, s33);
            x = Vector512.Load(a4 + p);
            s40 = Vector512.FusedMultiplyAdd(x, y0, s40); s41 = Vector512.FusedMultiplyAdd(x, y1, s41);
            s42 = Vector512.FusedMultiplyAdd(x, y2, s42); s43 = Vector512.FusedMultiplyAdd(x, y3, s43);
            x = Vector512.Load(a5 + p);
            s50 = Vector512.FusedMultiplyAdd(x, y0, s50); s51 = Vector512.FusedMultiplyAdd(x, y1, s51);
            s52 = Vector512.FusedMultiplyAdd(x, y2, s52); s53 = Vector512.FusedMultiplyAdd(x, y3, s53);
        }
        Vector512<float> sums = Reduce16(
            Halves(s00, s10), Halves(s20, s30), Halves(s01, s11), Halves(s21, s31),
            Halves(s02, s12), Halves(s22, s32), Halves(s03, s13), Halves(s23, s33));
        Store(Avx512F.ExtractVector128(sums, 0), a0, b0, b1, b2, b3, kv, k, c, cols, alpha, beta);
        if (rows > 1) Store(Avx512F.ExtractVector128(sums, 1), a1, b0, b1, b2, b3, kv, k, c + ldc, cols, alpha, beta);
        if (rows > 2) Store(Avx512F.ExtractVector128(sums, 2), a2, b0, b1, b2, b3, kv, k, c + 2 * ldc, cols, alpha, beta);
        if (rows > 3) Store(Avx512F.ExtractVector128(sums, 3), a3, b0, b1, b2, b3, kv, k, c + 3 * ldc, cols, alpha, beta);
        if (rows > 4)
        {
            // x0..x7 = s40..s43, s50..s53: quarter l of Reduce8 holds [C[4, l], C[5, l], C[4, l], C[5, l]].
            Vector512<float> last = Avx512F.PermuteVar16x32(Reduce8(Halves(s40, s41), Halves(s42, s43), Halves(s50, s51),
                Halves(s52, s53)), Vector512.Create(0, 4, 8, 12, 1, 5, 9, 13, 0, 4, 8, 12, 1, 5, 9, 13));
            Store(Avx512F.ExtractVector128(last, 0), a4, b0, b1, b2, b3, kv, k, c + 4 * ldc, cols, alpha, beta);
            if (rows > 5) Store(Avx512F.ExtractVector128(last, 1), a5, b0, b1, b2, b3, kv, k, c + 5 * ldc, cols, alpha, beta);
        }
    }

    /// <summary>
    /// The 8 full sums of x0..x7 given as Halves(x0, x1), ..., Halves(x6, x7): quarter l holds
    /// [sum(x[l]), sum(x[4 + l]), sum(x[l]), sum(x[4 + l])].
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<float> Reduce8(Vector512<float> v0, Vector512<float> v1, Vector512<float> v2, Vector512<float> v3)
    {
        Vector512<float> w0 = Quarters(v0, v1), w1 = Quarters(v2, v3);
        Vector512<float> p = Avx512F.Shuffle(w0, w1, 0b01_00_01_00) + Avx512F.Shuffle(w0, w1, 0b11_10_11_10);
        return Avx512F.Shuffle(p, p, 0b10_00_10_00) + Avx512F.Shuffle(p, p, 0b11_01_11_01);
    }

    /// <summary>[x's 8 pair sums | y's 8 pair sums]: lane l of each half is x[l] + x[l + 8].</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<float> Halves(Vector512<float> x, Vector512<float> y) =>
        Avx512F.Shuffle4x128(x, y, 0b01_00_01_00) + Avx512F.Shuffle4x128(x, y, 0b11_10_11_10);

    /// <summary>
    /// The 16 full sums of x0..x15 given as Halves(x0, x1), ..., Halves(x14, x15): lane 4l + t holds sum(x[4t + l]).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<float> Reduce16(Vector512<float> v0, Vector512<float> v1, Vector512<float> v2,
        Vector512<float> v3, Vector512<float> v4, Vector512<float> v5, Vector512<float> v6, Vector512<float> v7)
    {
        // 128-bit quarter q of w_j holds 4 partial sums of x[4j + q].
        Vector512<float> w0 = Quarters(v0, v1), w1 = Quarters(v2, v3), w2 = Quarters(v4, v5), w3 = Quarters(v6, v7);
        // Within quarter l: [x[l], x[l], x[4 + l], x[4 + l]] partial pairs, then [x[l], x[4 + l], x[8 + l], x[12 + l]].
        Vector512<float> p0 = Avx512F.Shuffle(w0, w1, 0b01_00_01_00) + Avx512F.Shuffle(w0, w1, 0b11_10_11_10);
        Vector512<float> p1 = Avx512F.Shuffle(w2, w3, 0b01_00_01_00) + Avx512F.Shuffle(w2, w3, 0b11_10_11_10);
        return Avx512F.Shuffle(p0, p1, 0b10_00_10_00) + Avx512F.Shuffle(p0, p1, 0b11_01_11_01);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<float> Quarters(Vector512<float> v, Vector512<float> w) =>
        Avx512F.Shuffle4x128(v, w, 0b10_00_10_00) + Avx512F.Shuffle4x128(v, w, 0b11_01_11_01);

    /// <summary>One row of a tile: the K tail by scalar FMAs on each sum, then scale and store the first cols.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Store(Vector128<float> d, float* x, float* r0, float* r1, float* r2, float* r3, int kv, int k,
        float* c, int cols, float alpha, float beta)
    {
        if (kv < k)
        {
            float d0 = d.GetElement(0), d1 = d.GetElement(1), d2 = d.GetElement(2), d3 = d.GetElement(3);
            for (int p = kv; p < k; p++)
            {
                float xp = x[p];
                d0 = MathF.FusedMultiplyAdd(xp, r0[p], d0); d1 = MathF.FusedMultiplyAdd(xp, r1[p], d1);
                d2 = MathF.FusedMultiplyAdd(xp, r2[p], d2); d3 = MathF.FusedMultiplyAdd(xp, r3[p], d3);
            }
            d = Vector128.Create(d0, d1, d2, d3);
        }
        if (cols == 4)
        {
            Vector128<float> v = Vector128.Create(alpha) * d;
            if (beta != 0f) v += Vector128.Create(beta) * Vector128.Load(c);
            v.Store(c);
            return;
        }
        for (int j = 0; j < cols; j++) c[j] = beta == 0f ? alpha * d.GetElement(j) : alpha * d.GetElement(j) + beta * c[j];
    }
}
