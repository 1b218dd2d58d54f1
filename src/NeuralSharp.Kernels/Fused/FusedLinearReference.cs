namespace NeuralSharp.Kernels;

// Legend: M, N, K as in Gemm; Rows, Cols as in FusedLinear.

/// <summary>
/// The unfused compositions that <see cref="Gemm.SgemmBiasActivation"/> and <see cref="FusedLinear.ActivationBackward"/>
/// replace (separate passes over memory); the tests require the fused kernels to equal them bit for bit.
/// </summary>
internal static class FusedLinearReference
{
    /// <summary>Sgemm (alpha 1, beta 0) into C, then a bias pass, a copy to preActivation and an activation pass per row.</summary>
    public static void SgemmBiasActivation(bool transA, bool transB, int m, int n, int k,
        ReadOnlySpan<float> a, int lda, ReadOnlySpan<float> b, int ldb, ReadOnlySpan<float> bias,
        Activation activation, float alpha, Span<float> c, int ldc, Span<float> preActivation)
    {
        Gemm.Sgemm(transA, transB, m, n, k, 1f, a, lda, b, ldb, 0f, c, ldc);
        for (int i = 0; i < m; i++)
        {
            Span<float> row = c.Slice(i * ldc, n);
            if (!bias.IsEmpty) Elementwise.Add(bias, row);
            if (!preActivation.IsEmpty) row.CopyTo(preActivation.Slice(i * ldc, n));
            Activations.Forward(activation, row, row, alpha);
        }
    }

    /// <summary>dz = 0, <see cref="Activations.Backward"/> into it, then <see cref="Reduce.Sum"/> of dz over rows into biasGrad.</summary>
    public static void ActivationBackward(Activation activation, ReadOnlySpan<float> z, ReadOnlySpan<float> y,
        ReadOnlySpan<float> dy, Span<float> dz, Span<float> biasGrad, int rows, int cols, float alpha)
    {
        dz.Clear();
        Activations.Backward(activation, z, y, dy, dz, alpha);
        if (!biasGrad.IsEmpty) Reduce.Sum(dz, biasGrad, 1, rows, cols, accumulate: true);
    }
}
