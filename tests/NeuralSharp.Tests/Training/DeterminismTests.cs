using System.Runtime.InteropServices;
using NeuralSharp.Kernels;
using NeuralSharp.Nn;
using NeuralSharp.Optim;
using NeuralSharp.Training;

namespace NeuralSharp.Tests.Training;

/// <summary>
/// The same seed gives the same weights bit for bit, whatever the kernel thread count: an MLP trained on the
/// standardised digits for 2 epochs with Adam (dropout included), through <see cref="Trainer.Fit"/>.
/// </summary>
[Collection(SerialCollection.Name)]
public class DeterminismTests
{
    private sealed record Run(byte[][] Weights, double[] Losses, float[] TestLogits);

    /// <summary>
    /// Layers wide enough (batch 128, hidden 256) that the GEMMs pass the parallel threshold (96³ multiply-adds)
    /// and really split across threads when two are allowed.
    /// </summary>
    private static Run Train(ulong seed, int threads)
    {
        int saved = KernelThreads.Count;
        try
        {
            KernelThreads.Count = threads;
            var model = Mlp.Create(64, [256, 256], 10, "relu", dropout: 0.1f, random: new RandomSource(seed));
            var trainer = new Trainer(model, new Adam(model.Parameters(), 1e-3f));
            var history = trainer.Fit(DigitsData.Train, new FitOptions { Epochs = 2, BatchSize = 128, Seed = seed });
            var weights = model.Parameters().Select(p => MemoryMarshal.AsBytes(p.Data).ToArray()).ToArray();
            float[] logits;
            model.Eval();
            using (GradMode.NoGrad())
            using (TensorScope.Begin())
            {
                var x = Tensor.FromArray(DigitsData.Test.Features, DigitsData.Test.Count, 64);
                logits = model.Forward(x).ToArray();
            }
            return new Run(weights, history.Select(h => h.Loss).ToArray(), logits);
        }
        finally
        {
            KernelThreads.Count = saved;
        }
    }

    private static void AssertIdentical(Run expected, Run actual, string what)
    {
        Assert.Equal(expected.Weights.Length, actual.Weights.Length);
        for (int i = 0; i < expected.Weights.Length; i++)
            Assert.True(expected.Weights[i].AsSpan().SequenceEqual(actual.Weights[i]), $"{what}: parameter {i} differs");
        Assert.Equal(expected.Losses, actual.Losses);
        Assert.True(MemoryMarshal.AsBytes(expected.TestLogits.AsSpan()).SequenceEqual(MemoryMarshal.AsBytes(actual.TestLogits.AsSpan())), $"{what}: test logits differ");
    }

    [Fact]
    public void SameSeedGivesBitIdenticalWeightsOnOneAndTwoThreads()
    {
        var one = Train(seed: 7, threads: 1);
        var two = Train(seed: 7, threads: 2);
        AssertIdentical(one, two, "1 vs 2 threads");
        Assert.True(one.Losses[1] < one.Losses[0], "the run should actually train");
    }

    [Fact]
    public void SameSeedSameThreadsIsIdenticalAndADifferentSeedDiffers()
    {
        int threads = Math.Max(2, KernelThreads.Count);
        var a = Train(seed: 11, threads);
        var b = Train(seed: 11, threads);
        AssertIdentical(a, b, "repeat");
        var c = Train(seed: 12, threads);
        Assert.False(a.Weights[0].AsSpan().SequenceEqual(c.Weights[0]), "a different seed should give different weights");
        Assert.NotEqual(a.Losses, c.Losses);
    }
}
