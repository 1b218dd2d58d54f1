namespace NeuralSharp.Kernels.Tests.Threading;

[Collection(KernelThreadsCollection.Name)]
public sealed class KernelThreadsTests
{
    private struct MarkBody : IKernelLoopBody
    {
        public int[] Hits;
        public readonly void Invoke(int index) => Interlocked.Increment(ref Hits[index]);
    }

    private struct ThrowBody : IKernelLoopBody
    {
        public int ThrowAt;
        public readonly void Invoke(int index)
        {
            if (index == ThrowAt) throw new InvalidOperationException("boom " + index);
        }
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(8)]
    public void For_RunsEveryIndexExactlyOnce(int threads)
    {
        int saved = KernelThreads.Count;
        try
        {
            KernelThreads.Count = threads;
            foreach (int count in new[] { 0, 1, 2, 3, 17, 1000 })
            {
                for (int rep = 0; rep < 20; rep++)
                {
                    var hits = new int[count];
                    KernelThreads.For(count, i => Interlocked.Increment(ref hits[i]));
                    Assert.All(hits, h => Assert.Equal(1, h));

                    var hits2 = new int[count];
                    KernelThreads.For(count, new MarkBody { Hits = hits2 });
                    Assert.All(hits2, h => Assert.Equal(1, h));
                }
            }
        }
        finally
        {
            KernelThreads.Count = saved;
        }
    }

    [Fact]
    public void For_UsesAtMostCountThreads()
    {
        int saved = KernelThreads.Count;
        try
        {
            KernelThreads.Count = 2;
            var ids = new System.Collections.Concurrent.ConcurrentDictionary<int, bool>();
            for (int rep = 0; rep < 50; rep++)
                KernelThreads.For(64, _ => { ids[Environment.CurrentManagedThreadId] = true; Thread.SpinWait(200); });
            // Caller plus at most one worker ever take part.
            Assert.InRange(ids.Count, 1, 2);
        }
        finally
        {
            KernelThreads.Count = saved;
        }
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public void For_PropagatesExceptions(int threads)
    {
        int saved = KernelThreads.Count;
        try
        {
            KernelThreads.Count = threads;
            foreach (int throwAt in new[] { 0, 5, 99 })
            {
                var e1 = Assert.Throws<InvalidOperationException>(() => KernelThreads.For(100, i =>
                {
                    if (i == throwAt) throw new InvalidOperationException("boom " + i);
                }));
                Assert.Equal("boom " + throwAt, e1.Message);
                var e2 = Assert.Throws<InvalidOperationException>(() => KernelThreads.For(100, new ThrowBody { ThrowAt = throwAt }));
                Assert.Equal("boom " + throwAt, e2.Message);
            }
            // The pool still works after a failed loop.
            var hits = new int[100];
            KernelThreads.For(100, i => hits[i]++);
            Assert.All(hits, h => Assert.Equal(1, h));
        }
        finally
        {
            KernelThreads.Count = saved;
        }
    }

    [Fact]
    public void For_NestedAndConcurrentLoopsRunInline()
    {
        int saved = KernelThreads.Count;
        try
        {
            KernelThreads.Count = 2;
            var hits = new int[16 * 16];
            KernelThreads.For(16, i => KernelThreads.For(16, j => Interlocked.Increment(ref hits[i * 16 + j])));
            Assert.All(hits, h => Assert.Equal(1, h));

            var counts = new int[4 * 500];
            Parallel.For(0, 4, t =>
            {
                for (int rep = 0; rep < 50; rep++)
                    KernelThreads.For(500, i => Interlocked.Increment(ref counts[t * 500 + i]));
            });
            Assert.All(counts, h => Assert.Equal(50, h));
        }
        finally
        {
            KernelThreads.Count = saved;
        }
    }

    [Fact]
    public void Count_RejectsLessThanOne()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => KernelThreads.Count = 0);
        Assert.True(KernelThreads.Count >= 1);
    }

    [Fact]
    public void For_NullBodyThrows() =>
        Assert.Throws<ArgumentNullException>(() => KernelThreads.For(3, null!));
}
