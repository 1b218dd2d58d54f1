namespace NeuralSharp.Kernels.Tests.Threading;

/// <summary>
/// StealingRanges: every unit runs exactly once for any part and unit count; balanced parts run their own contiguous
/// range; a stalled part's tail is taken over by the others.
/// </summary>
[Collection(KernelThreadsCollection.Name)]
public sealed class StealingRangesTests
{
    private unsafe struct Record : IUnitBody
    {
        public int* Hits, Runner;
        public int StallPart0Ms;

        public readonly void Run(int unit)
        {
            Interlocked.Increment(ref Hits[unit]);
            Runner[unit] = Environment.CurrentManagedThreadId;
            if (StallPart0Ms > 0 && unit == 0) Thread.Sleep(StallPart0Ms);
        }
    }

    [Theory]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(5)]
    public unsafe void EveryUnitRunsExactlyOnce(int parts)
    {
        int saved = KernelThreads.Count;
        try
        {
            KernelThreads.Count = parts;
            foreach (int units in new[] { 1, 2, parts, parts + 1, 17, 100 })
                for (int rep = 0; rep < 20; rep++)
                {
                    var hits = new int[units];
                    var runner = new int[units];
                    fixed (int* h = hits, r = runner)
                        StealingRanges.For(Math.Min(parts, units), units, new Record { Hits = h, Runner = r });
                    Assert.All(hits, x => Assert.Equal(1, x));
                }
        }
        finally
        {
            KernelThreads.Count = saved;
        }
    }

    [Fact]
    public unsafe void StalledPart_HasItsTailTakenOver()
    {
        int saved = KernelThreads.Count;
        try
        {
            KernelThreads.Count = 2;
            const int units = 40; // part 0 owns [0, 20), part 1 owns [20, 40)
            var hits = new int[units];
            var runner = new int[units];
            // Unit 0, the first of part 0, stalls for 300 ms: whichever thread runs it, the other finishes part 1's
            // range and then takes part 0's remaining units from the back.
            fixed (int* h = hits, r = runner)
                StealingRanges.For(2, units, new Record { Hits = h, Runner = r, StallPart0Ms = 300 });
            Assert.All(hits, x => Assert.Equal(1, x));
            Assert.True(runner.Skip(1).Take(19).Any(t => t != runner[0]),
                "no unit of the stalled part's range ran on another thread");
        }
        finally
        {
            KernelThreads.Count = saved;
        }
    }
}
