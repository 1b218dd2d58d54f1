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

    public static void Run(bool transA, bool transB, int m, int n, int k, float alpha,
        float* a, nint lda, float* b, nint ldb, float beta, float* c, nint ldc)
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
