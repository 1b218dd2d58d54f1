using NeuralSharp.Kernels.Tests.Threading;

namespace NeuralSharp.Kernels.Tests;

/// <summary>
/// Log-softmax outputs of Softmax.StreamingBytes or more are written with non-temporal stores: the same bits as the
/// same rows computed in calls too small to stream, on 1 and 2 threads, for every alignment of the output, and in place.
/// </summary>
[Collection(KernelThreadsCollection.Name)]
public sealed class SoftmaxStreamingTests
{
    [Fact]
    public void StreamedLogSoftmax_EqualsUnstreamedRowsBitForBit()
    {
        // 4097 floats per row: consecutive rows start at every 4-byte offset within a cache line, so the aligned
        // streaming loop starts after every possible head length.
        const int dim = 4097;
        int rows = (int)(Softmax.StreamingBytes / sizeof(float) / dim) + 1, n = rows * dim;
        Assert.True((long)n * sizeof(float) >= Softmax.StreamingBytes);
        var rng = new Random(1234);
        var x = TestUtil.Array(rng, n + 3, -12f, 12f);
        int saved = KernelThreads.Count;
        try
        {
            foreach (int off in new[] { 0, 1, 3 })
            {
                // Expected: blocks of 64 rows (1 MiB), each far below the streaming size.
                KernelThreads.Count = 1;
                var expected = new float[n];
                for (int r = 0; r < rows; r += 64)
                {
                    int count = Math.Min(64, rows - r);
                    Softmax.LogForward(x.AsSpan(off + r * dim, count * dim), expected.AsSpan(r * dim, count * dim), count, dim, 1);
                }
                foreach (int threads in new[] { 1, 2 })
                {
                    KernelThreads.Count = threads;
                    var y = new float[n + 3];
                    Softmax.LogForward(x.AsSpan(off, n), y.AsSpan(off, n), rows, dim, 1);
                    AssertSameBits(expected, y.AsSpan(off, n), $"off={off} threads={threads}");
                    if (off > 0) Assert.Equal(0f, y[off - 1]);
                    if (off + n < y.Length) Assert.Equal(0f, y[off + n]);

                    var inPlace = (float[])x.Clone();
                    Softmax.LogForward(inPlace.AsSpan(off, n), inPlace.AsSpan(off, n), rows, dim, 1);
                    AssertSameBits(expected, inPlace.AsSpan(off, n), $"in place, off={off} threads={threads}");
                }
            }
        }
        finally
        {
            KernelThreads.Count = saved;
        }
    }

    private static void AssertSameBits(float[] expected, Span<float> actual, string what)
    {
        for (int i = 0; i < expected.Length; i++)
            if (BitConverter.SingleToInt32Bits(expected[i]) != BitConverter.SingleToInt32Bits(actual[i]))
                Assert.Fail($"{what}: element {i} (row {i / 4097}) is {actual[i]}, expected {expected[i]}");
    }
}
