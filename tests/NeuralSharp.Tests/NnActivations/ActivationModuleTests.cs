using System.Text.Json.Nodes;
using NeuralSharp.Kernels;
using NeuralSharp.Nn;
using NeuralSharp.Tests.Autograd;
using NeuralSharp.Tests.NnLayers;

namespace NeuralSharp.Tests.NnActivations;

/// <summary>The activation modules of issue 4: the layer contract (shape, parameters, PyTorch keys, save/load round
/// trip), finite-difference gradients, Mlp names, Sequential fusion and configuration errors.</summary>
public class ActivationModuleTests
{
    internal static readonly Dictionary<string, LayerCase> Cases = new()
    {
        ["ReLU6"] = new(_ => new ReLU6(), [4, 7], [4, 7], 0, []),
        ["ELU"] = new(_ => new ELU(0.5f), [4, 7], [4, 7], 0, []),
        ["SELU"] = new(_ => new SELU(), [4, 7], [4, 7], 0, []),
        ["CELU"] = new(_ => new CELU(1.5f), [4, 7], [4, 7], 0, []),
        ["Mish"] = new(_ => new Mish(), [4, 7], [4, 7], 0, []),
        ["Hardsigmoid"] = new(_ => new Hardsigmoid(), [4, 7], [4, 7], 0, []),
        ["Hardswish"] = new(_ => new Hardswish(), [4, 7], [4, 7], 0, []),
        ["Softsign"] = new(_ => new Softsign(), [4, 7], [4, 7], 0, []),
        ["LogSigmoid"] = new(_ => new LogSigmoid(), [4, 7], [4, 7], 0, []),
        ["PReLU"] = new(_ => new PReLU(), [4, 7], [4, 7], 1, [("weight", [1])]),
        ["PReLUChannels"] = new(_ => new PReLU(7, 0.1f), [4, 7], [4, 7], 7, [("weight", [7])]),
        ["PReLU3D"] = new(_ => new PReLU(3), [2, 3, 5], [2, 3, 5], 3, [("weight", [3])]),
        ["Softmin"] = new(_ => new Softmin(), [4, 7], [4, 7], 0, []),
        ["SoftminDim0"] = new(_ => new Softmin(0), [4, 7], [4, 7], 0, []),
        ["GLU"] = new(_ => new GLU(), [4, 8], [4, 4], 0, []),
        ["GLUDim0"] = new(_ => new GLU(0), [4, 3], [2, 3], 0, []),
        ["SoftmaxWithTemperature"] = new(_ => new SoftmaxWithTemperature(-1, 2.5f), [4, 7], [4, 7], 0, []),
        ["SequentialFused"] = new(r => new Sequential(new Linear(7, 6, random: r), new CELU(0.7f), new Linear(6, 4, random: r), new PReLU(4)),
            [3, 7], [3, 4], 7 * 6 + 6 + 6 * 4 + 4 + 4, [("0.weight", [6, 7]), ("0.bias", [6]), ("2.weight", [4, 6]), ("2.bias", [4]), ("3.weight", [4])]),
        ["MlpMish"] = new(r => Mlp.Create(5, [6], 2, "mish", random: r), [4, 5], [4, 2], 5 * 6 + 6 + 6 * 2 + 2,
            [("0.weight", [6, 5]), ("0.bias", [6]), ("2.weight", [2, 6]), ("2.bias", [2])]),
    };

    public static TheoryData<string> AllCases()
    {
        var data = new TheoryData<string>();
        foreach (var name in Cases.Keys) data.Add(name);
        return data;
    }

    private static float[] EvalOutput(Module module, Tensor input)
    {
        module.Eval();
        using var noGrad = GradMode.NoGrad();
        return module.Forward(input).ToArray();
    }

