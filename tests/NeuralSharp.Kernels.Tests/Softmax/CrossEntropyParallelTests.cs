using NeuralSharp.Kernels.Tests.Threading;

namespace NeuralSharp.Kernels.Tests;

/// <summary>
/// Cross-entropy on inputs large enough to split rows across threads: log-probabilities, loss, weight and gradient
/// are the same bits on 1, 2 and 3 threads, with class weights, label smoothing and ignored rows, for rows of fewer
/// than 16 classes (the generic path) and of more; the parallel results also match the double reference.
/// </summary>
[Collection(KernelThreadsCollection.Name)]
public sealed class CrossEntropyParallelTests
{
    [Theory]
    [InlineData(10, false, 0f)]
    [InlineData(10, true, 0.1f)]
    [InlineData(1000, false, 0f)]
    [InlineData(1000, true, 0.2f)]
    [InlineData(4097, true, 0.05f)]
    public void SameBitsOnAnyThreadCount(int classes, bool weighted, float eps)
    {
        const int ignore = -100;
        var rng = new Random(classes);
        int rows = CrossEntropy.ParallelMinElements / classes + 3, n = rows * classes;
        var logits = TestUtil.Array(rng, n, -8f, 8f, pad: 0);
        var targets = new int[rows];
        for (int r = 0; r < rows; r++) targets[r] = r % 5 == 2 ? ignore : rng.Next(classes);
        var w = weighted ? TestUtil.Array(rng, classes, 0.1f, 2f, pad: 0) : [];
        var dl0 = TestUtil.Array(rng, n, pad: 0);
        const float scale = 0.3f;

        float[]? lp1 = null, dl1 = null;
        (double Loss, double Weight) r1 = default;
        int saved = KernelThreads.Count;
        try
        {
            foreach (int threads in new[] { 1, 2, 3 })
            {
                KernelThreads.Count = threads;
                var lp = new float[n];
                var result = CrossEntropy.Forward(logits, targets, w, eps, ignore, lp, rows, classes);
                var dl = (float[])dl0.Clone();
                CrossEntropy.Backward(lp, targets, w, eps, ignore, scale, dl, rows, classes);
                if (threads == 1) (lp1, dl1, r1) = (lp, dl, result);
                else
                {
                    Assert.True(lp.AsSpan().SequenceEqual(lp1), $"logProbs, {threads} threads");
                    Assert.True(dl.AsSpan().SequenceEqual(dl1), $"dLogits, {threads} threads");
                    Assert.Equal(r1.Loss, result.Loss);
                    Assert.Equal(r1.Weight, result.Weight);
                    var expectedGrad = TestUtil.ToDouble(dl0);
                    var (eLoss, eWeight) = SoftmaxReference.CrossEntropy(logits, targets, w, eps, ignore, scale, expectedGrad, rows, classes);
                    TestUtil.Close(eLoss, result.Loss, 1e-5, 1e-6, $"loss, {threads} threads");
                    TestUtil.Close(eWeight, result.Weight, 1e-6, 0, $"weight, {threads} threads");
                    TestUtil.AllClose(expectedGrad, dl, 1e-5, 2e-6, $"grad, {threads} threads");
                }
            }
        }
        finally
        {
            KernelThreads.Count = saved;
        }
    }

    [Fact]
    public void TargetOutOfRange_InAnyPart_Throws()
    {
        int classes = 100, rows = CrossEntropy.ParallelMinElements / classes + 1, n = rows * classes;
        var logits = new float[n];
        var targets = new int[rows];
        targets[rows - 1] = classes; // in the last part
        int saved = KernelThreads.Count;
        try
        {
            KernelThreads.Count = 2;
            Assert.Throws<IndexOutOfRangeException>(() => CrossEntropy.Forward(logits, targets, [], 0f, -100, new float[n], rows, classes));
            Assert.Throws<IndexOutOfRangeException>(() => CrossEntropy.Backward(new float[n], targets, [], 0f, -100, 1f, new float[n], rows, classes));
        }
        finally
        {
            KernelThreads.Count = saved;
        }
    }
}
