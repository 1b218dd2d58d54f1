using NeuralSharp.Kernels.Tests.Threading;

namespace NeuralSharp.Kernels.Tests.Gemm;

[Collection(KernelThreadsCollection.Name)]
public sealed class GemmTests
{
    /// <summary>One product: operands with padded leading dimensions at unaligned offsets in larger arrays.</summary>
    private sealed class Case
    {
        public bool TransA, TransB;
        public int M, N, K, Lda, Ldb, Ldc, OffA, OffB, OffC;
        public float Alpha, Beta;
        public float[] A = [], B = [], C = [];

        public static Case Make(Random rng, bool transA, bool transB, int m, int n, int k, float alpha, float beta, bool padded = true)
        {
            var t = new Case { TransA = transA, TransB = transB, M = m, N = n, K = k, Alpha = alpha, Beta = beta };
            int pad() => padded ? rng.Next(0, 4) : 0;
            t.Lda = (transA ? m : k) + pad();
            t.Ldb = (transB ? k : n) + pad();
            t.Ldc = n + pad();
            t.OffA = padded ? rng.Next(1, 4) : 0;
            t.OffB = padded ? rng.Next(1, 4) : 0;
            t.OffC = padded ? rng.Next(1, 4) : 0;
            t.A = Fill(rng, t.OffA + (transA ? k : m) * t.Lda + 3);
            t.B = Fill(rng, t.OffB + (transB ? n : k) * t.Ldb + 3);
            t.C = Fill(rng, t.OffC + m * t.Ldc + 3);
            if (beta == 0f) Array.Fill(t.C, float.NaN); // must be ignored
            return t;
        }

        private static float[] Fill(Random rng, int length)
        {
            var x = new float[length];
            for (int i = 0; i < x.Length; i++) x[i] = (float)(rng.NextDouble() * 2 - 1);
            return x;
        }

        public float[] RunFast(Func<Case, float[]>? run = null)
        {
            if (run is not null) return run(this);
            var c = (float[])C.Clone();
            NeuralSharp.Kernels.Gemm.Sgemm(TransA, TransB, M, N, K, Alpha, A.AsSpan(OffA), Lda, B.AsSpan(OffB), Ldb, Beta,
                c.AsSpan(OffC), Ldc);
            return c;
        }

        public float[] RunCore(GemmKernelKind kind, int threads, bool allowSmall)
        {
            var c = (float[])C.Clone();
            NeuralSharp.Kernels.Gemm.SgemmCore(kind, TransA, TransB, M, N, K, Alpha, A.AsSpan(OffA), Lda, B.AsSpan(OffB), Ldb,
                Beta, c.AsSpan(OffC), Ldc, threads, allowSmall);
            return c;
        }

        public void Check(float[] actual)
        {
            var expected = (float[])C.Clone();
            GemmReference.Sgemm(TransA, TransB, M, N, K, Alpha, A.AsSpan(OffA), Lda, B.AsSpan(OffB), Ldb, Beta,
                expected.AsSpan(OffC), Ldc);
            // Error bound from the magnitudes: |alpha| * sum |a||b| + |beta c|.
            float[] absA = Abs(A), absB = Abs(B), bound = Abs(C);
            if (Beta == 0f) Array.Fill(bound, 0f);
            GemmReference.Sgemm(TransA, TransB, M, N, K, Math.Abs(Alpha), absA.AsSpan(OffA), Lda, absB.AsSpan(OffB), Ldb,
                Math.Abs(Beta), bound.AsSpan(OffC), Ldc);
            for (int idx = 0; idx < actual.Length; idx++)
            {
                int rel = idx - OffC;
                bool inside = M > 0 && N > 0 && rel >= 0 && rel / Ldc < M && rel % Ldc < N;
                if (!inside)
                {
                    // Untouched: padding, offsets and the tail keep their old values (NaN included).
                    Assert.True(C[idx].Equals(actual[idx]), $"{this}: element {idx} outside C was modified");
                    continue;
                }
                float tol = 2e-6f * (K + 4) * bound[idx] + 1e-30f;
                float diff = Math.Abs(actual[idx] - expected[idx]);
                Assert.True(diff <= tol,
                    $"{this}: C[{rel / Ldc},{rel % Ldc}] = {actual[idx]}, expected {expected[idx]} (tol {tol})");
            }
        }

