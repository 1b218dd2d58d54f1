namespace NeuralSharp.Kernels.Tests.Gemm;

/// <summary>
/// Checks shared by the tests of the special NT paths (GemmDots, GemmRowDots): C = alpha * A * B^T + beta * C through
/// Gemm.SgemmCore against GemmReference on unaligned spans and padded strides, bit for bit across thread counts, and
/// the fused bias + activation epilogue against separate passes.
/// </summary>
internal static class NtPathChecks
{
    public static float[] Fill(Random rng, int length)
    {
        var x = new float[length];
        for (int i = 0; i < x.Length; i++) x[i] = (float)(rng.NextDouble() * 2 - 1);
        return x;
    }

    public static float[] Run(int m, int n, int k, float alpha, float[] a, int offA, int lda, float[] b, int offB, int ldb,
        float beta, float[] c0, int offC, int ldc, int threads)
    {
        var c = (float[])c0.Clone();
        NeuralSharp.Kernels.Gemm.SgemmCore(GemmBlocked.BestKernel, false, true, m, n, k, alpha, a.AsSpan(offA), lda,
            b.AsSpan(offB), ldb, beta, c.AsSpan(offC), ldc, threads, allowSmall: true);
        return c;
    }

    /// <summary>Every shape must be one the path takes (<paramref name="suits"/>) when the path is supported.</summary>
    public static void MatchReferenceOnAnyThreadCount(Random rng, IEnumerable<(int M, int N, int K)> shapes, Func<int, int, int, bool> suits, bool supported)
    {
        float[] betas = [0f, 1f, -0.75f];
        foreach (var (m, n, k) in shapes)
        {
            Assert.True(suits(m, n, k) || !supported);
            int lda = k + rng.Next(0, 4), ldb = k + rng.Next(0, 4), ldc = n + rng.Next(0, 4);
            int offA = rng.Next(1, 4), offB = rng.Next(1, 4), offC = rng.Next(1, 4);
            float alpha = rng.Next(2) == 0 ? 1f : -1.5f, beta = betas[rng.Next(betas.Length)];
            var a = Fill(rng, offA + m * lda + 3);
            var b = Fill(rng, offB + n * ldb + 3);
            var c0 = Fill(rng, offC + m * ldc + 3);
            if (beta == 0f) Array.Fill(c0, float.NaN);
            float[] one = Run(m, n, k, alpha, a, offA, lda, b, offB, ldb, beta, c0, offC, ldc, 1);

            var expected = (float[])c0.Clone();
            GemmReference.Sgemm(false, true, m, n, k, alpha, a.AsSpan(offA), lda, b.AsSpan(offB), ldb, beta, expected.AsSpan(offC), ldc);
            var bound = Array.ConvertAll(c0, Math.Abs);
            if (beta == 0f) Array.Fill(bound, 0f);
            GemmReference.Sgemm(false, true, m, n, k, Math.Abs(alpha), Array.ConvertAll(a, Math.Abs).AsSpan(offA), lda,
                Array.ConvertAll(b, Math.Abs).AsSpan(offB), ldb, Math.Abs(beta), bound.AsSpan(offC), ldc);
            for (int idx = 0; idx < one.Length; idx++)
            {
                int rel = idx - offC;
                bool inside = rel >= 0 && rel / ldc < m && rel % ldc < n;
                if (!inside)
                {
                    Assert.True(c0[idx].Equals(one[idx]), $"m={m} n={n} k={k}: element {idx} outside C was modified");
                    continue;
                }
                float tol = 2e-6f * (k + 4) * bound[idx] + 1e-30f;
                Assert.True(Math.Abs(one[idx] - expected[idx]) <= tol,
                    $"m={m} n={n} k={k} beta={beta}: C[{rel / ldc},{rel % ldc}] = {one[idx]}, expected {expected[idx]}");
            }
            foreach (int threads in new[] { 2, 3 })
                Assert.Equal(one, Run(m, n, k, alpha, a, offA, lda, b, offB, ldb, beta, c0, offC, ldc, threads));
        }
    }

    /// <summary>The fused bias + ReLU epilogue equals the unfused passes bit for bit on 1, 2 and 3 threads.</summary>
    public static void FusedEpilogueMatchesUnfusedPasses(Random rng, IEnumerable<(int M, int N, int K)> shapes)
    {
        foreach (var (m, n, k) in shapes)
        {
            var a = Fill(rng, m * k + 1);
            var b = Fill(rng, n * k + 2);
            var bias = Fill(rng, n + 1);
            var c0 = new float[m * n];
            float[] expected = Run(m, n, k, 1f, a, 1, k, b, 2, k, 0f, c0, 0, n, 1);
            var z = (float[])expected.Clone();
            for (int i = 0; i < m; i++)
            {
                Span<float> zr = z.AsSpan(i * n, n), er = expected.AsSpan(i * n, n);
                Elementwise.Add(bias.AsSpan(1, n), zr);
                Activations.Forward(Activation.Relu, zr, er, 0f);
            }
            foreach (int threads in new[] { 1, 2, 3 })
            {
                var c = new float[m * n];
                var zActual = new float[m * n];
                NeuralSharp.Kernels.Gemm.SgemmBiasActivationCore(GemmBlocked.BestKernel, false, true, m, n, k, a.AsSpan(1), k,
                    b.AsSpan(2), k, bias.AsSpan(1, n), Activation.Relu, 0f, c, n, zActual, threads, allowSmall: true);
                Assert.Equal(expected, c);
                Assert.Equal(z, zActual);
            }
        }
    }
}
