using System.Runtime.InteropServices;
using System.Text.Json.Nodes;
using Activation = NeuralSharp.Kernels.Activation;
using NeuralSharp.Nn;

namespace NeuralSharp.Tests.NnLayers;

/// <summary>One layer under test: how to build it, a batch input shape, and what the contract expects.</summary>
/// <param name="Create">Builds the layer from an initialisation source.</param>
/// <param name="Input">Shape of a batch input.</param>
/// <param name="Output">Expected output shape.</param>
/// <param name="Parameters">Expected parameter count from the layer's formula (e.g. In*Out + Out).</param>
/// <param name="State">Expected state-dict keys (PyTorch names) with their shapes, in registration order.</param>
internal sealed record LayerCase(Func<RandomSource, Module> Create, int[] Input, int[] Output, long Parameters, (string Key, int[] Shape)[] State);

/// <summary>
/// The contract every layer keeps, checked by one helper per property over every built-in layer:
/// output shape, parameter count, PyTorch state-dict names, config + state-dict round trip, LoadStateDict
/// errors, and Train()/Eval() propagation.
/// </summary>
public class LayerContractTests
{
    internal static readonly Dictionary<string, LayerCase> Cases = new()
    {
        ["Linear"] = new(r => new Linear(7, 5, random: r), [4, 7], [4, 5], 7 * 5 + 5, [("weight", [5, 7]), ("bias", [5])]),
        ["LinearNoBias"] = new(r => new Linear(7, 5, bias: false, random: r), [4, 7], [4, 5], 7 * 5, [("weight", [5, 7])]),
        ["Linear3D"] = new(r => new Linear(3, 6, random: r), [2, 5, 3], [2, 5, 6], 3 * 6 + 6, [("weight", [6, 3]), ("bias", [6])]),
        ["ReLU"] = new(_ => new ReLU(), [4, 7], [4, 7], 0, []),
        ["LeakyReLU"] = new(_ => new LeakyReLU(0.2f), [4, 7], [4, 7], 0, []),
        ["Sigmoid"] = new(_ => new Sigmoid(), [4, 7], [4, 7], 0, []),
        ["Tanh"] = new(_ => new Tanh(), [4, 7], [4, 7], 0, []),
        ["GELU"] = new(_ => new GELU(), [4, 7], [4, 7], 0, []),
        ["GELUTanh"] = new(_ => new GELU(tanhApproximation: true), [4, 7], [4, 7], 0, []),
        ["SiLU"] = new(_ => new SiLU(), [4, 7], [4, 7], 0, []),
        ["Softplus"] = new(_ => new Softplus(2f), [4, 7], [4, 7], 0, []),
        ["Softmax"] = new(_ => new Softmax(), [4, 7], [4, 7], 0, []),
        ["SoftmaxDim0"] = new(_ => new Softmax(0), [4, 7], [4, 7], 0, []),
        ["LogSoftmax"] = new(_ => new LogSoftmax(), [4, 7], [4, 7], 0, []),
        ["Dropout"] = new(r => new Dropout(0.3f, new RandomSource(r.NextUInt32())), [4, 7], [4, 7], 0, []),
        ["Flatten"] = new(_ => new Flatten(), [4, 2, 3, 5], [4, 30], 0, []),
        ["Flatten2"] = new(_ => new Flatten(2), [4, 2, 3, 5], [4, 2, 15], 0, []),
        ["LayerNorm"] = new(_ => new LayerNorm(7), [4, 7], [4, 7], 2 * 7, [("weight", [7]), ("bias", [7])]),
        ["LayerNormNoAffine"] = new(_ => new LayerNorm(7, 1e-3f, elementwiseAffine: false), [4, 7], [4, 7], 0, []),
        ["RMSNorm"] = new(_ => new RMSNorm(7), [4, 7], [4, 7], 7, [("weight", [7])]),
        ["RMSNormNoAffine"] = new(_ => new RMSNorm(7, 1e-5f, elementwiseAffine: false), [4, 7], [4, 7], 0, []),
        ["Sequential"] = new(r => new Sequential(new Linear(7, 16, random: r), new ReLU(), new Linear(16, 3, random: r)),
            [4, 7], [4, 3], 7 * 16 + 16 + 16 * 3 + 3, [("0.weight", [16, 7]), ("0.bias", [16]), ("2.weight", [3, 16]), ("2.bias", [3])]),
        ["SequentialNested"] = new(r => new Sequential(
                new Flatten(), new LayerNorm(12), new Linear(12, 8, random: r), new Tanh(),
                new Sequential(new Dropout(0.5f, new RandomSource(9)), new Linear(8, 4, bias: false, random: r), new RMSNorm(4)),
                new LogSoftmax()),
            [3, 3, 4], [3, 4], 2 * 12 + 12 * 8 + 8 + 8 * 4 + 4,
            [("1.weight", [12]), ("1.bias", [12]), ("2.weight", [8, 12]), ("2.bias", [8]), ("4.1.weight", [4, 8]), ("4.2.weight", [4])]),
        ["Mlp"] = new(r => Mlp.Create(7, [16, 8], 3, "gelu", dropout: 0.25f, random: r),
            [4, 7], [4, 3], 7 * 16 + 16 + 16 * 8 + 8 + 8 * 3 + 3,
            [("0.weight", [16, 7]), ("0.bias", [16]), ("3.weight", [8, 16]), ("3.bias", [8]), ("6.weight", [3, 8]), ("6.bias", [3])]),
        ["MlpLinearModel"] = new(r => Mlp.Create(7, [], 3, random: r), [4, 7], [4, 3], 7 * 3 + 3, [("0.weight", [3, 7]), ("0.bias", [3])]),
        ["MlpLeakyRelu"] = new(r => Mlp.Create(5, [6], 2, "leaky_relu", random: r), [4, 5], [4, 2], 5 * 6 + 6 + 6 * 2 + 2,
            [("0.weight", [6, 5]), ("0.bias", [6]), ("2.weight", [2, 6]), ("2.bias", [2])]),
    };

