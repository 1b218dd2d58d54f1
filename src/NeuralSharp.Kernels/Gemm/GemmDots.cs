using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace NeuralSharp.Kernels;

// Legend: M rows of A and C, N rows of B (columns of C, few), K the reduction. A is M x K (row stride lda), B is N x K
// (row stride ldb, op(B) = B^T), C is M x N (row stride ldc): C[i, j] = alpha * dot(A[i, :], B[j, :]) + beta * C[i, j].

/// <summary>
/// C = alpha * A * B^T + beta * C for few columns N (a linear layer with few outputs) without packing: every C[i, j] is a
/// dot product of two contiguous rows. Padding N up to the 32-column register tile of the blocked path would waste most
/// of its work; here 4 x 3 tiles of dot products keep 12 accumulators busy while B (N x K) stays in L1/L2.
/// </summary>
/// <remarks>
/// Determinism: every C[i, j] is computed like <see cref="GemmVector"/>'s transB path (one 16-lane FMA chain over K's
/// whole chunks, a fixed horizontal sum, scalar FMAs over the tail), whichever tile, row block or thread computes it.
/// </remarks>
internal static unsafe class GemmDots
{
    /// <summary>True when this path is available (it uses 512-bit vectors).</summary>
    public static bool IsSupported => Vector512.IsHardwareAccelerated;

    /// <summary>Whether an NT product of this shape should take this path: few columns, a long enough K, several rows.</summary>
    public static bool Suits(bool transA, bool transB, int m, int n, int k) =>
        IsSupported && transB && !transA && m >= 2 && n <= 16 && k >= 64;

    /// <summary>Products with at least this many multiply-adds split the rows over the threads.</summary>
    public const long ParallelThreshold = 1L << 17;

    /// <summary>C = alpha * A * B^T + beta * C (beta == 0: C not read), then the epilogue on C.</summary>
    public static void Run(int m, int n, int k, float alpha, float* a, nint lda, float* b, nint ldb, float beta, float* c,
        nint ldc, in GemmEpilogue epilogue, int threads)
    {
        var job = new Job
        {
            M = m, N = n, K = k, Alpha = alpha, Beta = beta, A = a, Lda = lda, B = b, Ldb = ldb, C = c, Ldc = ldc,
            Epilogue = epilogue,
        };
        int parts = (long)m * n * k >= ParallelThreshold ? Math.Min(threads, m / 4) : 1;
        if (parts <= 1)
        {
            job.Rows(0, m);
            return;
        }
        job.Parts = parts;
        KernelThreads.For(parts, job);
    }

    private struct Job : IKernelLoopBody
    {
        public int M, N, K, Parts;
        public float Alpha, Beta;
        public float* A, B, C;
        public nint Lda, Ldb, Ldc;
        public GemmEpilogue Epilogue;

        public readonly void Invoke(int index)
        {
            int lo = KernelThreads.PartStart(M, index, Parts) / 4 * 4;
            int hi = index == Parts - 1 ? M : KernelThreads.PartStart(M, index + 1, Parts) / 4 * 4;
            Rows(lo, hi);
        }

