using System.Runtime.Intrinsics;
using NeuralSharp.Kernels.Tests.Threading;

namespace NeuralSharp.Kernels.Tests.Gemm;

/// <summary>
/// Gemm.PackB + the packed-B products: bit for bit equal to the unpacked blocked path (same micro-kernel, same K
/// blocking) for every kernel kind, thread count, epilogue, transA/transB and edge shape; close to GemmReference.
/// </summary>
[Collection(KernelThreadsCollection.Name)]
public sealed class GemmPackedTests
{
    private static readonly Activation[] AllActivations = Enum.GetValues<Activation>();

    /// <summary>Sizes around the register tiles (12 x 32, 6 x 16, 4 x 4), the K block (256) and the row paths (2..40).</summary>
    private static readonly int[] KnEdges = [0, 1, 3, 4, 15, 16, 17, 31, 32, 33, 255, 256, 257, 300, 513];
    private static readonly int[] MEdges = [0, 1, 2, 5, 6, 11, 12, 13, 24, 31, 32, 33, 40, 41, 100, 144, 145, 300];

    private static List<GemmKernelKind> Kinds()
    {
        var kinds = new List<GemmKernelKind> { GemmKernelKind.Scalar };
        if (Vector256.IsHardwareAccelerated && System.Runtime.Intrinsics.X86.Fma.IsSupported) kinds.Add(GemmKernelKind.Avx256);
        if (Vector512.IsHardwareAccelerated) kinds.Add(GemmKernelKind.Avx512);
        return kinds;
    }

    private static float[] Fill(Random rng, int length, float scale)
    {
        var x = new float[length];
        for (int i = 0; i < x.Length; i++) x[i] = (float)(rng.NextDouble() * 2 - 1) * scale;
        return x;
    }

