namespace NeuralSharp.Kernels;

// Legend: M rows of op(A) and C, N columns of op(B) and C, K the reduction (columns of op(A), rows of op(B)).
// All matrices are row-major; ld* is the distance in floats between consecutive rows as stored.

/// <summary>General matrix multiplication (BLAS SGEMM, row-major).</summary>
public static partial class Gemm
{
    /// <summary>Products with at most this many multiply-adds skip packing (see <see cref="GemmSmall"/>); measured break-even.</summary>
    internal const long SmallThreshold = 12L * 12 * 12;

    /// <summary>
    /// C[M, N] = alpha * op(A)[M, K] * op(B)[K, N] + beta * C, where op(X) is X or its transpose.
    /// </summary>
    /// <param name="transA">If true, A is stored as K x M and op(A) = A^T; otherwise A is stored as M x K.</param>
    /// <param name="transB">If true, B is stored as N x K and op(B) = B^T; otherwise B is stored as K x N.</param>
    /// <param name="m">Rows of op(A) and C (M &gt;= 0).</param>
    /// <param name="n">Columns of op(B) and C (N &gt;= 0).</param>
    /// <param name="k">Columns of op(A) and rows of op(B) (K &gt;= 0); K = 0 gives C = beta * C.</param>
    /// <param name="alpha">Scale of the product; 0 means A and B are not read.</param>
    /// <param name="a">A, row-major with leading dimension <paramref name="lda"/>.</param>
    /// <param name="lda">Row stride of A as stored (&gt;= K, or &gt;= M when <paramref name="transA"/>).</param>
    /// <param name="b">B, row-major with leading dimension <paramref name="ldb"/>.</param>
    /// <param name="ldb">Row stride of B as stored (&gt;= N, or &gt;= K when <paramref name="transB"/>).</param>
    /// <param name="beta">Scale of the old C; 0 means C is overwritten (its old contents, even NaN, are ignored).</param>
    /// <param name="c">C (M x N), row-major with leading dimension <paramref name="ldc"/>; updated in place.</param>
    /// <param name="ldc">Row stride of C (&gt;= N).</param>
    /// <exception cref="ArgumentException">A dimension is negative, a leading dimension is too small, or a span is
    /// shorter than its matrix needs ((rows - 1) * ld + cols).</exception>
    /// <remarks>
    /// Runs on up to <see cref="KernelThreads.Count"/> threads for large products, splitting C into disjoint blocks;
    /// the result is bit-identical whatever the thread count.
    /// </remarks>
    public static unsafe void Sgemm(bool transA, bool transB, int m, int n, int k, float alpha,
        ReadOnlySpan<float> a, int lda, ReadOnlySpan<float> b, int ldb, float beta, Span<float> c, int ldc)
    {
        Validate(transA, transB, m, n, k, a.Length, lda, b.Length, ldb, c.Length, ldc);
        SgemmCore(GemmBlocked.BestKernel, transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc,
            KernelThreads.Count, allowSmall: true);
    }

    /// <summary>Sgemm after validation, with the kernel, thread count and small path chosen by the caller (tests).</summary>
    internal static void SgemmCore(GemmKernelKind kind, bool transA, bool transB, int m, int n, int k, float alpha,
        ReadOnlySpan<float> a, int lda, ReadOnlySpan<float> b, int ldb, float beta, Span<float> c, int ldc,
        int threads, bool allowSmall) =>
        SgemmCore(kind, transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc, threads, allowSmall, default);