    public static TheoryData<string> AllCases()
    {
        var data = new TheoryData<string>();
        foreach (var name in Cases.Keys) data.Add(name);
        return data;
    }

    public static TheoryData<string> CasesWithParameters()
    {
        var data = new TheoryData<string>();
        foreach (var (name, c) in Cases) if (c.State.Length > 0) data.Add(name);
        return data;
    }

    internal static Tensor RandomInput(int seed, int[] shape) => Tensor.Uniform(new RandomSource((ulong)seed), -2f, 2f, shape);

    internal static void AssertBitEqual(ReadOnlySpan<float> expected, ReadOnlySpan<float> actual, string what)
    {
        Assert.True(expected.Length == actual.Length, $"{what}: length {actual.Length}, expected {expected.Length}");
        var a = MemoryMarshal.Cast<float, int>(expected);
        var b = MemoryMarshal.Cast<float, int>(actual);
        for (int i = 0; i < a.Length; i++)
            Assert.True(a[i] == b[i], $"{what}[{i}]: {actual[i]:R}, expected {expected[i]:R} (bit-identical)");
    }

    /// <summary>Fills every parameter with random values, so that a round trip of fresh defaults (ones, zeros) proves nothing by accident.</summary>
    private static void Randomize(Module module, ulong seed)
    {
        var random = new RandomSource(seed);
        foreach (var p in module.Parameters())
        {
            var d = p.Data;
            for (int i = 0; i < d.Length; i++) d[i] = 2f * random.NextFloat() - 1f;
        }
    }

    private static float[] EvalOutput(Module module, Tensor input)
    {
        module.Eval();
        using var noGrad = GradMode.NoGrad();
        using var scope = TensorScope.Begin();
        return module.Forward(input).ToArray();
    }

    [Theory]
    [MemberData(nameof(AllCases))]
    public void OutputShapeForABatch(string name)
    {
        var c = Cases[name];
        var module = c.Create(new RandomSource(1));
        var x = RandomInput(2, c.Input);
        var y = module.Forward(x);
        Assert.Equal(c.Output, y.ShapeArray);
        foreach (float v in y.Data) Assert.True(float.IsFinite(v), $"{name}: non-finite output {v}");
        module.Eval();
        Assert.Equal(c.Output, module.Forward(x).ShapeArray);
    }