    [Theory]
    [MemberData(nameof(AllCases))]
    public void ContractShapeParametersKeysAndRoundTrip(string name)
    {
        var c = Cases[name];
        var module = c.Create(new RandomSource(1));
        var x = LayerContractTests.RandomInput(2, c.Input);
        var y = module.Forward(x);
        Assert.Equal(c.Output, y.ShapeArray);
        foreach (float v in y.Data) Assert.True(float.IsFinite(v), $"{name}: non-finite output {v}");
        Assert.Equal(c.Parameters, module.ParameterCount());
        Assert.Equal(c.State.Select(s => s.Key).ToArray(), module.NamedParameters().Select(p => p.Key).ToArray());
        foreach (var (key, shape) in c.State) Assert.Equal(shape, module.StateDict()[key].ShapeArray);

        // Random parameters, then ToConfig -> JSON text -> registry -> LoadStateDict gives bit-identical outputs.
        var rnd = new RandomSource(4);
        foreach (var p in module.Parameters()) { var d = p.Data; for (int i = 0; i < d.Length; i++) d[i] = 2f * rnd.NextFloat() - 1f; }
        var expected = EvalOutput(module, x);
        string text = module.ToConfig().ToJsonString();
        var rebuilt = ModuleRegistry.Create(JsonNode.Parse(text)!.AsObject());
        Assert.Equal(module.GetType(), rebuilt.GetType());
        Assert.Equal(text, rebuilt.ToConfig().ToJsonString());
        Assert.Equal(module.ToString(), rebuilt.ToString());
        rebuilt.LoadStateDict(module.StateDict());
        LayerContractTests.AssertBitEqual(expected, EvalOutput(rebuilt, x), name + " rebuilt");
        var inMemory = ModuleRegistry.Create(module.ToConfig());
        inMemory.LoadStateDict(module.StateDict());
        LayerContractTests.AssertBitEqual(expected, EvalOutput(inMemory, x), name + " rebuilt in memory");
    }

    [Fact]
    public void PReLUDefaultsFollowPyTorch()
    {
        var p = new PReLU();
        Assert.Equal([0.25f], p.Weight.ToArray());
        Assert.Equal("{\"type\":\"PReLU\",\"num_parameters\":1,\"init\":0.25}", p.ToConfig().ToJsonString());
        p.Weight.Data[0] = 3f;
        p.ResetParameters();
        Assert.Equal(0.25f, p.Weight.Data[0]);
        Assert.Equal("{\"type\":\"ELU\",\"alpha\":1}", new ELU().ToConfig().ToJsonString());
        Assert.Equal("{\"type\":\"Hardswish\"}", new Hardswish().ToConfig().ToJsonString());
    }

    public static TheoryData<string> Ops() => ["relu6", "elu", "selu", "celu", "mish", "hardsigmoid", "hardswish", "softsign", "logsigmoid",
        "prelu_shared", "prelu_channels", "prelu_3d", "softmin", "softmin_dim0", "glu", "glu_dim1", "softmax_t"];

