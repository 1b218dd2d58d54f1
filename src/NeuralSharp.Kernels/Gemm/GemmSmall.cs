using System.Buffers;
using System.Numerics.Tensors;

namespace NeuralSharp.Kernels;

// Legend: M, N, K as in Gemm. Row i of C is computed from row i of op(A) and the whole of op(B).

/// <summary>
/// SGEMM for small products and vector-matrix products (M = 1), without packing: each row of C is
/// either a sum of scaled rows of B (B not transposed) or a set of dot products with rows of B (transposed).
/// Single-threaded; the result does not depend on the thread count.
/// </summary>
internal static unsafe class GemmSmall
{
    private const int StackFloats = 1024;

    /// <summary>Vector-matrix products with at least this many multiply-adds are split over column chunks.</summary>
    public const long ParallelThreshold = 1L << 18;

    /// <summary>Columns per parallel chunk: fixed (not thread-count dependent), so chunk tails are too.</summary>
    private const int Chunk = 512;

    /// <summary>C = alpha * op(A) * op(B) + beta * C for M, N, K &gt; 0 (see <see cref="Gemm.Sgemm"/>).</summary>
    public static void Run(bool transA, bool transB, int m, int n, int k, float alpha,
        float* a, nint lda, float* b, nint ldb, float beta, float* c, nint ldc, int threads)
    {
        // A strided row of op(A) (transA) or a strided column of B (N = 1, not transposed) is gathered first.
        bool gatherB = !transB && n == 1 && ldb != 1;
        int gatherLen = (transA && lda != 1 ? k : 0) + (gatherB ? k : 0);
        float[]? rented = gatherLen > StackFloats ? ArrayPool<float>.Shared.Rent(gatherLen) : null;
        Span<float> gather = rented is null ? stackalloc float[StackFloats] : rented;
        try
        {
            fixed (float* g = gather)
            {
                float* rowBuf = g;
                if (gatherB)
                {
                    float* col = g + (transA && lda != 1 ? k : 0);
                    for (int p = 0; p < k; p++) col[p] = b[p * ldb];
                    b = col;
                    ldb = k;            // now stored as N x K = 1 x K: op(B) = B^T
                    transB = true;
                }
                if (m == 1 && threads > 1 && n > Chunk && (long)n * k >= ParallelThreshold)
                {
                    float* arow = a;
                    if (transA && lda != 1)
                    {
                        for (int p = 0; p < k; p++) rowBuf[p] = a[p * lda];
                        arow = rowBuf;
                    }
                    var task = new VectorMatrixTask
                    {
                        TransB = transB, N = n, K = k, Alpha = alpha, Beta = beta, A = arow, B = b, Ldb = ldb, C = c,
                    };
                    KernelThreads.For((n + Chunk - 1) / Chunk, task);
                    return;
                }
                for (int i = 0; i < m; i++)
                {
                    float* arow = a + i * lda;
                    if (transA)
                    {
                        arow = a + i;
                        if (lda != 1)
                        {
                            for (int p = 0; p < k; p++) rowBuf[p] = a[p * lda + i];
                            arow = rowBuf;
                        }
                    }
                    Row(transB, n, k, alpha, new ReadOnlySpan<float>(arow, k), b, ldb, beta, new Span<float>(c + i * ldc, n));
                }
            }
        }
        finally
        {
            if (rented is not null) ArrayPool<float>.Shared.Return(rented);
        }
    }

    private struct VectorMatrixTask : IKernelLoopBody
    {
        public bool TransB;
        public int N, K;
        public float Alpha, Beta;
        public float* A, B, C;
        public nint Ldb;

        public readonly void Invoke(int index)
        {
            int j0 = index * Chunk;
            int cols = Math.Min(Chunk, N - j0);
            Row(TransB, cols, K, Alpha, new ReadOnlySpan<float>(A, K), TransB ? B + j0 * Ldb : B + j0, Ldb, Beta,
                new Span<float>(C + j0, cols));
        }
    }

    /// <summary>cRow[N] = alpha * aRow[K] * op(B)[K, N] + beta * cRow.</summary>
    private static void Row(bool transB, int n, int k, float alpha, ReadOnlySpan<float> aRow, float* b, nint ldb,
        float beta, Span<float> cRow)
    {
        if (transB)
        {
            for (int j = 0; j < n; j++)
            {
                float dot = TensorPrimitives.Dot(aRow, new ReadOnlySpan<float>(b + j * ldb, k));
                cRow[j] = beta == 0f ? alpha * dot : alpha * dot + beta * cRow[j];
            }
            return;
        }
        if (beta == 0f) cRow.Clear();
        else if (beta != 1f) TensorPrimitives.Multiply(cRow, beta, cRow);
        for (int p = 0; p < k; p++)
            TensorPrimitives.MultiplyAdd(new ReadOnlySpan<float>(b + p * ldb, n), alpha * aRow[p], cRow, cRow);
    }
}