    [Theory]
    [MemberData(nameof(AllCases))]
    public void ParameterCountMatchesFormulaAndSizes(string name)
    {
        var c = Cases[name];
        var module = c.Create(new RandomSource(1));
        long sum = module.Parameters().Sum(p => (long)p.Size);
        Assert.Equal(c.Parameters, module.ParameterCount());
        Assert.Equal(c.Parameters, sum);
        foreach (var p in module.Parameters()) Assert.True(p.RequiresGrad, $"{name}: parameter does not require grad");
    }

    [Theory]
    [MemberData(nameof(AllCases))]
    public void StateDictKeysFollowPyTorchNames(string name)
    {
        var c = Cases[name];
        var module = c.Create(new RandomSource(1));
        Assert.Equal(c.State.Select(s => s.Key).ToArray(), module.NamedParameters().Select(p => p.Key).ToArray());
        var state = module.StateDict();
        Assert.Equal(c.State.Select(s => s.Key).Order(StringComparer.Ordinal), state.Keys.Order(StringComparer.Ordinal));
        foreach (var (key, shape) in c.State) Assert.Equal(shape, state[key].ShapeArray);
        // The state dict holds the parameters themselves, not copies.
        var parameters = module.Parameters().ToList();
        foreach (var t in state.Values) Assert.Contains(parameters, p => ReferenceEquals(p, t));
    }

    /// <summary>ToConfig -> JSON text -> ModuleRegistry.Create -> LoadStateDict (as SavedModel does) rebuilds the layer exactly.</summary>
    [Theory]
    [MemberData(nameof(AllCases))]
    public void ConfigAndStateDictRoundTripGiveBitIdenticalOutputs(string name)
    {
        var c = Cases[name];
        var original = c.Create(new RandomSource(3));
        Randomize(original, 4);
        var x = RandomInput(5, c.Input);
        var expected = EvalOutput(original, x);

        string text = original.ToConfig().ToJsonString();
        var rebuilt = ModuleRegistry.Create(JsonNode.Parse(text)!.AsObject());
        Assert.Equal(original.GetType(), rebuilt.GetType());
        Assert.Equal(text, rebuilt.ToConfig().ToJsonString());
        Assert.Equal(original.ToString(), rebuilt.ToString());
        rebuilt.LoadStateDict(original.StateDict());
        AssertBitEqual(expected, EvalOutput(rebuilt, x), name + " rebuilt output");

        // The loaded values are copies: changing the original afterwards does not reach the rebuilt module.
        foreach (var p in original.Parameters()) p.Data.Fill(0.5f);
        AssertBitEqual(expected, EvalOutput(rebuilt, x), name + " rebuilt output after changing the original");
    }

    /// <summary>The same round trip without going through text: ModuleRegistry.Create(module.ToConfig()).</summary>
    [Fact]
    public void ConfigRoundTripsInMemoryWithoutText()
    {
        foreach (var (name, c) in Cases)
        {
            var original = c.Create(new RandomSource(3));
            Randomize(original, 6);
            var x = RandomInput(7, c.Input);
            var expected = EvalOutput(original, x);
            var config = original.ToConfig();
            var rebuilt = ModuleRegistry.Create(config);
            Assert.Equal(config.ToJsonString(), rebuilt.ToConfig().ToJsonString());
            rebuilt.LoadStateDict(original.StateDict());
            AssertBitEqual(expected, EvalOutput(rebuilt, x), name + " rebuilt output");
        }
    }

    [Theory]
    [MemberData(nameof(CasesWithParameters))]
    public void LoadStateDictShapeMismatchNamesKeyAndBothShapes(string name)
    {
        var c = Cases[name];
        var module = c.Create(new RandomSource(1));
        foreach (var (key, shape) in c.State)
        {
            var state = new Dictionary<string, Tensor>(module.StateDict());
            var wrong = (int[])shape.Clone();
            wrong[^1] += 1;
            state[key] = Tensor.Zeros(wrong);
            var ex = Assert.Throws<ArgumentException>(() => module.LoadStateDict(state));
            Assert.Contains($"'{key}'", ex.Message);
            Assert.Contains(Format(wrong), ex.Message);
            Assert.Contains(Format(shape), ex.Message);
        }
    }

