using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace NeuralSharp.Kernels;

// Legend: N columns of C (rows of B when transB), K the reduction; x is the one row of op(A) (K contiguous floats),
// y the one row of C (N floats). B is row-major with row stride ldb.

/// <summary>
/// The vector-matrix product (GEMM with M = 1) without packing: y[N] = alpha * x[K] * op(B)[K, N] + beta * y, then the
/// epilogue on y. Bandwidth-bound, so B is streamed once with wide loads and several independent accumulators, and the
/// columns of y are split over the threads.
/// </summary>
/// <remarks>
/// Determinism: every y[j] is computed by the same operations whichever block, part or thread computes it.
/// transB: one 16-lane FMA chain over K's whole 16-float chunks, a fixed horizontal sum, scalar FMAs over the K tail.
/// Not transposed: one FMA chain over p = 0..K-1 (x[p] * B[p, j]) per element, vector lanes and scalar tail alike.
/// </remarks>
internal static unsafe class GemmVector
{
    /// <summary>True when this path is available (it uses 512-bit vectors).</summary>
    public static bool IsSupported => Vector512.IsHardwareAccelerated;

    /// <summary>Products with at least this many multiply-adds (N * K) split the columns over the threads.</summary>
    public const long ParallelThreshold = 1L << 15;

    /// <summary>y[N] = alpha * x[K] * op(B)[K, N] + beta * y (beta == 0: y not read), then the epilogue on y.</summary>
    public static void Run(bool transB, int n, int k, float alpha, float* x, float* b, nint ldb, float beta, float* y,
        in GemmEpilogue epilogue, int threads)
    {
        var job = new Job
        {
            TransB = transB, N = n, K = k, Alpha = alpha, Beta = beta, X = x, B = b, Ldb = ldb, Y = y, Epilogue = epilogue,
        };
        int align = transB ? 8 : 16;
        int parts = (long)n * k >= ParallelThreshold ? Math.Min(threads, n / align) : 1;
        if (parts <= 1)
        {
            job.Columns(0, n);
            return;
        }
        job.Parts = parts;
        job.Align = align;
        KernelThreads.For(parts, job);
    }

    private struct Job : IKernelLoopBody
    {
        public bool TransB;
        public int N, K, Parts, Align;
        public float Alpha, Beta;
        public float* X, B, Y;
        public nint Ldb;
        public GemmEpilogue Epilogue;

        public readonly void Invoke(int index)
        {
            int lo = KernelThreads.PartStart(N, index, Parts) / Align * Align;
            int hi = index == Parts - 1 ? N : KernelThreads.PartStart(N, index + 1, Parts) / Align * Align;
            Columns(lo, hi);
        }

        /// <summary>Columns [j0, j1) of y, then their epilogue.</summary>
        public readonly void Columns(int j0, int j1)
        {
            if (j1 <= j0) return;
            if (TransB) Dots(X, B, Ldb, Y, K, j0, j1, Alpha, Beta);
            else Axpys(X, B, Ldb, Y, K, j0, j1, Alpha, Beta);
            if (!Epilogue.IsNoOp) Epilogue.Apply(Y + j0, 0, 0, j0, 1, j1 - j0);
        }
    }

    /// <summary>y[j] = alpha * dot(x, B[j, :]) + beta * y[j] for j in [j0, j1): eight rows of B streamed at a time.</summary>
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static void Dots(float* x, float* b, nint ldb, float* y, int k, int j0, int j1, float alpha, float beta)
    {
        int kv = k & ~15;
        int j = j0;
        for (; j + 8 <= j1; j += 8)
        {
            float* r0 = b + j * ldb, r1 = r0 + ldb, r2 = r1 + ldb, r3 = r2 + ldb;
            float* r4 = r3 + ldb, r5 = r4 + ldb, r6 = r5 + ldb, r7 = r6 + ldb;
            Vector512<float> s0 = default, s1 = default, s2 = default, s3 = default;
            Vector512<float> s4 = default, s5 = default, s6 = default, s7 = default;
            for (int p = 0; p < kv; p += 16)
            {
                Vector512<float> xv = Vector512.Load(x + p);
                s0 = Vector512.FusedMultiplyAdd(xv, Vector512.Load(r0 + p), s0);
                s1 = Vector512.FusedMultiplyAdd(xv, Vector512.Load(r1 + p), s1);
                s2 = Vector512.FusedMultiplyAdd(xv, Vector512.Load(r2 + p), s2);
                s3 = Vector512.FusedMultiplyAdd(xv, Vector512.Load(r3 + p), s3);
                s4 = Vector512.FusedMultiplyAdd(xv, Vector512.Load(r4 + p), s4);
                s5 = Vector512.FusedMultiplyAdd(xv, Vector512.Load(r5 + p), s5);
                s6 = Vector512.FusedMultiplyAdd(xv, Vector512.Load(r6 + p), s6);
                s7 = Vector512.FusedMultiplyAdd(xv, Vector512.Load(r7 + p), s7);
            }
            Finish(s0, x, r0, kv, k, y + j + 0, alpha, beta);
            Finish(s1, x, r1, kv, k, y + j + 1, alpha, beta);
            Finish(s2, x, r2, kv, k, y + j + 2, alpha, beta);
            Finish(s3, x, r3, kv, k, y + j + 3, alpha, beta);
            Finish(s4, x, r4, kv, k, y + j + 4, alpha, beta);
            Finish(s5, x, r5, kv, k, y + j + 5, alpha, beta);
            Finish(s6, x, r6, kv, k, y + j + 6, alpha, beta);
            Finish(s7, x, r7, kv, k, y + j + 7, alpha, beta);
        }
        for (; j < j1; j++)
        {
            float* r = b + j * ldb;
            Vector512<float> s = default;
            for (int p = 0; p < kv; p += 16) s = Vector512.FusedMultiplyAdd(Vector512.Load(x + p), Vector512.Load(r + p), s);
            Finish(s, x, r, kv, k, y + j, alpha, beta);
        }
    }