        private static float[] Abs(float[] x) => Array.ConvertAll(x, Math.Abs);

        public override string ToString() =>
            $"transA={TransA} transB={TransB} m={M} n={N} k={K} lda={Lda} ldb={Ldb} ldc={Ldc} alpha={Alpha} beta={Beta}";
    }

    private static readonly float[] Alphas = [1f, -0.5f, 2.5f];
    private static readonly float[] Betas = [0f, 1f, -0.75f];

    public static TheoryData<bool, bool> TransCombos => new() { { false, false }, { false, true }, { true, false }, { true, true } };

    public static IEnumerable<object[]> KindsAndTrans()
    {
        var kinds = new List<GemmKernelKind> { GemmKernelKind.Scalar };
        if (System.Runtime.Intrinsics.Vector256.IsHardwareAccelerated && System.Runtime.Intrinsics.X86.Fma.IsSupported)
            kinds.Add(GemmKernelKind.Avx256);
        if (System.Runtime.Intrinsics.Vector512.IsHardwareAccelerated) kinds.Add(GemmKernelKind.Avx512);
        foreach (var kind in kinds)
            foreach (bool ta in new[] { false, true })
                foreach (bool tb in new[] { false, true })
                    yield return [kind, ta, tb];
    }

    [Theory]
    [MemberData(nameof(TransCombos))]
    public void Sgemm_RandomSmallSizes_MatchReference(bool transA, bool transB)
    {
        var rng = new Random(1234 + (transA ? 2 : 0) + (transB ? 1 : 0));
        for (int rep = 0; rep < 150; rep++)
        {
            var t = Case.Make(rng, transA, transB, rng.Next(0, 71), rng.Next(0, 71), rng.Next(0, 71),
                Alphas[rng.Next(Alphas.Length)], Betas[rng.Next(Betas.Length)]);
            t.Check(t.RunFast());
        }
    }

    [Theory]
    [MemberData(nameof(KindsAndTrans))]
    internal void BlockedKernels_RandomSizes_MatchReference(GemmKernelKind kind, bool transA, bool transB)
    {
        var rng = new Random(1234);
        for (int rep = 0; rep < 40; rep++)
        {
            var t = Case.Make(rng, transA, transB, rng.Next(1, 71), rng.Next(1, 71), rng.Next(1, 71),
                Alphas[rng.Next(Alphas.Length)], Betas[rng.Next(Betas.Length)]);
            t.Check(t.RunCore(kind, threads: 1 + rep % 3, allowSmall: false));
        }
    }

    [Theory]
    [MemberData(nameof(TransCombos))]
    public void Sgemm_BlockEdgeSizes_MatchReference(bool transA, bool transB)
    {
        var rng = new Random(1234);
        int[] edges = [1, 7, 11, 12, 13, 31, 32, 33, 95, 97, 193, 257, 300];
        foreach (int e in edges)
        {
            // Each dimension in turn at the edge size, the others moderate.
            int other = rng.Next(20, 50);
            foreach (var (m, n, k) in new[] { (e, other, 37), (other, e, 41), (29, other, e), (e, e, e <= 97 ? e : 33) })
            {
                var t = Case.Make(rng, transA, transB, m, n, k, Alphas[rng.Next(Alphas.Length)], Betas[rng.Next(Betas.Length)]);
                t.Check(t.RunFast());
            }
        }
        var big = Case.Make(rng, transA, transB, 300, 300, 300, 1f, 0.5f);
        big.Check(big.RunFast());
        var deep = Case.Make(rng, transA, transB, 40, 70, 600, -1f, 0f);  // several K blocks
        deep.Check(deep.RunFast());
    }

