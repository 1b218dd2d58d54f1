using NeuralSharp.Kernels;

namespace NeuralSharp.Tests.Autograd;

/// <summary>Every differentiable op's backward against finite differences.</summary>
public class OpGradientTests
{
    public static TheoryData<string, int[], int[]> BroadcastCases => new()
    {
        { "same", [3, 4], [3, 4] },
        { "row", [3, 4], [4] },
        { "column", [3, 4], [3, 1] },
        { "scalar", [3, 4], [1] },
        { "middle", [2, 3, 4], [3, 1] },
        { "both", [2, 1, 4], [3, 1] },
    };

    [Theory]
    [MemberData(nameof(BroadcastCases))]
    public void BinaryOpsBroadcast(string name, int[] aShape, int[] bShape)
    {
        Assert.NotNull(name);
        GradCheck.Check(t => t[0] + t[1], [GradCheck.Random(1, aShape), GradCheck.Random(2, bShape)]);
        GradCheck.Check(t => t[0] - t[1], [GradCheck.Random(3, aShape), GradCheck.Random(4, bShape)]);
        GradCheck.Check(t => t[0] * t[1], [GradCheck.Random(5, aShape), GradCheck.Random(6, bShape)]);
        GradCheck.Check(t => t[0] / t[1], [GradCheck.Random(7, aShape), GradCheck.Positive(8, bShape)]);
        GradCheck.Check(t => t[1] / t[0], [GradCheck.Positive(9, aShape), GradCheck.Random(10, bShape)]);
    }

    [Fact]
    public void ScalarAffine() => GradCheck.Check(t => (t[0] * 3f + 1f) - t[0] / 2f, [GradCheck.Random(1, 4, 5)]);

    [Fact]
    public void Unary()
    {
        GradCheck.Check(t => t[0].Exp(), [GradCheck.Random(1, 3, 5)]);
        GradCheck.Check(t => t[0].Log(), [GradCheck.Positive(2, 3, 5)]);
        GradCheck.Check(t => t[0].Sqrt(), [GradCheck.Positive(3, 3, 5)]);
        GradCheck.Check(t => t[0].Pow(3f), [GradCheck.Random(4, 3, 5)]);
        GradCheck.Check(t => t[0].Pow(-0.5f), [GradCheck.Positive(5, 3, 5)]);
    }

    [Theory]
    [InlineData(Activation.Relu)]
    [InlineData(Activation.LeakyRelu)]
    [InlineData(Activation.Sigmoid)]
    [InlineData(Activation.Tanh)]
    [InlineData(Activation.GeluErf)]
    [InlineData(Activation.GeluTanh)]
    [InlineData(Activation.Silu)]
    [InlineData(Activation.Softplus)]
    public void Activations(Activation activation)
    {
        // Keep inputs away from ReLU's kink at 0.
        var x = GradCheck.Random(11, 4, 6);
        foreach (ref float v in x.Data) if (MathF.Abs(v) < 0.05f) v += 0.1f;
        GradCheck.Check(t => Functional.Activate(t[0], activation, 0.1f), [x]);
    }

    [Fact]
    public void MatMul()
    {
        GradCheck.Check(t => t[0].MatMul(t[1]), [GradCheck.Random(1, 3, 4), GradCheck.Random(2, 4, 5)]);
        GradCheck.Check(t => t[0].MatMul(t[1]), [GradCheck.Random(3, 2, 3, 4), GradCheck.Random(4, 4, 2)]);
        GradCheck.Check(t => t[0].MatMul(t[1]), [GradCheck.Random(5, 2, 3, 4), GradCheck.Random(6, 2, 4, 2)]);
    }

    [Theory]
    [InlineData(Activation.Identity)]
    [InlineData(Activation.Relu)]
    [InlineData(Activation.GeluErf)]
    [InlineData(Activation.Tanh)]
    public void LinearFused(Activation activation)
    {
        GradCheck.Check(t => Functional.Linear(t[0], t[1], t[2], activation), [GradCheck.Random(1, 5, 4), GradCheck.Random(2, 3, 4), GradCheck.Random(3, 3)]);
        GradCheck.Check(t => Functional.Linear(t[0], t[1], null, activation), [GradCheck.Random(4, 2, 3, 4), GradCheck.Random(5, 3, 4)]);
    }

