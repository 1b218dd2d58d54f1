using NeuralSharp.Kernels.Tests.Threading;

namespace NeuralSharp.Kernels.Tests;

/// <summary>
/// The optimizer kernels on tensors large enough to run in per-thread parts: equal to the scalar reference bit for
/// bit on 1, 2 and 3 threads, for lengths around the threshold and not a multiple of the part alignment (16), at
/// unaligned offsets.
/// </summary>
[Collection(KernelThreadsCollection.Name)]
public sealed class OptimizerKernelsParallelTests
{
    private static readonly int[] Lengths =
    [
        OptimizerKernels.ParallelThreshold - 1, OptimizerKernels.ParallelThreshold,
        OptimizerKernels.ParallelThreshold + 3 * 16_384 + 37,
    ];

    private static void OnThreads(Action<int> body)
    {
        int saved = KernelThreads.Count;
        try
        {
            foreach (int threads in new[] { 1, 2, 3 })
            {
                KernelThreads.Count = threads;
                body(threads);
            }
        }
        finally
        {
            KernelThreads.Count = saved;
        }
    }

    [Theory]
    [InlineData(0f, false)]
    [InlineData(1e-2f, false)]
    [InlineData(1e-2f, true)]
    public void Adam_MatchesReferenceExactly_OnAnyThreadCount(float wd, bool decoupled)
    {
        OnThreads(threads =>
        {
            var rng = new Random(1234);
            foreach (int n in Lengths)
            {
                int off = 1 + n % 3;
                var p = TestUtil.Array(rng, n);
                var (m, v) = (new float[p.Length], new float[p.Length]);
                var (pr, mr, vr) = (p.AsSpan(off, n).ToArray(), new float[n], new float[n]);
                for (int step = 1; step <= 2; step++)
                {
                    var g = TestUtil.Array(rng, n);
                    OptimizerKernels.Adam(p.AsSpan(off, n), g.AsSpan(off, n), m.AsSpan(off, n), v.AsSpan(off, n), 1e-3f, 0.9f, 0.999f, 1e-8f, wd, decoupled, step);
                    OptimizerReference.Adam(pr, g.AsSpan(off, n).ToArray(), mr, vr, 1e-3f, 0.9f, 0.999f, 1e-8f, wd, decoupled, step);
                }
                Assert.True(pr.AsSpan().SequenceEqual(p.AsSpan(off, n)), $"Adam p, n = {n}, {threads} threads");
                Assert.True(mr.AsSpan().SequenceEqual(m.AsSpan(off, n)), $"Adam m, n = {n}, {threads} threads");
                Assert.True(vr.AsSpan().SequenceEqual(v.AsSpan(off, n)), $"Adam v, n = {n}, {threads} threads");
            }
        });
    }

    [Theory]
    [InlineData(0f, false)]
    [InlineData(0.9f, false)]
    [InlineData(0.9f, true)]
    public void Sgd_MatchesReferenceExactly_OnAnyThreadCount(float momentum, bool nesterov)
    {
        OnThreads(threads =>
        {
            var rng = new Random(1234);
            foreach (int n in Lengths)
            {
                int off = 1 + n % 3;
                var p = TestUtil.Array(rng, n);
                var b = momentum != 0 ? new float[p.Length] : [];
                var (pr, br) = (p.AsSpan(off, n).ToArray(), new float[n]);
                for (int step = 0; step < 2; step++)
                {
                    var g = TestUtil.Array(rng, n);
                    OptimizerKernels.Sgd(p.AsSpan(off, n), g.AsSpan(off, n), momentum != 0 ? b.AsSpan(off, n) : [], 0.1f, momentum, 0f, 1e-3f, nesterov, step == 0);
                    OptimizerReference.Sgd(pr, g.AsSpan(off, n).ToArray(), br, 0.1f, momentum, 0f, 1e-3f, nesterov, step == 0);
                }
                Assert.True(pr.AsSpan().SequenceEqual(p.AsSpan(off, n)), $"Sgd p, n = {n}, {threads} threads");
                if (momentum != 0) Assert.True(br.AsSpan().SequenceEqual(b.AsSpan(off, n)), $"Sgd buffer, n = {n}, {threads} threads");
            }
        });
    }
}