    /// <summary>The one way a dot product ends: horizontal sum, scalar FMAs over the K tail, scale and store.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Finish(Vector512<float> s, float* x, float* r, int kv, int k, float* y, float alpha, float beta)
    {
        float d = Vector512.Sum(s);
        for (int p = kv; p < k; p++) d = MathF.FusedMultiplyAdd(x[p], r[p], d);
        *y = beta == 0f ? alpha * d : alpha * d + beta * *y;
    }

    /// <summary>y[j] = alpha * sum_p x[p] * B[p, j] + beta * y[j] for j in [j0, j1): blocks of 128, 64, 16 columns, then scalars.</summary>
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static void Axpys(float* x, float* b, nint ldb, float* y, int k, int j0, int j1, float alpha, float beta)
    {
        Vector512<float> va = Vector512.Create(alpha), vb = Vector512.Create(beta);
        int j = j0;
        for (; j + 128 <= j1; j += 128)
        {
            Vector512<float> s0 = default, s1 = default, s2 = default, s3 = default;
            Vector512<float> s4 = default, s5 = default, s6 = default, s7 = default;
            float* r = b + j;
            for (int p = 0; p < k; p++, r += ldb)
            {
                Vector512<float> xv = Vector512.Create(x[p]);
                s0 = Vector512.FusedMultiplyAdd(xv, Vector512.Load(r), s0);
                s1 = Vector512.FusedMultiplyAdd(xv, Vector512.Load(r + 16), s1);
                s2 = Vector512.FusedMultiplyAdd(xv, Vector512.Load(r + 32), s2);
                s3 = Vector512.FusedMultiplyAdd(xv, Vector512.Load(r + 48), s3);
                s4 = Vector512.FusedMultiplyAdd(xv, Vector512.Load(r + 64), s4);
                s5 = Vector512.FusedMultiplyAdd(xv, Vector512.Load(r + 80), s5);
                s6 = Vector512.FusedMultiplyAdd(xv, Vector512.Load(r + 96), s6);
                s7 = Vector512.FusedMultiplyAdd(xv, Vector512.Load(r + 112), s7);
            }
            Store(s0, y + j, va, vb, beta); Store(s1, y + j + 16, va, vb, beta);
            Store(s2, y + j + 32, va, vb, beta); Store(s3, y + j + 48, va, vb, beta);
            Store(s4, y + j + 64, va, vb, beta); Store(s5, y + j + 80, va, vb, beta);
            Store(s6, y + j + 96, va, vb, beta); Store(s7, y + j + 112, va, vb, beta);
        }
        for (; j + 64 <= j1; j += 64)
        {
            Vector512<float> s0 = default, s1 = default, s2 = default, s3 = default;
            float* r = b + j;
            for (int p = 0; p < k; p++, r += ldb)
            {
                Vector512<float> xv = Vector512.Create(x[p]);
                s0 = Vector512.FusedMultiplyAdd(xv, Vector512.Load(r), s0);
                s1 = Vector512.FusedMultiplyAdd(xv, Vector512.Load(r + 16), s1);
                s2 = Vector512.FusedMultiplyAdd(xv, Vector512.Load(r + 32), s2);
                s3 = Vector512.FusedMultiplyAdd(xv, Vector512.Load(r + 48), s3);
            }
            Store(s0, y + j, va, vb, beta); Store(s1, y + j + 16, va, vb, beta);
            Store(s2, y + j + 32, va, vb, beta); Store(s3, y + j + 48, va, vb, beta);
        }
        for (; j + 16 <= j1; j += 16)
        {
            Vector512<float> s0 = default;
            float* r = b + j;
            for (int p = 0; p < k; p++, r += ldb) s0 = Vector512.FusedMultiplyAdd(Vector512.Create(x[p]), Vector512.Load(r), s0);
            Store(s0, y + j, va, vb, beta);
        }
        for (; j < j1; j++)
        {
            float s = 0f;
            float* r = b + j;
            for (int p = 0; p < k; p++, r += ldb) s = MathF.FusedMultiplyAdd(x[p], *r, s);
            y[j] = beta == 0f ? alpha * s : alpha * s + beta * y[j];
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Store(Vector512<float> s, float* y, Vector512<float> va, Vector512<float> vb, float beta)
    {
        if (beta == 0f) Vector512.Store(va * s, y);
        else Vector512.Store(va * s + vb * Vector512.Load(y), y);
    }
}
