using NeuralSharp.Kernels.Tests.Threading;

namespace NeuralSharp.Kernels.Tests.Gemm;

/// <summary>
/// The M = 1 path (GemmVector: y = alpha * x * op(B) + beta * y, then the epilogue) against GemmReference on random and
/// edge shapes, unaligned spans and padded strides, and bit for bit across thread counts.
/// </summary>
[Collection(KernelThreadsCollection.Name)]
public sealed class GemmVectorTests
{
    private sealed record Case(bool TransA, bool TransB, int N, int K, int Lda, int Ldb, int OffA, int OffB, int OffC,
        float Alpha, float Beta, float[] A, float[] B, float[] C)
    {
        public static Case Make(Random rng, bool transA, bool transB, int n, int k, float alpha, float beta)
        {
            // transA: A is K x 1; lda 1 (contiguous, the vector path) or larger (strided, gathered elsewhere).
            int lda = transA ? 1 + (rng.Next(3) == 0 ? rng.Next(1, 3) : 0) : k + rng.Next(0, 4);
            int ldb = (transB ? k : n) + rng.Next(0, 4);
            int offA = rng.Next(1, 4), offB = rng.Next(1, 4), offC = rng.Next(1, 4);
            var a = Fill(rng, offA + (transA ? k * lda : lda) + 3);
            var b = Fill(rng, offB + (transB ? n : k) * ldb + 3);
            var c = Fill(rng, offC + n + 3);
            if (beta == 0f) Array.Fill(c, float.NaN);
            return new Case(transA, transB, n, k, lda, ldb, offA, offB, offC, alpha, beta, a, b, c);
        }

        private static float[] Fill(Random rng, int length)
        {
            var x = new float[length];
            for (int i = 0; i < x.Length; i++) x[i] = (float)(rng.NextDouble() * 2 - 1);
            return x;
        }

        public float[] Run(int threads)
        {
            var c = (float[])C.Clone();
            NeuralSharp.Kernels.Gemm.SgemmCore(GemmBlocked.BestKernel, TransA, TransB, 1, N, K, Alpha, A.AsSpan(OffA), Lda,
                B.AsSpan(OffB), Ldb, Beta, c.AsSpan(OffC), N, threads, allowSmall: true);
            return c;
        }

        public void Check(float[] actual)
        {
            var expected = (float[])C.Clone();
            GemmReference.Sgemm(TransA, TransB, 1, N, K, Alpha, A.AsSpan(OffA), Lda, B.AsSpan(OffB), Ldb, Beta,
                expected.AsSpan(OffC), N);
            var bound = Array.ConvertAll(C, Math.Abs);
            if (Beta == 0f) Array.Fill(bound, 0f);
            GemmReference.Sgemm(TransA, TransB, 1, N, K, Math.Abs(Alpha), Array.ConvertAll(A, Math.Abs).AsSpan(OffA), Lda,
                Array.ConvertAll(B, Math.Abs).AsSpan(OffB), Ldb, Math.Abs(Beta), bound.AsSpan(OffC), N);
            for (int idx = 0; idx < actual.Length; idx++)
            {
                int j = idx - OffC;
                if (j < 0 || j >= N)
                {
                    Assert.True(C[idx].Equals(actual[idx]), $"{this}: element {idx} outside C was modified");
                    continue;
                }
                float tol = 2e-6f * (K + 4) * bound[idx] + 1e-30f;
                Assert.True(Math.Abs(actual[idx] - expected[idx]) <= tol,
                    $"{this}: C[0,{j}] = {actual[idx]}, expected {expected[idx]} (tol {tol})");
            }
        }

        public override string ToString() =>
            $"transA={TransA} transB={TransB} m=1 n={N} k={K} lda={Lda} ldb={Ldb} alpha={Alpha} beta={Beta}";
    }

    private static readonly float[] Alphas = [1f, -0.5f, 2.5f];
    private static readonly float[] Betas = [0f, 1f, -0.75f];

    public static TheoryData<bool, bool> TransCombos => new() { { false, false }, { false, true }, { true, false }, { true, true } };