    [Theory]
    [MemberData(nameof(CasesWithParameters))]
    public void LoadStateDictStrictListsMissingAndUnexpectedKeys(string name)
    {
        var c = Cases[name];
        var module = c.Create(new RandomSource(1));
        string missingKey = c.State[^1].Key;
        var state = new Dictionary<string, Tensor>(module.StateDict());
        state.Remove(missingKey);
        state["extra.weight"] = Tensor.Zeros(2);
        var ex = Assert.Throws<ArgumentException>(() => module.LoadStateDict(state));
        Assert.Contains($"missing keys [{missingKey}]", ex.Message);
        Assert.Contains("unexpected keys [extra.weight]", ex.Message);

        // Non-strict: the keys present are loaded, the rest left alone.
        var before = module.StateDict()[missingKey].ToArray();
        var loaded = c.State[0].Key;
        state[loaded] = Tensor.Full(0.25f, c.State[0].Shape);
        module.LoadStateDict(state, strict: false);
        Assert.All(module.StateDict()[loaded].ToArray(), v => Assert.Equal(0.25f, v));
        if (missingKey != loaded) AssertBitEqual(before, module.StateDict()[missingKey].Data, "untouched " + missingKey);
    }

    [Fact]
    public void LoadStateDictStrictOnParameterlessLayerRejectsUnexpectedKeys()
    {
        var module = new ReLU();
        module.LoadStateDict(new Dictionary<string, Tensor>());
        var ex = Assert.Throws<ArgumentException>(() => module.LoadStateDict(new Dictionary<string, Tensor> { ["weight"] = Tensor.Zeros(3) }));
        Assert.Contains("unexpected keys [weight]", ex.Message);
        module.LoadStateDict(new Dictionary<string, Tensor> { ["weight"] = Tensor.Zeros(3) }, strict: false);
    }

    [Theory]
    [MemberData(nameof(AllCases))]
    public void TrainAndEvalPropagateToEveryDescendant(string name)
    {
        var module = Cases[name].Create(new RandomSource(1));
        Assert.All(Descendants(module), m => Assert.True(m.Training));
        Assert.Same(module, module.Eval());
        Assert.All(Descendants(module), m => Assert.False(m.Training));
        module.Train();
        Assert.All(Descendants(module), m => Assert.True(m.Training));
        module.Train(false);
        Assert.All(Descendants(module), m => Assert.False(m.Training));
    }

    [Fact]
    public void NestedSequentialDropoutFollowsTheRootMode()
    {
        var model = (Sequential)Cases["SequentialNested"].Create(new RandomSource(1));
        var x = RandomInput(3, [3, 3, 4]);
        model.Eval();
        var a = EvalOutput(model, x);
        var b = EvalOutput(model, x);
        AssertBitEqual(a, b, "eval is deterministic");
        model.Train();
        using (GradMode.NoGrad())
        {
            var trained = model.Forward(x).ToArray();
            Assert.NotEqual(a, trained); // the inner dropout is active
        }
    }

    private static IEnumerable<Module> Descendants(Module module)
    {
        yield return module;
        foreach (var (_, child) in module.NamedChildren())
            foreach (var m in Descendants(child)) yield return m;
    }

    private static string Format(int[] shape) => "[" + string.Join(", ", shape) + "]";

    // ---- Dropout ----

    [Fact]
    public void DropoutIsIdentityInEvalMode()
    {
        var dropout = new Dropout(0.5f, new RandomSource(1));
        dropout.Eval();
        var x = RandomInput(2, [10, 33]);
        var y = dropout.Forward(x);
        AssertBitEqual(x.Data, y.Data, "eval dropout");
    }

