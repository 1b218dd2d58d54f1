namespace NeuralSharp.Kernels;

// Legend: M rows of op(A) and C, N columns of op(B) and C, K the reduction (columns of op(A), rows of op(B)).

/// <summary>Scalar reference of <see cref="Gemm.Sgemm"/> that the tests compare the fast path against.</summary>
internal static class GemmReference
{
    /// <summary>C = alpha * op(A) * op(B) + beta * C, a triple loop accumulating in float in k order.</summary>
    public static void Sgemm(bool transA, bool transB, int m, int n, int k, float alpha,
        ReadOnlySpan<float> a, int lda, ReadOnlySpan<float> b, int ldb, float beta, Span<float> c, int ldc)
    {
        for (int i = 0; i < m; i++)
        {
            for (int j = 0; j < n; j++)
            {
                float sum = 0f;
                for (int p = 0; p < k; p++)
                {
                    float x = transA ? a[p * lda + i] : a[i * lda + p];
                    float y = transB ? b[j * ldb + p] : b[p * ldb + j];
                    sum += x * y;
                }
                ref float dst = ref c[i * ldc + j];
                dst = beta == 0f ? alpha * sum : alpha * sum + beta * dst;
            }
        }
    }
}