    private static void AssertSame(float[] expected, float[] actual, string what)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
            if (BitConverter.SingleToInt32Bits(expected[i]) != BitConverter.SingleToInt32Bits(actual[i]) &&
                !(float.IsNaN(expected[i]) && float.IsNaN(actual[i])))
                Assert.Fail($"{what}: element {i} is {actual[i]}, expected {expected[i]}");
    }

    private static IEnumerable<(int M, int N, int K)> Shapes(Random rng)
    {
        foreach (int m in MEdges) yield return (m, KnEdges[rng.Next(KnEdges.Length)], KnEdges[rng.Next(KnEdges.Length)]);
        for (int i = 0; i < 12; i++) yield return (rng.Next(0, 301), rng.Next(0, 68), rng.Next(0, 68));
        yield return (32, 1024 + 7, 256);   // an MoE expert's first product with an N tail
        yield return (37, 70, 1024 + 3);    // several K blocks with a tail
    }

    [Fact]
    public void BiasActivationMatchesUnpackedBlockedPathBitForBit()
    {
        var rng = new Random(1234);
        foreach (GemmKernelKind kind in Kinds())
            foreach (var (m, n, k) in Shapes(rng))
            {
                bool transA = rng.Next(2) == 1, transB = rng.Next(2) == 1, hasBias = rng.Next(4) != 0, keepZ = rng.Next(2) == 1;
                Activation act = AllActivations[rng.Next(AllActivations.Length)];
                float alpha = act == Activation.Softplus ? 0.5f + (float)rng.NextDouble() : (float)(rng.NextDouble() * 0.4 - 0.1);
                int lda = (transA ? m : k) + rng.Next(0, 4), ldb = (transB ? k : n) + rng.Next(0, 4), ldc = n + rng.Next(0, 4);
                int offA = rng.Next(1, 4), offB = rng.Next(1, 4), offC = rng.Next(1, 4);
                float[] a = Fill(rng, offA + (transA ? k : m) * lda + 3, 1f), b = Fill(rng, offB + (transB ? n : k) * ldb + 3, 1f);
                float[] bias = Fill(rng, n, 2f), c0 = new float[offC + m * ldc + 3];
                Array.Fill(c0, float.NaN);
                ReadOnlySpan<float> biasSpan = hasBias ? bias : default;
                string what = $"{kind} {act} m={m} n={n} k={k} transA={transA} transB={transB} bias={hasBias} keepZ={keepZ}";

                float[] ce = (float[])c0.Clone(), ze = (float[])c0.Clone();
                NeuralSharp.Kernels.Gemm.SgemmBiasActivationCore(kind, transA, transB, m, n, k, a.AsSpan(offA), lda, b.AsSpan(offB), ldb,
                    biasSpan, act, alpha, ce.AsSpan(offC), ldc, keepZ ? ze.AsSpan(offC) : default, 1, allowSmall: false);

                var packed = NeuralSharp.Kernels.Gemm.PackB(kind, transB, k, n, b.AsSpan(offB), ldb);
                foreach (int threads in new[] { 1, 2 })
                {
                    float[] c = (float[])c0.Clone(), z = (float[])c0.Clone();
                    NeuralSharp.Kernels.Gemm.SgemmBiasActivationPackedCore(transA, m, a.AsSpan(offA), lda, packed, biasSpan, act, alpha,
                        c.AsSpan(offC), ldc, keepZ ? z.AsSpan(offC) : default, threads);
                    AssertSame(ce, c, what + $" threads={threads}: C");
                    AssertSame(ze, z, what + $" threads={threads}: preActivation");
                }
            }
    }

    [Fact]
    public void SgemmMatchesReferenceAndUnpackedPath()
    {
        var rng = new Random(1234);
        int saved = KernelThreads.Count;
        try
        {
            foreach (var (m, n, k) in Shapes(rng))
            {
                bool transA = rng.Next(2) == 1, transB = rng.Next(2) == 1;
                float alpha = (float)(rng.NextDouble() * 2 - 1), beta = rng.Next(3) switch { 0 => 0f, 1 => 1f, _ => 0.5f };
                int lda = transA ? m : k, ldb = transB ? k : n, ldc = n + 2;
                float[] a = Fill(rng, (transA ? k : m) * lda, 1f), b = Fill(rng, (transB ? n : k) * ldb, 1f);
                float[] c0 = Fill(rng, m * ldc, 1f);
                string what = $"m={m} n={n} k={k} transA={transA} transB={transB} alpha={alpha} beta={beta}";

                float[] reference = (float[])c0.Clone(), blocked = (float[])c0.Clone(), packedC = (float[])c0.Clone();
                GemmReference.Sgemm(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, reference, ldc);
                NeuralSharp.Kernels.Gemm.SgemmCore(GemmBlocked.BestKernel, transA, transB, m, n, k, alpha, a, lda, b, ldb, beta,
                    blocked, ldc, 1, allowSmall: false);
                var packed = NeuralSharp.Kernels.Gemm.PackB(transB, k, n, b, ldb);
                KernelThreads.Count = 2;
                NeuralSharp.Kernels.Gemm.SgemmPacked(transA, m, alpha, a, lda, packed, beta, packedC, ldc);
                AssertSame(blocked, packedC, what);
                for (int i = 0; i < reference.Length; i++)
                {
                    double tol = 1e-6 * Math.Sqrt(k + 1) * 4 + 1e-5 * Math.Abs(reference[i]);
                    Assert.True(Math.Abs(reference[i] - packedC[i]) <= tol, $"{what}: C[{i}] = {packedC[i]}, expected {reference[i]}");
                }
            }
        }
        finally
        {
            KernelThreads.Count = saved;
        }
    }

    [Fact]
    public unsafe void PackedDataIsAlignedAndSized()
    {
        var rng = new Random(1234);
        for (int i = 0; i < 20; i++)
        {
            int k = rng.Next(1, 600), n = rng.Next(1, 100);
            var packed = NeuralSharp.Kernels.Gemm.PackB(true, k, n, Fill(rng, n * k, 1f), k);
            fixed (float* p = packed.Array)
                Assert.Equal(0, (nint)(p + packed.Offset) % 64);
            Assert.Equal(k, packed.K);
            Assert.Equal(n, packed.N);
            Assert.Equal((long)k * packed.NPad * sizeof(float), packed.SizeInBytes);
            Assert.True(packed.NPad >= n && packed.NPad < n + packed.Nr);
        }
    }

    [Fact]
    public void ValidatesArguments()
    {
        var packed = NeuralSharp.Kernels.Gemm.PackB(true, 4, 3, new float[12], 4);
        float[] a = new float[8], c = new float[6];
        NeuralSharp.Kernels.Gemm.SgemmBiasActivationPacked(false, 2, a, 4, packed, new float[3], Activation.Relu, 0f, c, 3);
        Assert.Throws<ArgumentException>(() => NeuralSharp.Kernels.Gemm.PackB(true, 4, 3, new float[11], 4));
        Assert.Throws<ArgumentException>(() => NeuralSharp.Kernels.Gemm.PackB(false, 4, 3, new float[12], 2));
        Assert.Throws<ArgumentException>(() => NeuralSharp.Kernels.Gemm.PackB(false, -1, 3, new float[12], 3));
        Assert.Throws<ArgumentNullException>(() =>
            NeuralSharp.Kernels.Gemm.SgemmBiasActivationPacked(false, 2, a, 4, null!, default, Activation.Relu, 0f, c, 3));
        Assert.Contains("'a'", Assert.Throws<ArgumentException>(() =>
            NeuralSharp.Kernels.Gemm.SgemmBiasActivationPacked(false, 2, new float[7], 4, packed, default, Activation.Relu, 0f, c, 3)).Message);
        Assert.Throws<ArgumentException>(() =>
            NeuralSharp.Kernels.Gemm.SgemmBiasActivationPacked(false, 2, a, 4, packed, default, Activation.Relu, 0f, new float[5], 3));
        Assert.Contains("bias", Assert.Throws<ArgumentException>(() =>
            NeuralSharp.Kernels.Gemm.SgemmBiasActivationPacked(false, 2, a, 4, packed, new float[2], Activation.Relu, 0f, c, 3)).Message);
        Assert.Throws<ArgumentException>(() => NeuralSharp.Kernels.Gemm.SgemmPacked(false, -1, 1f, a, 4, packed, 0f, c, 3));
    }
}