    /// <summary>
    /// Sgemm after validation, then <paramref name="epilogue"/> on every element of C: per tile after the last K block
    /// on the blocked path, per row after the product on the small path and for K = 0.
    /// </summary>
    internal static unsafe void SgemmCore(GemmKernelKind kind, bool transA, bool transB, int m, int n, int k, float alpha,
        ReadOnlySpan<float> a, int lda, ReadOnlySpan<float> b, int ldb, float beta, Span<float> c, int ldc,
        int threads, bool allowSmall, GemmEpilogue epilogue)
    {
        if (m == 0 || n == 0) return;
        fixed (float* pa = a, pb = b, pc = c)
        {
            if (k == 0 || alpha == 0f)
            {
                ScaleC(c, m, n, ldc, beta);
                if (!epilogue.IsNoOp) epilogue.Apply(pc, ldc, 0, 0, m, n);
                return;
            }
            if (allowSmall && m == 1 && (!transA || lda == 1) && GemmVector.IsSupported)
            {
                // One row of C: a bandwidth-bound vector-matrix product with the epilogue fused per column range.
                GemmVector.Run(transB, n, k, alpha, pa, pb, ldb, beta, pc, epilogue, threads);
                return;
            }
            if (allowSmall && GemmDots.Suits(transA, transB, m, n, k))
            {
                // A few output columns (x * W^T with a small W): dot products beat padding N to the register tile.
                GemmDots.Run(m, n, k, alpha, pa, lda, pb, ldb, beta, pc, ldc, epilogue, threads);
                return;
            }
            if (allowSmall && GemmRowDots.Suits(transA, transB, m, n, k))
            {
                // A few rows (x * W^T on a small batch): dot products beat packing all of W for a few rows of A.
                GemmRowDots.Run(m, n, k, alpha, pa, lda, pb, ldb, beta, pc, ldc, epilogue, threads);
                return;
            }
            if (allowSmall && (m == 1 || (long)m * n * k <= SmallThreshold))
            {
                GemmSmall.Run(transA, transB, m, n, k, alpha, pa, lda, pb, ldb, beta, pc, ldc, threads);
                // Small C (or one row): a second pass over it is cheap and still hits L1/L2.
                if (!epilogue.IsNoOp) epilogue.Apply(pc, ldc, 0, 0, m, n);
                return;
            }
            var args = new GemmBlocked.Args
            {
                A = pa, B = pb, C = pc, Lda = lda, Ldb = ldb, Ldc = ldc, TransA = transA, TransB = transB,
                M = m, N = n, K = k, Alpha = alpha, Beta = beta, Kind = kind, Epilogue = epilogue,
            };
            GemmBlocked.Run(args, threads);
        }
    }

    /// <summary>C = beta * C (beta == 0: C = 0, ignoring NaN).</summary>
    private static void ScaleC(Span<float> c, int m, int n, int ldc, float beta)
    {
        if (beta == 1f) return;
        for (int i = 0; i < m; i++)
        {
            Span<float> row = c.Slice(i * ldc, n);
            if (beta == 0f) row.Clear();
            else System.Numerics.Tensors.TensorPrimitives.Multiply(row, beta, row);
        }
    }

    internal static void Validate(bool transA, bool transB, int m, int n, int k,
        int aLength, int lda, int bLength, int ldb, int cLength, int ldc)
    {
        if (m < 0 || n < 0 || k < 0)
            throw new ArgumentException($"Sgemm: dimensions must be non-negative, got m={m}, n={n}, k={k}.");
        CheckMatrix("a", transA ? k : m, transA ? m : k, aLength, lda, transA ? "K x M (transA)" : "M x K");
        CheckMatrix("b", transB ? n : k, transB ? k : n, bLength, ldb, transB ? "N x K (transB)" : "K x N");
        CheckMatrix("c", m, n, cLength, ldc, "M x N");
    }

    private static void CheckMatrix(string name, int rows, int cols, int length, int ld, string shape)
    {
        if (ld < cols)
            throw new ArgumentException(
                $"Sgemm: leading dimension ld{name} = {ld} is smaller than the {cols} columns of {name} ({shape} = {rows} x {cols}).",
                "ld" + name);
        if (rows == 0 || cols == 0) return;
        long need = (long)(rows - 1) * ld + cols;
        if (length < need)
            throw new ArgumentException(
                $"Sgemm: span {name} ({shape} = {rows} x {cols}, ld{name} = {ld}) needs at least {need} floats, got {length}.",
                name);
    }
}
