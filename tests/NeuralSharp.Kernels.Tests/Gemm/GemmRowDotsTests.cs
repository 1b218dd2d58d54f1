using NeuralSharp.Kernels.Tests.Threading;

namespace NeuralSharp.Kernels.Tests.Gemm;

/// <summary>
/// The few-rows NT path (GemmRowDots: C = alpha * A * B^T + beta * C with 2 &lt;= M &lt;= 40, then the epilogue) against
/// GemmReference on random and edge shapes, unaligned spans and padded strides, and bit for bit across thread counts.
/// </summary>
[Collection(KernelThreadsCollection.Name)]
public sealed class GemmRowDotsTests
{
    [Fact]
    public void RandomAndEdgeShapes_MatchReference_BitIdenticalForAnyThreadCount()
    {
        var rng = new Random(1234);
        var shapes = new List<(int M, int N, int K)>
        {
            (32, 1024, 256), (32, 256, 1024), (2, 32, 64), (40, 33, 65), (5, 32, 64), (6, 36, 80), (11, 64, 256),
            (3, 35, 1000), (5, 200, 79), (39, 130, 257),
        };
        for (int rep = 0; rep < 60; rep++) shapes.Add((rng.Next(2, 41), rng.Next(32, 200), rng.Next(64, 300)));
        NtPathChecks.MatchReferenceOnAnyThreadCount(rng, shapes, (m, n, k) => GemmRowDots.Suits(false, true, m, n, k), GemmRowDots.IsSupported);
    }

    [Fact]
    public void FusedEpilogue_MatchesUnfusedPassesBitForBit_OnAnyThreadCount() =>
        NtPathChecks.FusedEpilogueMatchesUnfusedPasses(new Random(1234), [(32, 1024, 256), (22, 256, 1024), (7, 37, 100)]);
}