    [Fact]
    public void Sgemm_KZeroOrAlphaZero_ScalesC()
    {
        var rng = new Random(1234);
        foreach (float beta in Betas)
        {
            var t = Case.Make(rng, false, true, 5, 9, 0, 1f, beta);
            t.Check(t.RunFast());
            var u = Case.Make(rng, true, false, 6, 4, 8, 0f, beta);
            u.Check(u.RunFast());
        }
    }

    [Fact]
    public void Sgemm_VectorTimesMatrixAndMatrixTimesVector_MatchReference()
    {
        var rng = new Random(1234);
        foreach (bool ta in new[] { false, true })
            foreach (bool tb in new[] { false, true })
                foreach (var (m, n, k) in new[] { (1, 300, 257), (1, 1500, 200), (1, 1, 1100), (1, 33, 1), (300, 1, 257), (17, 1, 1100) })
                {
                    var t = Case.Make(rng, ta, tb, m, n, k, 1.5f, Betas[rng.Next(Betas.Length)]);
                    t.Check(t.RunFast());
                }
    }

    [Theory]
    [MemberData(nameof(TransCombos))]
    public void Sgemm_ChunkedSplits_MatchReference_AndOneThread_BackToBack(bool transA, bool transB)
    {
        // Products split in chunks with a per-thread cache of the shared packed operand (GemmBlocked): A for few rows
        // (one row block, several K blocks), B for few columns and a short K. Two products of each shape run back to
        // back with different data, so a cache kept from the first would show in the second.
        var rng = new Random(4321);
        int saved = KernelThreads.Count;
        try
        {
            foreach (var (m, n, k) in new[] { (100, 900, 700), (128, 1024, 300), (700, 300, 200), (1000, 120, 256) })
            {
                var first = Case.Make(rng, transA, transB, m, n, k, 1f, 0f);
                var second = Case.Make(rng, transA, transB, m, n, k, 0.5f, 0.25f);
                KernelThreads.Count = 1;
                float[] one1 = first.RunFast(), one2 = second.RunFast();
                first.Check(one1);
                second.Check(one2);
                foreach (int threads in new[] { 2, 3 })
                {
                    KernelThreads.Count = Math.Min(threads, 2);
                    Assert.Equal(one1, first.RunCore(GemmBlocked.BestKernel, threads, allowSmall: false));
                    Assert.Equal(one2, second.RunCore(GemmBlocked.BestKernel, threads, allowSmall: false));
                    Assert.Equal(one1, first.RunCore(GemmBlocked.BestKernel, threads, allowSmall: false));
                }
            }
        }
        finally
        {
            KernelThreads.Count = saved;
        }
    }

    [Theory]
    [MemberData(nameof(TransCombos))]
    public void Avx512EdgeRows_SameBitsAsTheFullTile(bool transA, bool transB)
    {
        // An M tail of 1..8 rows runs the 4- or 8-row edge kernel (into C directly for 4 or 8 full-width rows, through
        // the edge buffer otherwise); the same rows inside a product with four more rows run the 12-row kernel. Their
        // bits must agree, and the rows must match the reference.
        if (GemmBlocked.BestKernel != GemmKernelKind.Avx512) return;
        var rng = new Random(2468);
        foreach (int tail in new[] { 1, 3, 4, 5, 8 })
            foreach (int n in new[] { 64, 45 })
                foreach (float beta in Betas)
                {
                    int m = 12 + tail, k = 300;   // two K blocks
                    var t = Case.Make(rng, transA, transB, m, n, k, 1.5f, beta, padded: false);
                    var wide = Case.Make(rng, transA, transB, m + 4, n, k, 1.5f, beta, padded: false);
                    // The first m rows of the wider product are t's: A's rows (A's columns when transposed), B and C.
                    for (int i = 0; i < m; i++)
                        for (int p = 0; p < k; p++)
                            wide.A[transA ? p * wide.Lda + i : i * wide.Lda + p] = t.A[transA ? p * t.Lda + i : i * t.Lda + p];
                    Array.Copy(t.B, wide.B, t.B.Length);
                    Array.Copy(t.C, wide.C, m * n);
                    float[] edge = t.RunCore(GemmKernelKind.Avx512, threads: 1, allowSmall: false);
                    float[] full = wide.RunCore(GemmKernelKind.Avx512, threads: 1, allowSmall: false);
                    t.Check(edge);
                    Assert.Equal(full.AsSpan(0, m * n).ToArray(), edge.AsSpan(0, m * n).ToArray());
                }
    }