    [Theory]
    [InlineData(0.1f)]
    [InlineData(0.3f)]
    [InlineData(0.5f)]
    [InlineData(0.9f)]
    public void DropoutZeroesAboutPAndScalesTheRest(float p)
    {
        var dropout = new Dropout(p, new RandomSource(17));
        var x = Tensor.Uniform(new RandomSource(3), 0.5f, 1.5f, 200, 500); // no zeros in the input
        var y = dropout.Forward(x);
        float keep = 1f / (1f - p);
        int zeros = 0;
        var xd = x.Data;
        var yd = y.Data;
        for (int i = 0; i < yd.Length; i++)
        {
            if (yd[i] == 0f) zeros++;
            else Assert.True(yd[i] == xd[i] * keep, $"element {i}: {yd[i]:R}, expected {xd[i] * keep:R}");
        }
        double fraction = zeros / (double)yd.Length;
        // 100 000 Bernoulli(p) draws: the standard deviation of the fraction is at most 0.0016.
        Assert.InRange(fraction, p - 0.01, p + 0.01);
    }

    [Fact]
    public void DropoutGradientIsTheScaledMask()
    {
        var dropout = new Dropout(0.4f, new RandomSource(5));
        var x = Tensor.Uniform(new RandomSource(3), 0.5f, 1.5f, 30, 40).RequireGrad();
        var y = dropout.Forward(x);
        var dy = RandomInput(8, [30, 40]);
        y.Backward(dy);
        float keep = 1f / (1f - 0.4f);
        for (int i = 0; i < y.Size; i++)
        {
            float expected = y.Data[i] == 0f ? 0f : dy.Data[i] * keep;
            Assert.True(x.Grad!.Data[i] == expected, $"grad[{i}]: {x.Grad.Data[i]:R}, expected {expected:R}");
        }
    }

    [Fact]
    public void DropoutMasksAreReproducibleFromTheSeed()
    {
        var x = RandomInput(2, [16, 50]);
        var a = new Dropout(0.5f, new RandomSource(42));
        var b = new Dropout(0.5f, new RandomSource(42));
        var c = new Dropout(0.5f, new RandomSource(43));
        var a1 = a.Forward(x).ToArray();
        AssertBitEqual(a1, b.Forward(x).Data, "same seed, first mask");
        AssertBitEqual(a.Forward(x).Data, b.Forward(x).Data, "same seed, second mask");
        Assert.NotEqual(a1, c.Forward(x).ToArray());
        Assert.NotEqual(a1, a.Forward(x).ToArray()); // the generator advances between calls

        // Through the global generator: the same ManualSeed gives the same dropout module.
        RandomSource.ManualSeed(99);
        var g1 = new Dropout(0.5f).Forward(x).ToArray();
        RandomSource.ManualSeed(99);
        AssertBitEqual(g1, new Dropout(0.5f).Forward(x).Data, "same global seed");
    }

    [Fact]
    public void DropoutWithPZeroIsIdentityInTraining()
    {
        var x = RandomInput(2, [5, 9]);
        AssertBitEqual(x.Data, new Dropout(0f, new RandomSource(1)).Forward(x).Data, "p = 0");
    }

    // ---- Linear initialisation ----

    [Theory]
    [InlineData(1, 4)]
    [InlineData(100, 30)]
    [InlineData(784, 16)]
    public void LinearInitIsUniformWithinInverseSqrtIn(int inFeatures, int outFeatures)
    {
        var layer = new Linear(inFeatures, outFeatures, random: new RandomSource(3));
        float bound = 1f / MathF.Sqrt(inFeatures);
        var all = layer.Weight.ToArray().Concat(layer.Bias!.ToArray()).ToArray();
        Assert.All(all, v => Assert.InRange(v, -bound, bound));
        if (all.Length >= 1000)
        {
            Assert.True(all.Min() < -0.95f * bound && all.Max() > 0.95f * bound, "the samples should cover the range");
            double mean = all.Average(v => (double)v);
            Assert.InRange(mean, -0.05 * bound, 0.05 * bound);
            double meanSquare = all.Average(v => (double)v * v);
            Assert.InRange(meanSquare, 0.9 * bound * bound / 3, 1.1 * bound * bound / 3); // Var U(-b, b) = b²/3
        }
    }

