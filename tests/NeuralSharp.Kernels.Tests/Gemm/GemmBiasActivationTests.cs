using System.Runtime.Intrinsics;
using NeuralSharp.Kernels.Tests.Threading;

namespace NeuralSharp.Kernels.Tests.Gemm;

/// <summary>
/// Gemm.SgemmBiasActivation (bias + activation in the GEMM epilogue) against the unfused passes
/// (Sgemm, bias add, Activations.Forward): bit for bit, for every activation, edge tiles and thread counts.
/// </summary>
[Collection(KernelThreadsCollection.Name)]
public sealed class GemmBiasActivationTests
{
    private static readonly Activation[] AllActivations = Enum.GetValues<Activation>();

    /// <summary>Sizes around the register tiles (12 x 32), the blocks (MC 144, KC 256) and small products.</summary>
    private static readonly int[] EdgeSizes = [0, 1, 12, 13, 32, 33, 144, 145, 257, 300];

    /// <summary>One product with padded leading dimensions at unaligned offsets; C and Z start as NaN (must be ignored).</summary>
    private sealed class Case
    {
        public bool TransA, TransB, HasBias, KeepZ;
        public int M, N, K, Lda, Ldb, Ldc, OffA, OffB, OffC, OffBias;
        public Activation Act;
        public float Alpha;
        public float[] A = [], B = [], Bias = [], C = [];

        public static Case Make(Random rng, int m, int n, int k, Activation act, bool hasBias, bool keepZ)
        {
            var t = new Case
            {
                M = m, N = n, K = k, Act = act, HasBias = hasBias, KeepZ = keepZ,
                TransA = rng.Next(2) == 1, TransB = rng.Next(2) == 1,
                Alpha = act == Activation.Softplus ? 0.5f + (float)rng.NextDouble() : (float)(rng.NextDouble() * 0.4 - 0.1),
            };
            t.Lda = (t.TransA ? m : k) + rng.Next(0, 4);
            t.Ldb = (t.TransB ? k : n) + rng.Next(0, 4);
            t.Ldc = n + rng.Next(0, 4);
            t.OffA = rng.Next(1, 4);
            t.OffB = rng.Next(1, 4);
            t.OffC = rng.Next(1, 4);
            t.OffBias = rng.Next(1, 4);
            t.A = Fill(rng, t.OffA + (t.TransA ? k : m) * t.Lda + 3, 1f);
            t.B = Fill(rng, t.OffB + (t.TransB ? n : k) * t.Ldb + 3, 1f);
            t.Bias = Fill(rng, t.OffBias + n + 3, 2f);
            t.C = new float[t.OffC + m * t.Ldc + 3];
            Array.Fill(t.C, float.NaN);
            return t;
        }

        private static float[] Fill(Random rng, int length, float scale)
        {
            var x = new float[length];
            for (int i = 0; i < x.Length; i++) x[i] = (float)(rng.NextDouble() * 2 - 1) * scale;
            return x;
        }

        private ReadOnlySpan<float> BiasSpan => HasBias ? Bias.AsSpan(OffBias, N) : default;

        /// <summary>The public API; returns (C, Z) as whole arrays (offsets and padding included).</summary>
        public (float[] C, float[] Z) Run()
        {
            float[] c = (float[])C.Clone(), z = (float[])C.Clone();
            NeuralSharp.Kernels.Gemm.SgemmBiasActivation(TransA, TransB, M, N, K, A.AsSpan(OffA), Lda, B.AsSpan(OffB), Ldb,
                BiasSpan, Act, Alpha, c.AsSpan(OffC), Ldc, KeepZ ? z.AsSpan(OffC) : default);
            return (c, z);
        }

        /// <summary>A chosen kernel, thread count and small path.</summary>
        public (float[] C, float[] Z) RunCore(GemmKernelKind kind, int threads, bool allowSmall)
        {
            float[] c = (float[])C.Clone(), z = (float[])C.Clone();
            NeuralSharp.Kernels.Gemm.SgemmBiasActivationCore(kind, TransA, TransB, M, N, K, A.AsSpan(OffA), Lda, B.AsSpan(OffB),
                Ldb, BiasSpan, Act, Alpha, c.AsSpan(OffC), Ldc, KeepZ ? z.AsSpan(OffC) : default, threads, allowSmall);
            return (c, z);
        }

