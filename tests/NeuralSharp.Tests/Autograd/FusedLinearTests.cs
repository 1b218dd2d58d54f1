using NeuralSharp.Kernels;

namespace NeuralSharp.Tests.Autograd;

/// <summary>
/// Functional.Linear with a fused activation against Linear (Identity) followed by Functional.Activate, forward and
/// backward, and against finite differences.
/// </summary>
public class FusedLinearTests
{
    public static TheoryData<Activation, float> Activations => new()
    {
        { Activation.Identity, 0f },
        { Activation.Relu, 0f },
        { Activation.LeakyRelu, 0.1f },
        { Activation.LeakyRelu, -0.5f },   // negative slope: the backward needs z
        { Activation.Sigmoid, 0f },
        { Activation.Tanh, 0f },
        { Activation.GeluErf, 0f },
        { Activation.GeluTanh, 0f },
        { Activation.Silu, 0f },
        { Activation.Softplus, 1.5f },
    };

    private static void AssertClose(Tensor expected, Tensor actual, string what)
    {
        Assert.Equal(expected.ShapeArray, actual.ShapeArray);
        var e = expected.Data;
        var a = actual.Data;
        for (int i = 0; i < e.Length; i++)
            Assert.True(Math.Abs(e[i] - a[i]) <= 1e-6f * Math.Abs(e[i]) + 1e-7f, $"{what}[{i}] = {a[i]}, expected {e[i]}");
    }

    /// <summary>Runs both forms on copies of the same leaves with the same upstream gradient and compares everything.</summary>
    private static void CompareWithUnfused(Activation act, float alpha, int[] xShape, int output, bool withBias, bool xGrad, bool weightGrad)
    {
        int input = xShape[^1];
        var x = GradCheck.Random(11, xShape);
        var w = GradCheck.Random(12, output, input);
        var b = GradCheck.Random(13, output);
        var (x2, w2, b2) = (x.Clone(), w.Clone(), b.Clone());
        x.RequiresGrad = x2.RequiresGrad = xGrad;
        w.RequiresGrad = w2.RequiresGrad = weightGrad;
        b.RequiresGrad = b2.RequiresGrad = true;

        var fused = Functional.Linear(x, w, withBias ? b : null, act, alpha);
        var unfused = Functional.Activate(Functional.Linear(x2, w2, withBias ? b2 : null), act, alpha);
        AssertClose(unfused, fused, $"{act} y");

        var dy = GradCheck.Random(14, fused.ShapeArray);
        fused.Backward(dy);
        unfused.Backward(dy.Clone());
        if (xGrad) AssertClose(x2.Grad!, x.Grad!, $"{act} dx");
        else Assert.Null(x.Grad);
        if (weightGrad) AssertClose(w2.Grad!, w.Grad!, $"{act} dW");
        else Assert.Null(w.Grad);
        if (withBias) AssertClose(b2.Grad!, b.Grad!, $"{act} db");

        using var _ = GradMode.NoGrad();
        AssertClose(unfused, Functional.Linear(x, w, withBias ? b : null, act, alpha), $"{act} y (no grad)");
    }

    [Theory]
    [MemberData(nameof(Activations))]
    public void EqualsLinearThenActivate(Activation act, float alpha)
    {
        CompareWithUnfused(act, alpha, [5, 7], 9, withBias: true, xGrad: true, weightGrad: true);
        CompareWithUnfused(act, alpha, [2, 3, 7], 9, withBias: false, xGrad: true, weightGrad: true);
        // Blocked GEMM path with edge tiles (several K blocks).
        CompareWithUnfused(act, alpha, [40, 300], 70, withBias: true, xGrad: true, weightGrad: true);
        // Only some inputs need gradients: the bias alone skips dz, a first layer skips dx.
        CompareWithUnfused(act, alpha, [6, 5], 4, withBias: true, xGrad: false, weightGrad: false);
        CompareWithUnfused(act, alpha, [6, 5], 4, withBias: true, xGrad: false, weightGrad: true);
    }

    [Theory]
    [MemberData(nameof(Activations))]
    public void GradientsMatchFiniteDifferences(Activation act, float alpha)
    {
        GradCheck.Check(t => Functional.Linear(t[0], t[1], t[2], act, alpha),
            [GradCheck.Random(1, 5, 4), GradCheck.Random(2, 3, 4), GradCheck.Random(3, 3)]);
        GradCheck.Check(t => Functional.Linear(t[0], t[1], null, act, alpha),
            [GradCheck.Random(4, 2, 3, 4), GradCheck.Random(5, 3, 4)]);
    }

    [Fact]
    public void ZeroSizedInputs()
    {
        var w = GradCheck.Random(1, 3, 4).RequireGrad();
        var b = GradCheck.Random(2, 3).RequireGrad();
        var y = Functional.Linear(Tensor.Zeros(0, 4), w, b, Activation.GeluErf);
        Assert.Equal([0, 3], y.ShapeArray);
        y.Backward(Tensor.Zeros(0, 3));
        Assert.All(w.Grad!.ToArray(), v => Assert.Equal(0f, v));
        Assert.All(b.Grad!.ToArray(), v => Assert.Equal(0f, v));

        // In = 0: y = act(b).
        var y2 = Functional.Linear(Tensor.Zeros(2, 0), Tensor.Zeros(3, 0), b, Activation.Relu);
        var bd = b.ToArray();
        Assert.Equal(new[] { bd[0], bd[1], bd[2] }.Select(v => Math.Max(v, 0f)).Concat(bd.Select(v => Math.Max(v, 0f))).ToArray(),
            y2.ToArray());
    }
}