    [Fact]
    public void Reductions()
    {
        GradCheck.Check(t => t[0].Sum(), [GradCheck.Random(1, 3, 4)]);
        GradCheck.Check(t => t[0].Mean(), [GradCheck.Random(2, 3, 4)]);
        GradCheck.Check(t => t[0].Sum([1]), [GradCheck.Random(3, 2, 3, 4)]);
        GradCheck.Check(t => t[0].Mean([0, 2], keepDim: true), [GradCheck.Random(4, 2, 3, 4)]);
        GradCheck.Check(t => t[0].Sum([-1]), [GradCheck.Random(5, 2, 3, 4)]);
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(1)]
    [InlineData(0)]
    public void SoftmaxAndLogSoftmax(int axis)
    {
        GradCheck.Check(t => Functional.Softmax(t[0], axis), [GradCheck.Random(1, 3, 4, 5)]);
        GradCheck.Check(t => Functional.LogSoftmax(t[0], axis), [GradCheck.Random(2, 3, 4, 5)]);
    }

    [Fact]
    public void CrossEntropyVariants()
    {
        int[] targets = [0, 2, 1, 4, 3, 2];
        GradCheck.Check(t => Functional.CrossEntropy(t[0], targets), [GradCheck.Random(1, 6, 5)]);
        GradCheck.Check(t => Functional.CrossEntropy(t[0], targets, labelSmoothing: 0.2f), [GradCheck.Random(2, 6, 5)]);
        var weights = Tensor.FromArray([0.5f, 1f, 2f, 1.5f, 0.25f], 5);
        GradCheck.Check(t => Functional.CrossEntropy(t[0], targets, 0.1f, weights), [GradCheck.Random(3, 6, 5)]);
        GradCheck.Check(t => Functional.CrossEntropy(t[0], [0, -100, 1, 4, -100, 2], reduction: Reduction.Sum), [GradCheck.Random(4, 6, 5)]);
    }

    [Fact]
    public void RegressionLosses()
    {
        GradCheck.Check(t => Functional.MseLoss(t[0], t[1]), [GradCheck.Random(1, 4, 3), GradCheck.Random(2, 4, 3)]);
        var target = Tensor.Uniform(new RandomSource(3), 0f, 1f, 4, 3);
        GradCheck.Check(t => Functional.BinaryCrossEntropyWithLogits(t[0], target), [GradCheck.Random(4, 4, 3)]);
        var posWeight = Tensor.FromArray([0.5f, 2f, 3f], 3);
        GradCheck.Check(t => Functional.BinaryCrossEntropyWithLogits(t[0], target, posWeight, Reduction.Sum), [GradCheck.Random(5, 4, 3)]);
    }

    [Fact]
    public void Norms()
    {
        GradCheck.Check(t => Functional.LayerNorm(t[0], t[1], t[2]), [GradCheck.Random(1, 4, 6), GradCheck.Random(2, 6), GradCheck.Random(3, 6)]);
        GradCheck.Check(t => Functional.LayerNorm(t[0], null, null), [GradCheck.Random(4, 2, 3, 5)]);
        GradCheck.Check(t => Functional.RmsNorm(t[0], t[1]), [GradCheck.Random(5, 4, 6), GradCheck.Random(6, 6)]);
    }

    [Fact]
    public void ShapeOps()
    {
        GradCheck.Check(t => t[0].Reshape(4, -1) * t[0].Reshape(4, 6), [GradCheck.Random(1, 2, 3, 4)]);
        GradCheck.Check(t => t[0].Transpose(), [GradCheck.Random(2, 3, 4)]);
        GradCheck.Check(t => t[0].Transpose(0, 2), [GradCheck.Random(3, 2, 3, 4)]);
        GradCheck.Check(t => t[0].SliceRows(1, 2), [GradCheck.Random(4, 4, 3)]);
        GradCheck.Check(t => Functional.Flatten(t[0]), [GradCheck.Random(5, 2, 3, 4)]);
    }

    [Fact]
    public void DropoutUsesItsMaskInBackward()
    {
        var x = GradCheck.Random(1, 8, 8);
        // Same seed for every evaluation: the mask is the same in the forward and the finite differences.
        GradCheck.Check(t => Functional.Dropout(t[0], 0.3f, training: true, new RandomSource(42)), [x]);
    }

    [Fact]
    public void GraphReuseAndAccumulation()
    {
        // y = x*x + x: the same tensor used twice; dy/dx = 2x + 1. Two backward passes accumulate.
        var x = Tensor.FromArray([1f, -2f, 3f], 3).RequireGrad();
        Functional.Sum(x * x + x).Backward();
        Functional.Sum(x * x + x).Backward();
        Assert.Equal([6f, -6f, 14f], x.Grad!.ToArray());
    }
}