    [Theory]
    [MemberData(nameof(Ops))]
    public void GradientsMatchFiniteDifferences(string op)
    {
        // Inputs in [-1, 1] scaled by 2.5: the kinks (0, +-3, 6) are avoided by moving nearby points.
        Tensor X(int seed, params int[] shape)
        {
            var t = GradCheck.Random(seed, shape);
            var d = t.Data;
            for (int i = 0; i < d.Length; i++)
            {
                d[i] *= 2.5f;
                foreach (float k in new[] { 0f, -3f, 3f, 6f }) if (MathF.Abs(d[i] - k) < 0.05f) d[i] = k + 0.1f;
            }
            return t;
        }
        switch (op)
        {
            case "relu6": GradCheck.Check(t => Functional.Relu6(Functional.Mul(t[0], 3f)), [X(1, 3, 5)]); break;
            case "elu": GradCheck.Check(t => Functional.Elu(t[0], 0.7f), [X(1, 3, 5)]); break;
            case "selu": GradCheck.Check(t => Functional.Selu(t[0]), [X(1, 3, 5)]); break;
            case "celu": GradCheck.Check(t => Functional.Celu(t[0], 1.8f), [X(1, 3, 5)]); break;
            case "mish": GradCheck.Check(t => Functional.Mish(t[0]), [X(1, 3, 5)]); break;
            case "hardsigmoid": GradCheck.Check(t => Functional.HardSigmoid(t[0]), [X(1, 3, 5)]); break;
            case "hardswish": GradCheck.Check(t => Functional.HardSwish(t[0]), [X(1, 3, 5)]); break;
            case "softsign": GradCheck.Check(t => Functional.Softsign(t[0]), [X(1, 3, 5)]); break;
            case "logsigmoid": GradCheck.Check(t => Functional.LogSigmoid(t[0]), [X(1, 3, 5)]); break;
            case "prelu_shared": GradCheck.Check(t => Functional.Prelu(t[0], t[1]), [X(1, 3, 5), GradCheck.Random(2, 1)]); break;
            case "prelu_channels": GradCheck.Check(t => Functional.Prelu(t[0], t[1]), [X(1, 4, 5), GradCheck.Random(2, 5)]); break;
            case "prelu_3d": GradCheck.Check(t => Functional.Prelu(t[0], t[1]), [X(1, 2, 3, 4), GradCheck.Random(2, 3)]); break;
            case "softmin": GradCheck.Check(t => Functional.Softmin(t[0]), [X(1, 3, 5)]); break;
            case "softmin_dim0": GradCheck.Check(t => Functional.Softmin(t[0], 0), [X(1, 3, 5)]); break;
            case "glu": GradCheck.Check(t => Functional.Glu(t[0]), [X(1, 3, 6)]); break;
            case "glu_dim1": GradCheck.Check(t => Functional.Glu(t[0], 1), [X(1, 2, 4, 3)]); break;
            case "softmax_t": GradCheck.Check(t => Functional.Softmax(t[0], -1, 0.7f), [X(1, 3, 5)]); break;
            default: throw new InvalidOperationException(op);
        }
    }

    [Fact]
    public void MlpCreatesEveryNewActivationByName()
    {
        var expected = new Dictionary<string, Activation>
        {
            ["relu6"] = Activation.Relu6, ["elu"] = Activation.Elu, ["selu"] = Activation.Selu, ["celu"] = Activation.Celu,
            ["mish"] = Activation.Mish, ["hardsigmoid"] = Activation.HardSigmoid, ["hardswish"] = Activation.HardSwish,
            ["softsign"] = Activation.Softsign, ["logsigmoid"] = Activation.LogSigmoid, ["HardSwish"] = Activation.HardSwish,
        };
        foreach (var (name, kind) in expected)
        {
            var module = Mlp.CreateActivation(name);
            Assert.Equal(kind, module.Kind);
            Assert.Contains(name.ToLowerInvariant(), Mlp.ActivationNames);
            Assert.Equal(module.ToConfig().ToJsonString(), ModuleRegistry.Create(module.ToConfig()).ToConfig().ToJsonString());
        }
        Assert.Equal(1f, ((ELU)Mlp.CreateActivation("elu")).Alpha);
        Assert.Contains("mish", Assert.Throws<ArgumentException>(() => Mlp.CreateActivation("swishy")).Message);
    }

