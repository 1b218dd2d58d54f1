using NeuralSharp.Kernels.Tests.Threading;

namespace NeuralSharp.Kernels.Tests;

/// <summary>
/// Inputs of at least Softmax.ParallelMinElements contiguous-row floats are split into blocks of rows, one per kernel
/// thread: the result must be bit-identical to one thread and agree with the reference, for short and long rows,
/// row counts that do not divide evenly, and unaligned data.
/// </summary>
[Collection(KernelThreadsCollection.Name)]
public class SoftmaxParallelTests
{
    [Theory]
    [InlineData(257, 1021, false)]
    [InlineData(257, 1021, true)]
    [InlineData(65, 4097, false)]
    [InlineData(65, 4097, true)]
    [InlineData(2, Softmax.ParallelMinElements / 2 + 3, false)]
    [InlineData(3, Softmax.ParallelMinElements / 3 + 1, true)]
    public void SplitRowsGiveTheSameBitsAsOneThread(int rows, int dim, bool log)
    {
        Assert.True((long)rows * dim >= Softmax.ParallelMinElements);
        var random = new Random(rows * 31 + dim);
        const int off = 3;
        var x = new float[rows * dim + off];
        for (int i = 0; i < x.Length; i++) x[i] = (float)(random.NextDouble() * 20 - 10);
        var one = new float[x.Length];
        var two = new float[x.Length];
        int saved = KernelThreads.Count;
        try
        {
            KernelThreads.Count = 1;
            Run(x, one, off, rows, dim, log);
            KernelThreads.Count = 2;
            Run(x, two, off, rows, dim, log);
        }
        finally
        {
            KernelThreads.Count = saved;
        }
        Assert.Equal(one, two);
        var e = new double[rows * dim];
        SoftmaxReference.Forward(x.AsSpan(off, rows * dim), e, rows, dim, 1, log);
        for (int k = 0; k < e.Length; k += 97) TestUtil.Close(e[k], two[off + k], 2e-6, log ? 5e-6 : 1e-8, $"k={k}");
    }

    private static void Run(float[] x, float[] y, int off, int rows, int dim, bool log)
    {
        if (log) Softmax.LogForward(x.AsSpan(off, rows * dim), y.AsSpan(off, rows * dim), rows, dim, 1);
        else Softmax.Forward(x.AsSpan(off, rows * dim), y.AsSpan(off, rows * dim), rows, dim, 1);
    }
}
