using Xunit.Abstractions;
using NeuralSharp.Kernels;
using NeuralSharp.Nn;
using NeuralSharp.Optim;

namespace NeuralSharp.Tests.Training;

/// <summary>
/// A warmed-up training step recycles its tensors through <see cref="TensorPool"/>: it allocates no new
/// pooled arrays and only a few small objects (graph nodes, shapes), far less than one activation tensor.
/// </summary>
[Collection(SerialCollection.Name)]
public class AllocationTests(ITestOutputHelper output)
{
    private const int Batch = 256, Inputs = 64, Hidden = 128, Classes = 10;
    private const int WarmUpSteps = 5, MeasuredSteps = 20;
    private const long MaxBytesPerStep = 32 * 1024; // one hidden activation [256, 128] is 128 KiB

    private sealed class Step(Module model, Optimizer optimizer, Tensor inputs, int[] labels)
    {
        public float Run()
        {
            using var scope = TensorScope.Begin();
            var logits = model.Forward(inputs);
            var loss = Functional.CrossEntropy(logits, labels);
            float value = loss.Item();
            loss.Backward();
            optimizer.Step();
            optimizer.ZeroGrad();
            return value;
        }
    }

    private static Step CreateStep(Func<IEnumerable<Tensor>, Optimizer> optimizer)
    {
        var random = new RandomSource(3);
        var model = Mlp.Create(Inputs, [Hidden], Classes, random: random);
        var inputs = Tensor.Uniform(random, -1f, 1f, Batch, Inputs).ExcludeFromScope();
        var labels = new int[Batch];
        for (int i = 0; i < Batch; i++) labels[i] = random.NextInt(Classes);
        return new Step(model, optimizer(model.Parameters()), inputs, labels);
    }

    private static (long BytesPerStep, long PoolArrays, float FirstLoss, float LastLoss) Measure(Step step)
    {
        int saved = KernelThreads.Count;
        try
        {
            KernelThreads.Count = 1; // everything on this thread, so the per-thread counter sees it all
            float first = step.Run();
            for (int i = 1; i < WarmUpSteps; i++) step.Run();
            long arrays = TensorPool.AllocatedArrays;
            long bytes = GC.GetAllocatedBytesForCurrentThread();
            float last = 0;
            for (int i = 0; i < MeasuredSteps; i++) last = step.Run();
            bytes = GC.GetAllocatedBytesForCurrentThread() - bytes;
            return (bytes / MeasuredSteps, TensorPool.AllocatedArrays - arrays, first, last);
        }
        finally
        {
            KernelThreads.Count = saved;
        }
    }

    [Fact]
    public void WarmAdamStepAllocatesNoPooledArraysAndFewBytes()
    {
        var (perStep, arrays, first, last) = Measure(CreateStep(p => new Adam(p, 1e-3f)));
        output.WriteLine($"Adam: {perStep} bytes per warm step, {arrays} new pooled arrays");
        Assert.True(last < first, $"the steps should train: loss {first} -> {last}");
        Assert.True(arrays == 0, $"{arrays} new pooled arrays during {MeasuredSteps} warm steps");
        Assert.True(perStep < MaxBytesPerStep, $"{perStep} bytes allocated per warm step (bound {MaxBytesPerStep})");
    }

    [Fact]
    public void WarmSgdMomentumStepAllocatesNoPooledArraysAndFewBytes()
    {
        var (perStep, arrays, _, _) = Measure(CreateStep(p => new Sgd(p, 0.01f, momentum: 0.9f)));
        output.WriteLine($"SGD: {perStep} bytes per warm step, {arrays} new pooled arrays");
        Assert.True(arrays == 0, $"{arrays} new pooled arrays during {MeasuredSteps} warm steps");
        Assert.True(perStep < MaxBytesPerStep, $"{perStep} bytes allocated per warm step (bound {MaxBytesPerStep})");
    }
}