    /// <summary>Sequential fuses Linear + every new element-wise kind; outputs and all gradients equal the unfused run.</summary>
    [Theory]
    [InlineData(Activation.Relu6)]
    [InlineData(Activation.Elu)]
    [InlineData(Activation.Selu)]
    [InlineData(Activation.Celu)]
    [InlineData(Activation.Mish)]
    [InlineData(Activation.HardSigmoid)]
    [InlineData(Activation.HardSwish)]
    [InlineData(Activation.Softsign)]
    [InlineData(Activation.LogSigmoid)]
    public void SequentialFusionEqualsSeparateOps(Activation kind)
    {
        ActivationModule Act() => kind switch
        {
            Activation.Relu6 => new ReLU6(), Activation.Elu => new ELU(0.6f), Activation.Selu => new SELU(),
            Activation.Celu => new CELU(1.7f), Activation.Mish => new Mish(), Activation.HardSigmoid => new Hardsigmoid(),
            Activation.HardSwish => new Hardswish(), Activation.Softsign => new Softsign(), _ => new LogSigmoid(),
        };
        var linear = new Linear(9, 37, random: new RandomSource(3));
        foreach (var p in linear.Parameters()) { var d = p.Data; for (int i = 0; i < d.Length; i++) d[i] *= 8f; } // reach the kinks' far sides
        var fused = new Sequential(linear, Act());
        var x1 = LayerContractTests.RandomInput(5, [6, 9]);
        var x2 = Tensor.FromArray(x1.ToArray(), [6, 9]);
        x1.RequiresGrad = x2.RequiresGrad = true;
        var dy = LayerContractTests.RandomInput(6, [6, 37]);

        var y1 = fused.Forward(x1);
        y1.Backward(dy);
        var gw1 = linear.Weight.Grad!.ToArray();
        var gb1 = linear.Bias!.Grad!.ToArray();
        linear.ZeroGrad();
        var y2 = Act().Forward(linear.Forward(x2));
        y2.Backward(dy);

        LayerContractTests.AssertBitEqual(y2.Data, y1.Data, $"{kind} y");
        PyTorchCloseness(x2.Grad!.ToArray(), x1.Grad!.Data, $"{kind} dx");
        PyTorchCloseness(linear.Weight.Grad!.ToArray(), gw1, $"{kind} dW");
        PyTorchCloseness(linear.Bias.Grad!.ToArray(), gb1, $"{kind} db");
    }

    private static void PyTorchCloseness(float[] expected, ReadOnlySpan<float> actual, string what) =>
        Reference.PyTorchFixtureTests.AssertClose(expected, actual, what);

    [Fact]
    public void BadConfigurationsNameTheArgument()
    {
        Assert.Contains("alpha", Assert.Throws<ArgumentOutOfRangeException>(() => new CELU(0f)).Message);
        Assert.Contains("alpha", Assert.Throws<ArgumentOutOfRangeException>(() => new ELU(float.NaN)).Message);
        Assert.Contains("numParameters", Assert.Throws<ArgumentOutOfRangeException>(() => new PReLU(0)).Message);
        Assert.Contains("init", Assert.Throws<ArgumentOutOfRangeException>(() => new PReLU(1, float.PositiveInfinity)).Message);
        Assert.Contains("temperature", Assert.Throws<ArgumentOutOfRangeException>(() => new SoftmaxWithTemperature(-1, 0f)).Message);
        Assert.Contains("temperature", Assert.Throws<ArgumentOutOfRangeException>(() => new SoftmaxWithTemperature(-1, float.NaN)).Message);

        var ex = Assert.Throws<ArgumentException>(() => new PReLU(5).Forward(Tensor.Zeros(4, 7)));
        Assert.Contains("5", ex.Message);
        Assert.Contains("7 channels", ex.Message);
        Assert.Contains("rank < 2", Assert.Throws<ArgumentException>(() => new PReLU(3).Forward(Tensor.Zeros(3))).Message);
        Assert.Contains("odd size 7", Assert.Throws<ArgumentException>(() => new GLU().Forward(Tensor.Zeros(4, 7))).Message);
        Assert.Contains("out of range", Assert.Throws<ArgumentOutOfRangeException>(() => new GLU(2).Forward(Tensor.Zeros(4, 8))).Message);
        Assert.Contains("out of range", Assert.Throws<ArgumentOutOfRangeException>(() => new Softmin(3).Forward(Tensor.Zeros(4, 8))).Message);
        Assert.Contains("one-dimensional", Assert.Throws<ArgumentException>(() => Functional.Prelu(Tensor.Zeros(2, 2), Tensor.Zeros(2, 2))).Message);

        Assert.Contains("alpha", Assert.Throws<ArgumentOutOfRangeException>(() =>
            ModuleRegistry.Create(JsonNode.Parse("{\"type\":\"CELU\",\"alpha\":0}")!.AsObject())).Message);
        Assert.Contains("'num_parameters'", Assert.Throws<FormatException>(() =>
            ModuleRegistry.Create(JsonNode.Parse("{\"type\":\"PReLU\",\"num_parameters\":1.5}")!.AsObject())).Message);
    }
}
