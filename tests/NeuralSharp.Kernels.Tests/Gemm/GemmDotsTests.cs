using NeuralSharp.Kernels.Tests.Threading;

namespace NeuralSharp.Kernels.Tests.Gemm;

/// <summary>
/// The few-columns NT path (GemmDots: C = alpha * A * B^T + beta * C with N &lt;= 16, then the epilogue) against
/// GemmReference on random and edge shapes, unaligned spans and padded strides, and bit for bit across thread counts.
/// </summary>
[Collection(KernelThreadsCollection.Name)]
public sealed class GemmDotsTests
{
    [Fact]
    public void RandomAndEdgeShapes_MatchReference_BitIdenticalForAnyThreadCount()
    {
        var rng = new Random(1234);
        var shapes = new List<(int M, int N, int K)> { (128, 10, 1024), (257, 16, 784), (2, 1, 64), (7, 3, 65), (300, 13, 100) };
        for (int rep = 0; rep < 60; rep++) shapes.Add((rng.Next(2, 68), rng.Next(1, 17), rng.Next(64, 258)));
        NtPathChecks.MatchReferenceOnAnyThreadCount(rng, shapes, (m, n, k) => GemmDots.Suits(false, true, m, n, k), GemmDots.IsSupported);
    }

    [Fact]
    public void FusedEpilogue_MatchesUnfusedPassesBitForBit_OnAnyThreadCount() =>
        NtPathChecks.FusedEpilogueMatchesUnfusedPasses(new Random(1234), [(128, 10, 1024), (37, 5, 300), (256, 16, 100)]);
}