        /// <summary>The unfused passes: the public Sgemm, then bias and activation passes.</summary>
        public (float[] C, float[] Z) Reference()
        {
            float[] c = (float[])C.Clone(), z = (float[])C.Clone();
            FusedLinearReference.SgemmBiasActivation(TransA, TransB, M, N, K, A.AsSpan(OffA), Lda, B.AsSpan(OffB), Ldb,
                BiasSpan, Act, Alpha, c.AsSpan(OffC), Ldc, KeepZ ? z.AsSpan(OffC) : default);
            return (c, z);
        }

        /// <summary>The unfused passes on top of SgemmCore with a chosen kernel and small path.</summary>
        public (float[] C, float[] Z) ReferenceCore(GemmKernelKind kind, bool allowSmall)
        {
            float[] c = (float[])C.Clone(), z = (float[])C.Clone();
            NeuralSharp.Kernels.Gemm.SgemmCore(kind, TransA, TransB, M, N, K, 1f, A.AsSpan(OffA), Lda, B.AsSpan(OffB), Ldb, 0f,
                c.AsSpan(OffC), Ldc, 1, allowSmall);
            for (int i = 0; i < M; i++)
            {
                Span<float> row = c.AsSpan(OffC + i * Ldc, N);
                if (HasBias) Elementwise.Add(BiasSpan, row);
                if (KeepZ) row.CopyTo(z.AsSpan(OffC + i * Ldc, N));
                Activations.Forward(Act, row, row, Alpha);
            }
            return (c, z);
        }

        public override string ToString() =>
            $"{Act}(alpha {Alpha}) m={M} n={N} k={K} transA={TransA} transB={TransB} bias={HasBias} keepZ={KeepZ} ldc={Ldc}";
    }