    [Theory]
    [MemberData(nameof(TransCombos))]
    public void RandomSizes_MatchReference_AndAgreeAcrossThreads(bool transA, bool transB)
    {
        var rng = new Random(1234 + (transA ? 2 : 0) + (transB ? 1 : 0));
        for (int rep = 0; rep < 120; rep++)
        {
            var t = Case.Make(rng, transA, transB, rng.Next(0, 258), rng.Next(0, 258),
                Alphas[rng.Next(Alphas.Length)], Betas[rng.Next(Betas.Length)]);
            float[] one = t.Run(1);
            t.Check(one);
            Assert.Equal(one, t.Run(2));
        }
    }

    [Theory]
    [MemberData(nameof(TransCombos))]
    public void EdgeAndLargeSizes_MatchReference_BitIdenticalForAnyThreadCount(bool transA, bool transB)
    {
        var rng = new Random(1234);
        // Around the 8-row / 16-, 64-, 128-column blocks and the 16-float K chunks; the large ones split over threads.
        int[] ns = [1, 7, 8, 9, 15, 16, 17, 63, 64, 65, 127, 128, 129, 200, 1000, 1024, 1031];
        int[] ks = [1, 15, 16, 17, 100, 784, 1025];
        foreach (int n in ns)
            foreach (int k in ks)
            {
                if ((long)n * k > 300_000) continue;
                var t = Case.Make(rng, transA, transB, n, k, Alphas[rng.Next(Alphas.Length)], Betas[rng.Next(Betas.Length)]);
                float[] one = t.Run(1);
                t.Check(one);
                foreach (int threads in new[] { 2, 3, 8 })
                    Assert.Equal(one, t.Run(threads));
            }
    }

    [Fact]
    public void PublicSgemm_UsesAllThreadsAndMatchesOneThread()
    {
        var rng = new Random(1234);
        int saved = KernelThreads.Count;
        try
        {
            foreach (bool transB in new[] { false, true })
            {
                var t = Case.Make(rng, false, transB, 1024, 784, 1f, 0f);
                KernelThreads.Count = 1;
                var c1 = (float[])t.C.Clone();
                NeuralSharp.Kernels.Gemm.Sgemm(false, transB, 1, t.N, t.K, 1f, t.A.AsSpan(t.OffA), t.Lda, t.B.AsSpan(t.OffB), t.Ldb,
                    0f, c1.AsSpan(t.OffC), t.N);
                KernelThreads.Count = 2;
                var c2 = (float[])t.C.Clone();
                NeuralSharp.Kernels.Gemm.Sgemm(false, transB, 1, t.N, t.K, 1f, t.A.AsSpan(t.OffA), t.Lda, t.B.AsSpan(t.OffB), t.Ldb,
                    0f, c2.AsSpan(t.OffC), t.N);
                t.Check(c1);
                Assert.Equal(c1, c2);
            }
        }
        finally
        {
            KernelThreads.Count = saved;
        }
    }

    [Fact]
    public void FusedEpilogue_MatchesUnfusedPassesBitForBit_OnAnyThreadCount()
    {
        var rng = new Random(1234);
        foreach (bool transB in new[] { false, true })
            foreach (int n in new[] { 1, 10, 33, 1024, 1031 })
            {
                int k = n > 100 ? 300 : 77;
                var t = Case.Make(rng, false, transB, n, k, 1f, 0f);
                var bias = Array.ConvertAll(new float[n + 2], _ => (float)(rng.NextDouble() * 2 - 1));
                float[] expected = t.Run(1);
                var row = expected.AsSpan(t.OffC, n);
                var z = row.ToArray();
                Elementwise.Add(bias.AsSpan(1, n), z);
                z.AsSpan().CopyTo(row);
                Activations.Forward(Activation.Relu, row, row, 0f);
                foreach (int threads in new[] { 1, 2, 3 })
                {
                    var c = (float[])t.C.Clone();
                    var zActual = new float[n];
                    NeuralSharp.Kernels.Gemm.SgemmBiasActivationCore(GemmBlocked.BestKernel, false, transB, 1, n, k,
                        t.A.AsSpan(t.OffA), t.Lda, t.B.AsSpan(t.OffB), t.Ldb, bias.AsSpan(1, n), Activation.Relu, 0f,
                        c.AsSpan(t.OffC), n, zActual, threads, allowSmall: true);
                    Assert.Equal(expected, c);
                    Assert.Equal(z, zActual);
                }
            }
    }
}
