namespace NeuralSharp.Kernels;

// Legend: M rows of op(A) and C, N columns of op(B) and C, K the reduction (columns of op(A), rows of op(B)).
// All matrices are row-major; ld* is the distance in floats between consecutive rows as stored.

public static partial class Gemm
{
    /// <summary>
    /// The fused linear-layer product: Z[M, N] = op(A)[M, K] * op(B)[K, N] + bias (bias[j] added to column j), then
    /// C = act(Z) element-wise. The bias and activation are applied to each register tile of C right after its last K
    /// block (an epilogue), not in extra passes over C.
    /// </summary>
    /// <param name="transA">If true, A is stored as K x M and op(A) = A^T; otherwise A is stored as M x K.</param>
    /// <param name="transB">If true, B is stored as N x K and op(B) = B^T (a linear layer's weight [Out, In]).</param>
    /// <param name="m">Rows of op(A) and C (M &gt;= 0).</param>
    /// <param name="n">Columns of op(B) and C (N &gt;= 0).</param>
    /// <param name="k">Columns of op(A) and rows of op(B) (K &gt;= 0); K = 0 gives C = act(bias).</param>
    /// <param name="a">A, row-major with leading dimension <paramref name="lda"/>.</param>
    /// <param name="lda">Row stride of A as stored (&gt;= K, or &gt;= M when <paramref name="transA"/>).</param>
    /// <param name="b">B, row-major with leading dimension <paramref name="ldb"/>.</param>
    /// <param name="ldb">Row stride of B as stored (&gt;= N, or &gt;= K when <paramref name="transB"/>).</param>
    /// <param name="bias">bias[N], or empty for none.</param>
    /// <param name="activation">The activation applied after the bias (<see cref="Activation.Identity"/>: none).</param>
    /// <param name="alpha">LeakyRelu's negative slope, or Softplus's beta; ignored by the other activations.</param>
    /// <param name="c">C (M x N), row-major with leading dimension <paramref name="ldc"/>; overwritten (old contents
    /// ignored, even NaN). Elements between rows (the ldc padding) are not touched.</param>
    /// <param name="ldc">Row stride of C (&gt;= N); also the row stride of <paramref name="preActivation"/>.</param>
    /// <param name="preActivation">Where to keep Z (M x N with row stride <paramref name="ldc"/>), or empty to not
    /// keep it. Must not overlap <paramref name="c"/>.</param>
    /// <exception cref="ArgumentException">A dimension is negative, a leading dimension is too small, a span is shorter
    /// than its matrix needs ((rows - 1) * ld + cols), bias is neither empty nor of length N, preActivation overlaps C,
    /// the activation is unknown, or Softplus with alpha = 0 or NaN.</exception>
    /// <remarks>
    /// The result equals <see cref="Sgemm"/> (alpha = 1, beta = 0), then Z[i, j] += bias[j], then
    /// <see cref="Activations.Forward"/> bit for bit: the same operations in the same order. Runs on up to
    /// <see cref="KernelThreads.Count"/> threads for large products; the result is bit-identical whatever the thread count.
    /// </remarks>
    public static unsafe void SgemmBiasActivation(bool transA, bool transB, int m, int n, int k,
        ReadOnlySpan<float> a, int lda, ReadOnlySpan<float> b, int ldb, ReadOnlySpan<float> bias,
        Activation activation, float alpha, Span<float> c, int ldc, Span<float> preActivation = default)
    {
        ValidateEpilogue(m, n, ldc, bias.Length, activation, alpha, c, preActivation);
        Validate(transA, transB, m, n, k, a.Length, lda, b.Length, ldb, c.Length, ldc);
        SgemmBiasActivationCore(GemmBlocked.BestKernel, transA, transB, m, n, k, a, lda, b, ldb, bias, activation, alpha,
            c, ldc, preActivation, KernelThreads.Count, allowSmall: true);
    }

    /// <summary>SgemmBiasActivation after validation, with the kernel, thread count and small path chosen by the caller (tests).</summary>
    internal static unsafe void SgemmBiasActivationCore(GemmKernelKind kind, bool transA, bool transB, int m, int n, int k,
        ReadOnlySpan<float> a, int lda, ReadOnlySpan<float> b, int ldb, ReadOnlySpan<float> bias,
        Activation activation, float alpha, Span<float> c, int ldc, Span<float> preActivation, int threads, bool allowSmall)
    {
        fixed (float* pBias = bias, pz = preActivation)
        {
            var epilogue = new GemmEpilogue(bias.IsEmpty ? null : pBias, activation, alpha, preActivation.IsEmpty ? null : pz);
            SgemmCore(kind, transA, transB, m, n, k, 1f, a, lda, b, ldb, 0f, c, ldc, threads, allowSmall, epilogue);
        }
    }

    private static void ValidateEpilogue(int m, int n, int ldc, int biasLength, Activation activation, float alpha,
        Span<float> c, Span<float> preActivation)
    {
        const string kernel = "Gemm.SgemmBiasActivation";
        if (biasLength != 0 && biasLength != n)
            throw new ArgumentException($"{kernel}: 'bias' has length {biasLength}, expected N = {n} (or 0 for none).", "bias");
        Activations.Validate(kernel, activation, alpha);
        if (preActivation.IsEmpty || m == 0 || n == 0) return;
        long need = (long)(m - 1) * ldc + n;
        if (ldc >= n && preActivation.Length < need)
            throw new ArgumentException(
                $"{kernel}: span preActivation (M x N = {m} x {n}, ldc = {ldc}) needs at least {need} floats, got {preActivation.Length}.",
                nameof(preActivation));
        if (c.Overlaps(preActivation))
            throw new ArgumentException($"{kernel}: 'preActivation' overlaps 'c'; give it its own buffer.", nameof(preActivation));
    }
}