    [Fact]
    public void LinearInitIsReproducibleFromTheSeed()
    {
        var a = new Linear(20, 10, random: new RandomSource(7));
        var b = new Linear(20, 10, random: new RandomSource(7));
        var c = new Linear(20, 10, random: new RandomSource(8));
        AssertBitEqual(a.Weight.Data, b.Weight.Data, "weight");
        AssertBitEqual(a.Bias!.Data, b.Bias!.Data, "bias");
        Assert.NotEqual(a.Weight.ToArray(), c.Weight.ToArray());

        c.ResetParameters(new RandomSource(7));
        AssertBitEqual(a.Weight.Data, c.Weight.Data, "weight after ResetParameters");
        AssertBitEqual(a.Bias.Data, c.Bias!.Data, "bias after ResetParameters");

        RandomSource.ManualSeed(12);
        var g1 = new Linear(20, 10);
        RandomSource.ManualSeed(12);
        var g2 = new Linear(20, 10);
        AssertBitEqual(g1.Weight.Data, g2.Weight.Data, "weight from the global seed");

        var m1 = Mlp.Create(8, [16, 16], 4, dropout: 0.2f, random: new RandomSource(5));
        var m2 = Mlp.Create(8, [16, 16], 4, dropout: 0.2f, random: new RandomSource(5));
        foreach (var ((key, p1), (_, p2)) in m1.NamedParameters().Zip(m2.NamedParameters()))
            AssertBitEqual(p1.Data, p2.Data, "Mlp " + key);
        var x = RandomInput(1, [6, 8]);
        using (GradMode.NoGrad()) AssertBitEqual(m1.Forward(x).Data, m2.Forward(x).Data, "Mlp training-mode output (dropout masks)");
    }

    // ---- Fused Linear + activation in Sequential ----

    public static TheoryData<string> ActivationNames()
    {
        var data = new TheoryData<string>();
        foreach (var name in new[] { "ReLU", "LeakyReLU", "Sigmoid", "Tanh", "GELU", "GELUTanh", "SiLU", "Softplus" }) data.Add(name);
        return data;
    }

    [Theory]
    [MemberData(nameof(ActivationNames))]
    public void FusedLinearActivationMatchesSeparateOps(string name)
    {
        var act = (ActivationModule)Cases[name].Create(new RandomSource(0));
        var linear = new Linear(13, 37, random: new RandomSource(2));
        var model = new Sequential(linear, act);
        var x = RandomInput(4, [9, 13]).RequireGrad();
        var dy = RandomInput(5, [9, 37]);

        var fused = model.Forward(x);
        Assert.Contains("Linear+", fused.GradFn!.Name); // the fused path really ran
        fused.Backward(dy);
        var grads = new[] { x.Grad!.ToArray(), linear.Weight.Grad!.ToArray(), linear.Bias!.Grad!.ToArray() };
        x.ZeroGrad();
        model.ZeroGrad();

        var separate = Functional.Activate(Functional.Linear(x, linear.Weight, linear.Bias), act.Kind, act.Alpha);
        separate.Backward(dy);
        AssertClose(separate.Data, fused.Data, name + " output");
        AssertClose(x.Grad!.Data, grads[0], name + " grad x");
        AssertClose(linear.Weight.Grad!.Data, grads[1], name + " grad weight");
        AssertClose(linear.Bias.Grad!.Data, grads[2], name + " grad bias");
    }