        /// <summary>Rows [i0, i1) of C, then their epilogue.</summary>
        public readonly void Rows(int i0, int i1)
        {
            if (i1 <= i0) return;
            int i = i0;
            for (; i + 4 <= i1; i += 4)
            {
                int j = 0;
                for (; j + 3 <= N; j += 3) Tile4x3(A + i * Lda, Lda, B + j * Ldb, Ldb, C + i * Ldc + j, Ldc, K, Alpha, Beta);
                for (; j < N; j++) Tile4x1(A + i * Lda, Lda, B + j * Ldb, C + i * Ldc + j, Ldc, K, Alpha, Beta);
            }
            for (; i < i1; i++)
                for (int j = 0; j < N; j++)
                    Tile1x1(A + i * Lda, B + j * Ldb, C + i * Ldc + j, K, Alpha, Beta);
            if (!Epilogue.IsNoOp) Epilogue.Apply(C + i0 * Ldc, Ldc, i0, 0, i1 - i0, N);
        }
    }

    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static void Tile4x3(float* a, nint lda, float* b, nint ldb, float* c, nint ldc, int k, float alpha, float beta)
    {
        float* a0 = a, a1 = a + lda, a2 = a1 + lda, a3 = a2 + lda;
        float* b0 = b, b1 = b + ldb, b2 = b1 + ldb;
        Vector512<float> s00 = default, s01 = default, s02 = default;
        Vector512<float> s10 = default, s11 = default, s12 = default;
        Vector512<float> s20 = default, s21 = default, s22 = default;
        Vector512<float> s30 = default, s31 = default, s32 = default;
        int kv = k & ~15;
        for (int p = 0; p < kv; p += 16)
        {
            Vector512<float> y0 = Vector512.Load(b0 + p), y1 = Vector512.Load(b1 + p), y2 = Vector512.Load(b2 + p);
            Vector512<float> x = Vector512.Load(a0 + p);
            s00 = Vector512.FusedMultiplyAdd(x, y0, s00); s01 = Vector512.FusedMultiplyAdd(x, y1, s01); s02 = Vector512.FusedMultiplyAdd(x, y2, s02);
            x = Vector512.Load(a1 + p);
            s10 = Vector512.FusedMultiplyAdd(x, y0, s10); s11 = Vector512.FusedMultiplyAdd(x, y1, s11); s12 = Vector512.FusedMultiplyAdd(x, y2, s12);
            x = Vector512.Load(a2 + p);
            s20 = Vector512.FusedMultiplyAdd(x, y0, s20); s21 = Vector512.FusedMultiplyAdd(x, y1, s21); s22 = Vector512.FusedMultiplyAdd(x, y2, s22);
            x = Vector512.Load(a3 + p);
            s30 = Vector512.FusedMultiplyAdd(x, y0, s30); s31 = Vector512.FusedMultiplyAdd(x, y1, s31); s32 = Vector512.FusedMultiplyAdd(x, y2, s32);
        }
        Finish(s00, a0, b0, kv, k, c, alpha, beta); Finish(s01, a0, b1, kv, k, c + 1, alpha, beta); Finish(s02, a0, b2, kv, k, c + 2, alpha, beta);
        c += ldc;
        Finish(s10, a1, b0, kv, k, c, alpha, beta); Finish(s11, a1, b1, kv, k, c + 1, alpha, beta); Finish(s12, a1, b2, kv, k, c + 2, alpha, beta);
        c += ldc;
        Finish(s20, a2, b0, kv, k, c, alpha, beta); Finish(s21, a2, b1, kv, k, c + 1, alpha, beta); Finish(s22, a2, b2, kv, k, c + 2, alpha, beta);
        c += ldc;
        Finish(s30, a3, b0, kv, k, c, alpha, beta); Finish(s31, a3, b1, kv, k, c + 1, alpha, beta); Finish(s32, a3, b2, kv, k, c + 2, alpha, beta);
    }

    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static void Tile4x1(float* a, nint lda, float* b, float* c, nint ldc, int k, float alpha, float beta)
    {
        float* a0 = a, a1 = a + lda, a2 = a1 + lda, a3 = a2 + lda;
        Vector512<float> s0 = default, s1 = default, s2 = default, s3 = default;
        int kv = k & ~15;
        for (int p = 0; p < kv; p += 16)
        {
            Vector512<float> y = Vector512.Load(b + p);
            s0 = Vector512.FusedMultiplyAdd(Vector512.Load(a0 + p), y, s0);
            s1 = Vector512.FusedMultiplyAdd(Vector512.Load(a1 + p), y, s1);
            s2 = Vector512.FusedMultiplyAdd(Vector512.Load(a2 + p), y, s2);
            s3 = Vector512.FusedMultiplyAdd(Vector512.Load(a3 + p), y, s3);
        }
        Finish(s0, a0, b, kv, k, c, alpha, beta);
        Finish(s1, a1, b, kv, k, c + ldc, alpha, beta);
        Finish(s2, a2, b, kv, k, c + 2 * ldc, alpha, beta);
        Finish(s3, a3, b, kv, k, c + 3 * ldc, alpha, beta);
    }

    private static void Tile1x1(float* a, float* b, float* c, int k, float alpha, float beta)
    {
        Vector512<float> s = default;
        int kv = k & ~15;
        for (int p = 0; p < kv; p += 16) s = Vector512.FusedMultiplyAdd(Vector512.Load(a + p), Vector512.Load(b + p), s);
        Finish(s, a, b, kv, k, c, alpha, beta);
    }

    /// <summary>The one way a dot product ends (as in <see cref="GemmVector"/>): horizontal sum, scalar FMA tail, scale, store.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Finish(Vector512<float> s, float* x, float* r, int kv, int k, float* c, float alpha, float beta)
    {
        float d = Vector512.Sum(s);
        for (int p = kv; p < k; p++) d = MathF.FusedMultiplyAdd(x[p], r[p], d);
        *c = beta == 0f ? alpha * d : alpha * d + beta * *c;
    }
}
