using NeuralSharp.Nn;
using NeuralSharp.Tests.Fixtures;

namespace NeuralSharp.Tests.Reference;

/// <summary>
/// The activations of issue 4 against PyTorch 1.13 (fixtures act_*.json from Fixtures/make_fixtures_act.py), forward
/// and backward, through the modules (as a user runs them): |ours - torch| ≤ 1e-5·|torch| + 1e-6·max|torch|.
/// </summary>
public class ActivationFixtureTests
{
    private static Tensor Load(Fixture f, string name, bool grad = false)
    {
        var t = Tensor.FromArray(f.Floats(name), f.Shape(name));
        if (grad) t.RequiresGrad = true;
        return t;
    }

    private static void Check(Fixture f, Func<Tensor[], Tensor> op, params string[] inputNames)
    {
        var inputs = inputNames.Select(n => Load(f, n, grad: true)).ToArray();
        var y = op(inputs);
        Assert.Equal(f.Shape("y"), y.ShapeArray);
        PyTorchFixtureTests.AssertClose(f.Floats("y"), y.Data, f.Case + " y");
        y.Backward(Load(f, "dy"));
        for (int i = 0; i < inputs.Length; i++)
            PyTorchFixtureTests.AssertClose(f.Floats("grad_" + inputNames[i]), inputs[i].Grad!.Data, f.Case + " grad_" + inputNames[i]);
    }

    private static Module Elementwise(Fixture f) => f.Op switch
    {
        "relu6" => new ReLU6(),
        "elu" => new ELU((float)f.Attr("alpha")),
        "selu" => new SELU(),
        "celu" => new CELU((float)f.Attr("alpha")),
        "mish" => new Mish(),
        "hardsigmoid" => new Hardsigmoid(),
        "hardswish" => new Hardswish(),
        "softsign" => new Softsign(),
        "logsigmoid" => new LogSigmoid(),
        _ => throw new InvalidOperationException(f.Op),
    };

    [Theory]
    [InlineData("act_relu6")]
    [InlineData("act_elu")]
    [InlineData("act_elu_alpha05")]
    [InlineData("act_selu")]
    [InlineData("act_celu")]
    [InlineData("act_celu_alpha2")]
    [InlineData("act_mish")]
    [InlineData("act_hardsigmoid")]
    [InlineData("act_hardswish")]
    [InlineData("act_softsign")]
    [InlineData("act_logsigmoid")]
    public void ElementwiseModule(string name)
    {
        var f = Fixture.Load(name);
        Check(f, t => Elementwise(f).Forward(t[0]), "x");
    }

    /// <summary>The same activation fused into Linear by Sequential: x = identity weight, zero bias, so y = act(x).</summary>
    [Theory]
    [InlineData("act_relu6")]
    [InlineData("act_elu_alpha05")]
    [InlineData("act_selu")]
    [InlineData("act_celu_alpha2")]
    [InlineData("act_mish")]
    [InlineData("act_hardsigmoid")]
    [InlineData("act_hardswish")]
    [InlineData("act_softsign")]
    [InlineData("act_logsigmoid")]
    public void ElementwiseFusedAfterLinear(string name)
    {
        var f = Fixture.Load(name);
        int cols = f.Shape("x")[^1];
        var linear = new Linear(cols, cols);
        linear.Weight.Data.Clear();
        for (int i = 0; i < cols; i++) linear.Weight.Data[i * cols + i] = 1f;
        linear.Bias!.Data.Clear();
        var model = new Sequential(linear, Elementwise(f));
        Check(f, t => model.Forward(t[0]), "x");
    }

    [Theory]
    [InlineData("act_prelu_shared")]
    [InlineData("act_prelu_channels")]
    [InlineData("act_prelu_3d")]
    public void PReLU(string name)
    {
        var f = Fixture.Load(name);
        var module = new PReLU((int)f.Attr("num_parameters"));
        var w = Load(f, "weight");
        module.LoadStateDict(new Dictionary<string, Tensor> { ["weight"] = w });
        var x = Load(f, "x", grad: true);
        var y = module.Forward(x);
        PyTorchFixtureTests.AssertClose(f.Floats("y"), y.Data, name + " y");
        y.Backward(Load(f, "dy"));
        PyTorchFixtureTests.AssertClose(f.Floats("grad_x"), x.Grad!.Data, name + " grad_x");
        PyTorchFixtureTests.AssertClose(f.Floats("grad_weight"), module.Weight.Grad!.Data, name + " grad_weight");
    }

    [Theory]
    [InlineData("act_softmin")]
    [InlineData("act_softmin_dim0")]
    public void Softmin(string name)
    {
        var f = Fixture.Load(name);
        Check(f, t => new Softmin((int)f.Attr("dim")).Forward(t[0]), "x");
    }

    [Theory]
    [InlineData("act_glu")]
    [InlineData("act_glu_dim1")]
    [InlineData("act_glu_dim0")]
    public void GLU(string name)
    {
        var f = Fixture.Load(name);
        Check(f, t => new GLU((int)f.Attr("dim")).Forward(t[0]), "x");
    }

    [Theory]
    [InlineData("act_softmax_temperature2_5")]
    [InlineData("act_softmax_temperature0_5")]
    public void SoftmaxWithTemperature(string name)
    {
        var f = Fixture.Load(name);
        Check(f, t => new SoftmaxWithTemperature((int)f.Attr("dim"), (float)f.Attr("temperature")).Forward(t[0]), "x");
    }
}