    private static void AssertClose(ReadOnlySpan<float> expected, ReadOnlySpan<float> actual, string what)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
        {
            double diff = Math.Abs((double)expected[i] - actual[i]);
            Assert.True(diff <= 1e-6 * Math.Max(1.0, Math.Abs(expected[i])), $"{what}[{i}]: {actual[i]:R} vs {expected[i]:R}");
        }
    }

    // ---- Bad configuration ----

    [Fact]
    public void BadConfigurationThrowsNamingTheArgument()
    {
        AssertArgument(() => new Linear(0, 3), "inFeatures", "0");
        AssertArgument(() => new Linear(-2, 3), "inFeatures", "-2");
        AssertArgument(() => new Linear(3, 0), "outFeatures", "0");
        AssertArgument(() => new Dropout(1.0f), "p", "1");
        AssertArgument(() => new Dropout(-0.1f), "p", "-0.1");
        AssertArgument(() => new Dropout(float.NaN), "p", "NaN");
        AssertArgument(() => new RMSNorm(0), "normalizedShape", "0");
        AssertArgument(() => new LayerNorm(-1), "normalizedShape", "-1");
        AssertArgument(() => new Softplus(0f), "beta", "0");
        AssertArgument(() => Mlp.Create(4, [8], 0), "outputs", "0");
        AssertArgument(() => Mlp.Create(0, [8], 3), "inputs", "0");
        AssertArgument(() => Mlp.Create(4, [8], 3, dropout: 1f), "dropout", "1");

        var hidden = Assert.Throws<ArgumentException>(() => Mlp.Create(4, [8, 0, 3], 2));
        Assert.Contains("hidden layer 1", hidden.Message);
        Assert.Contains("width 0", hidden.Message);
    }

    private static void AssertArgument(Func<object> create, string parameter, string value)
    {
        var ex = Assert.ThrowsAny<ArgumentException>(() => create());
        Assert.Equal(parameter, ex.ParamName);
        Assert.Contains(parameter, ex.Message);
        Assert.Contains(value, ex.Message);
    }

    [Theory]
    [InlineData("relu7")]
    [InlineData("")]
    [InlineData("soft_plus")]
    [InlineData("gelu-tanh")]
    public void UnknownActivationNameThrowsListingTheKnownOnes(string name)
    {
        var ex = Assert.Throws<ArgumentException>(() => Mlp.CreateActivation(name));
        Assert.Contains($"'{name}'", ex.Message);
        foreach (var known in Mlp.ActivationNames) Assert.Contains(known, ex.Message);
        Assert.Throws<ArgumentException>(() => Mlp.Create(4, [8], 3, activation: name));
    }

    [Theory]
    [InlineData("ReLU", Activation.Relu)]
    [InlineData("LeakyReLU", Activation.LeakyRelu)]
    [InlineData("leaky_relu", Activation.LeakyRelu)]
    [InlineData("SIGMOID", Activation.Sigmoid)]
    [InlineData("tanh", Activation.Tanh)]
    [InlineData("gelu", Activation.GeluErf)]
    [InlineData("GELU_TANH", Activation.GeluTanh)]
    [InlineData("swish", Activation.Silu)]
    [InlineData("silu", Activation.Silu)]
    [InlineData("softplus", Activation.Softplus)]
    public void ActivationNamesAreCaseInsensitive(string name, Activation kind) => Assert.Equal(kind, Mlp.CreateActivation(name).Kind);

    [Fact]
    public void EveryListedActivationNameIsAccepted()
    {
        foreach (var name in Mlp.ActivationNames) Assert.NotNull(Mlp.CreateActivation(name));
    }

    [Fact]
    public void MlpRejectsNegativeOrNaNDropout()
    {
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => Mlp.Create(4, [8], 3, dropout: -0.5f));
        Assert.Equal("dropout", ex.ParamName);
        Assert.Throws<ArgumentOutOfRangeException>(() => Mlp.Create(4, [8], 3, dropout: float.NaN));
    }

    [Fact]
    public void MlpRejectsUnknownActivationEvenWithoutHiddenLayers()
    {
        Assert.Throws<ArgumentException>(() => Mlp.Create(4, [], 3, activation: "bogus"));
    }

    [Fact]
    public void ModuleRegistryRejectsBadConfigs()
    {
        var unknown = Assert.Throws<FormatException>(() => ModuleRegistry.Create(new JsonObject { ["type"] = "Conv2d" }));
        Assert.Contains("'Conv2d'", unknown.Message);
        Assert.Contains("Linear", unknown.Message);
        var missing = Assert.Throws<FormatException>(() => ModuleRegistry.Create(new JsonObject { ["type"] = "Linear", ["in_features"] = 3 }));
        Assert.Contains("out_features", missing.Message);
        var wrongType = Assert.Throws<FormatException>(() => ModuleRegistry.Create(new JsonObject { ["type"] = "Dropout", ["p"] = "half" }));
        Assert.Contains("'p'", wrongType.Message);
        var noType = Assert.Throws<FormatException>(() => ModuleRegistry.Create(new JsonObject { ["in_features"] = 3 }));
        Assert.Contains("'type'", noType.Message);
        Assert.ThrowsAny<ArgumentException>(() => ModuleRegistry.Create(new JsonObject { ["type"] = "Linear", ["in_features"] = 0, ["out_features"] = 2 }));
    }
}
