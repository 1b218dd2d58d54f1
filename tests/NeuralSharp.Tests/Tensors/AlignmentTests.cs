using NeuralSharp.Optim;

namespace NeuralSharp.Tests.Tensors;

/// <summary>Pooled tensor data and optimizer state start on 64-byte boundaries (whole cache lines for the kernels).</summary>
public class AlignmentTests
{
    private static unsafe long Misalignment(Span<float> data)
    {
        fixed (float* p = data) return (long)p % 64;
    }

    [Theory]
    [InlineData(256)]
    [InlineData(1000)]
    [InlineData(4097)]
    [InlineData(131072)]
    public void PooledTensorDataIsCacheLineAligned(int size)
    {
        // New arrays and recycled ones (the second round rents back what the first returned).
        for (int round = 0; round < 3; round++)
        {
            using var scope = TensorScope.Begin();
            var tensors = Enumerable.Range(0, 5).Select(_ => Tensor.Empty(size)).ToArray();
            foreach (var t in tensors)
            {
                Assert.Equal(size, t.Data.Length);
                Assert.Equal(0, Misalignment(t.Data));
            }
            // Views keep their element offset: a row slice of a 64-float-wide matrix starts 256 bytes further on.
            if (size % 64 == 0) Assert.Equal(0, Misalignment(tensors[0].Reshape(size / 64, 64).Data.Slice(64)));
        }
    }

    [Fact]
    public void GradientBuffersAreCacheLineAligned()
    {
        var w = Tensor.FromArray(Enumerable.Range(0, 1024).Select(i => i * 0.001f).ToArray(), 32, 32).RequireGrad();
        for (int step = 0; step < 3; step++)
        {
            (w * w).Sum().Backward();
            Assert.Equal(0, Misalignment(w.Grad!.Data));
            Assert.Equal(2 * 0.001f * 5, w.Grad!.Data[5], 6);
            w.ZeroGrad();
        }
    }

    [Fact]
    public void RecycledBuffersKeepContentsSemanticsAndLength()
    {
        // A buffer returned and rented again under another length is not mixed up: padding never leaks into Data.
        float[] expected = Enumerable.Range(0, 300).Select(i => (float)i).ToArray();
        using (TensorScope.Begin()) _ = Tensor.Empty(300);
        using var scope = TensorScope.Begin();
        var t = Tensor.FromArray(expected, 300);
        Assert.Equal(expected, t.ToArray());
        var u = Tensor.Empty(301);
        Assert.Equal(301, u.Data.Length);
    }

    private sealed class StateProbe(IEnumerable<Tensor> parameters) : Optimizer(parameters, 0.1f)
    {
        private readonly float[]?[] _state = new float[1][];
        public long Misaligned;
        public float FirstValue = float.NaN;

        protected override void Update(int index, Tensor parameter, Tensor gradient)
        {
            var buffer = StateBuffer(ref _state[0], parameter.Size);
            Misaligned = Misalignment(buffer);
            FirstValue = buffer[0];
            Assert.Equal(parameter.Size, buffer.Length);
            buffer[0] += 1f; // kept between steps
        }
    }

    [Fact]
    public void OptimizerStateBuffersAreZeroedAlignedAndKept()
    {
        var p = Tensor.Ones(777).RequireGrad();
        var probe = new StateProbe([p]);
        p.Sum().Backward();
        probe.Step();
        Assert.Equal(0, probe.Misaligned);
        Assert.Equal(0f, probe.FirstValue);
        probe.Step();
        Assert.Equal(1f, probe.FirstValue);
    }
}