    [Theory]
    [MemberData(nameof(TransCombos))]
    public void Sgemm_BitIdenticalForAnyThreadCount(bool transA, bool transB)
    {
        var rng = new Random(1234);
        var t = Case.Make(rng, transA, transB, 300, 299, 301, 0.75f, -0.5f);
        int saved = KernelThreads.Count;
        try
        {
            KernelThreads.Count = 1;
            float[] one = t.RunFast();
            KernelThreads.Count = 2;
            float[] two = t.RunFast();
            Assert.Equal(one, two);
            // Other task splits (more tasks than cores, M- or N-wise) give the same bits too.
            foreach (int threads in new[] { 3, 5, 8 })
                Assert.Equal(one, t.RunCore(GemmBlocked.BestKernel, threads, allowSmall: true));
            var gemv = Case.Make(rng, transA, transB, 1, 1500, 300, 1f, 0.5f);   // vector-matrix, column chunks
            Assert.Equal(gemv.RunCore(GemmBlocked.BestKernel, 1, true), gemv.RunCore(GemmBlocked.BestKernel, 2, true));
            var tall = Case.Make(rng, transA, transB, 301, 40, 200, 1f, 0f);
            Assert.Equal(tall.RunCore(GemmBlocked.BestKernel, 1, false), tall.RunCore(GemmBlocked.BestKernel, 2, false));
            Assert.Equal(tall.RunCore(GemmBlocked.BestKernel, 1, false), tall.RunCore(GemmBlocked.BestKernel, 7, false));
        }
        finally
        {
            KernelThreads.Count = saved;
        }
    }

    [Fact]
    public void Sgemm_InvalidArguments_Throw()
    {
        var a = new float[12];
        var b = new float[12];
        var c = new float[12];
        Assert.Throws<ArgumentException>(() => NeuralSharp.Kernels.Gemm.Sgemm(false, false, -1, 2, 2, 1, a, 2, b, 2, 0, c, 2));
        Assert.Throws<ArgumentException>(() => NeuralSharp.Kernels.Gemm.Sgemm(false, false, 3, 4, 4, 1, a, 4, b, 4, 0, c, 4)); // a short
        Assert.Throws<ArgumentException>(() => NeuralSharp.Kernels.Gemm.Sgemm(false, false, 3, 4, 3, 1, a, 2, b, 4, 0, c, 4)); // lda < k
        Assert.Throws<ArgumentException>(() => NeuralSharp.Kernels.Gemm.Sgemm(true, false, 3, 4, 3, 1, a, 3, b, 3, 0, c, 4));  // ldb < n
        Assert.Throws<ArgumentException>(() => NeuralSharp.Kernels.Gemm.Sgemm(false, true, 3, 4, 3, 1, a, 3, b.AsSpan(1), 3, 0, c, 4));  // b short
        var e = Assert.Throws<ArgumentException>(() => NeuralSharp.Kernels.Gemm.Sgemm(false, false, 3, 3, 3, 1, a, 3, b, 3, 0, c, 5));
        Assert.Contains("Sgemm", e.Message);
        Assert.Equal("c", e.ParamName);
        // Empty products accept empty spans.
        NeuralSharp.Kernels.Gemm.Sgemm(false, false, 0, 0, 5, 1, [], 5, [], 0, 0, [], 0);
    }
}