    private static void AssertSame(float[] expected, float[] actual, string what)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
            if (BitConverter.SingleToInt32Bits(expected[i]) != BitConverter.SingleToInt32Bits(actual[i]) &&
                !(float.IsNaN(expected[i]) && float.IsNaN(actual[i])))
                Assert.Fail($"{what}: element {i} is {actual[i]}, expected {expected[i]}");
    }

    private static void AssertSame((float[] C, float[] Z) expected, (float[] C, float[] Z) actual, Case t)
    {
        AssertSame(expected.C, actual.C, $"{t}: C");
        AssertSame(expected.Z, actual.Z, $"{t}: preActivation");
    }

    private static IEnumerable<(int M, int N, int K)> Shapes(Random rng)
    {
        for (int i = 0; i < 24; i++) yield return (rng.Next(0, 71), rng.Next(0, 71), rng.Next(0, 71));
        for (int i = 0; i < 12; i++)
            yield return (EdgeSizes[rng.Next(EdgeSizes.Length)], EdgeSizes[rng.Next(EdgeSizes.Length)], EdgeSizes[rng.Next(EdgeSizes.Length)]);
        yield return (1, 300, 257);     // vector-matrix path
        yield return (145, 257, 300);   // several K blocks, parallel
        yield return (300, 33, 145);
        yield return (13, 13, 0);       // C = act(bias)
    }

    [Fact]
    public void MatchesUnfusedPassesBitForBit()
    {
        var rng = new Random(1234);
        int saved = KernelThreads.Count;
        try
        {
            foreach (var (m, n, k) in Shapes(rng))
                foreach (Activation act in AllActivations)
                {
                    var t = Case.Make(rng, m, n, k, act, hasBias: rng.Next(4) != 0, keepZ: rng.Next(2) == 1);
                    KernelThreads.Count = 1;
                    var expected = t.Reference();
                    AssertSame(expected, t.Run(), t);
                    KernelThreads.Count = 2;
                    AssertSame(expected, t.Run(), t);
                }
        }
        finally
        {
            KernelThreads.Count = saved;
        }
    }

    [Fact]
    public void EveryKernelKindAndPathMatchesUnfusedPasses()
    {
        var rng = new Random(1234);
        var kinds = new List<GemmKernelKind> { GemmKernelKind.Scalar };
        if (Vector256.IsHardwareAccelerated && System.Runtime.Intrinsics.X86.Fma.IsSupported) kinds.Add(GemmKernelKind.Avx256);
        if (Vector512.IsHardwareAccelerated) kinds.Add(GemmKernelKind.Avx512);
        int saved = KernelThreads.Count;
        try
        {
            KernelThreads.Count = 2;
            foreach (GemmKernelKind kind in kinds)
                for (int i = 0; i < 12; i++)
                {
                    int m = i < 3 ? EdgeSizes[rng.Next(EdgeSizes.Length)] : rng.Next(0, 71);
                    int n = rng.Next(0, 71), k = i == 0 ? 300 : rng.Next(1, 71);
                    Activation act = AllActivations[rng.Next(AllActivations.Length)];
                    var t = Case.Make(rng, m, n, k, act, hasBias: rng.Next(4) != 0, keepZ: rng.Next(2) == 1);
                    foreach (bool allowSmall in new[] { false, true })
                    {
                        var expected = t.ReferenceCore(kind, allowSmall);
                        AssertSame(expected, t.RunCore(kind, 1, allowSmall), t);
                        AssertSame(expected, t.RunCore(kind, 2, allowSmall), t);
                    }
                }
        }
        finally
        {
            KernelThreads.Count = saved;
        }
    }

    [Fact]
    public void LinearLayerShapeAgreesWithDoubleReference()
    {
        // x [B, In] · W[Out, In]^T + b, then GELU, against a double-precision evaluation of the formula.
        var rng = new Random(1234);
        const int rows = 37, input = 300, output = 70;
        var x = new float[rows * input];
        var w = new float[output * input];
        var bias = new float[output];
        foreach (var arr in new[] { x, w, bias })
            for (int i = 0; i < arr.Length; i++) arr[i] = (float)(rng.NextDouble() * 2 - 1);
        var y = new float[rows * output];
        var z = new float[rows * output];
        NeuralSharp.Kernels.Gemm.SgemmBiasActivation(false, true, rows, output, input, x, input, w, input, bias,
            Activation.GeluErf, 0f, y, output, z);
        for (int r = 0; r < rows; r++)
            for (int o = 0; o < output; o++)
            {
                double s = bias[o], bound = Math.Abs(bias[o]);
                for (int p = 0; p < input; p++)
                {
                    s += (double)x[r * input + p] * w[o * input + p];
                    bound += Math.Abs((double)x[r * input + p] * w[o * input + p]);
                }
                double tol = 2e-6 * Math.Sqrt(input) * bound + 1e-6;
                Assert.True(Math.Abs(z[r * output + o] - s) <= tol, $"z[{r},{o}] = {z[r * output + o]}, expected {s}");
                double expectedY = ActivationsReference.Forward(Activation.GeluErf, z[r * output + o]);
                Assert.True(Math.Abs(y[r * output + o] - expectedY) <= 1e-5 * (1 + Math.Abs(expectedY)),
                    $"y[{r},{o}] = {y[r * output + o]}, expected {expectedY}");
            }
    }

    [Fact]
    public void ValidatesArguments()
    {
        float[] a = new float[12], b = new float[12], c = new float[9], z = new float[9];
        void Call(ReadOnlySpan<float> bias, Activation act, float alpha, Span<float> cs, Span<float> zs) =>
            NeuralSharp.Kernels.Gemm.SgemmBiasActivation(false, false, 3, 3, 4, a, 4, b, 3, bias, act, alpha, cs, 3, zs);

        Call(new float[3], Activation.Relu, 0f, c, z);
        Call(default, Activation.Softplus, 2f, c, default);
        Assert.Contains("bias", Assert.Throws<ArgumentException>(() => Call(new float[2], Activation.Relu, 0f, c, z)).Message);
        Assert.Contains("preActivation", Assert.Throws<ArgumentException>(() => Call(default, Activation.Relu, 0f, c, new float[8])).Message);
        Assert.Contains("overlaps", Assert.Throws<ArgumentException>(() => Call(default, Activation.Relu, 0f, c, c)).Message);
        Assert.Contains("Activation", Assert.Throws<ArgumentException>(() => Call(default, (Activation)99, 0f, c, default)).Message);
        Assert.Contains("Softplus", Assert.Throws<ArgumentException>(() => Call(default, Activation.Softplus, 0f, c, default)).Message);
        Assert.Contains("c", Assert.Throws<ArgumentException>(() => Call(default, Activation.Relu, 0f, new float[8], default)).Message);
    }

    [Fact]
    public void EmptyProductsWriteNothing()
    {
        var c = new[] { 5f, 6f };
        NeuralSharp.Kernels.Gemm.SgemmBiasActivation(false, true, 0, 2, 3, [], 3, new float[6], 3, [1f, 2f], Activation.Relu, 0f, c, 2);
        NeuralSharp.Kernels.Gemm.SgemmBiasActivation(false, true, 2, 0, 3, new float[6], 3, [], 3, [], Activation.Relu, 0f, c, 0);
        Assert.Equal([5f, 6f], c);
    }
}
