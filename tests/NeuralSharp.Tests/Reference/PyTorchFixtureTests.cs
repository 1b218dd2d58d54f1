using NeuralSharp.Kernels;
using NeuralSharp.Nn;
using NeuralSharp.Optim;
using NeuralSharp.Tests.Fixtures;

namespace NeuralSharp.Tests.Reference;

/// <summary>
/// Forward and backward of every op against PyTorch 1.13, through the fixtures that
/// Fixtures/make_fixtures.py wrote: |ours - torch| ≤ 1e-5·|torch| + 1e-6·max|torch|.
/// </summary>
public class PyTorchFixtureTests
{
    private const double Rtol = 1e-5;

    internal static void AssertClose(float[] expected, ReadOnlySpan<float> actual, string what)
    {
        Assert.True(expected.Length == actual.Length, $"{what}: length {actual.Length}, expected {expected.Length}");
        double scale = expected.Length == 0 ? 0 : expected.Max(v => Math.Abs((double)v));
        for (int i = 0; i < expected.Length; i++)
        {
            double diff = Math.Abs((double)actual[i] - expected[i]);
            Assert.True(diff <= Rtol * Math.Abs(expected[i]) + 1e-6 * scale,
                $"{what}[{i}]: {actual[i]:R} vs torch {expected[i]:R} (diff {diff:E2})");
        }
    }

    private static Tensor Load(Fixture f, string name, bool grad = false)
    {
        var t = Tensor.FromArray(f.Floats(name), f.Shape(name));
        if (grad) t.RequiresGrad = true;
        return t;
    }

    private static int[] Targets(Fixture f) => f.Ints("target").Select(v => (int)v).ToArray();

    /// <summary>Runs y = op(inputs), backpropagates dy, and checks y and every grad_NAME.</summary>
    private static void CheckForwardBackward(Fixture f, Func<Tensor[], Tensor> op, params string[] inputNames)
    {
        var inputs = inputNames.Select(n => Load(f, n, grad: true)).ToArray();
        var y = op(inputs);
        AssertClose(f.Floats("y"), y.Data, f.Case + " y");
        y.Backward(Load(f, "dy"));
        for (int i = 0; i < inputs.Length; i++)
            AssertClose(f.Floats("grad_" + inputNames[i]), inputs[i].Grad!.Data, f.Case + " grad_" + inputNames[i]);
    }

    [Fact]
    public void Linear() => CheckForwardBackward(Fixture.Load("linear"), t => Functional.Linear(t[0], t[1], t[2]), "x", "weight", "bias");

    [Fact]
    public void MatMul() => CheckForwardBackward(Fixture.Load("matmul"), t => t[0].MatMul(t[1]), "a", "b");

    [Theory]
    [InlineData("relu")]
    [InlineData("leaky_relu")]
    [InlineData("sigmoid")]
    [InlineData("tanh")]
    [InlineData("gelu")]
    [InlineData("gelu_tanh")]
    [InlineData("silu")]
    [InlineData("softplus_beta1")]
    [InlineData("softplus_beta2")]
    public void Activations(string name)
    {
        var f = Fixture.Load(name);
        Module module = name switch
        {
            "relu" => new ReLU(),
            "leaky_relu" => new LeakyReLU((float)f.Attr("negative_slope")),
            "sigmoid" => new Sigmoid(),
            "tanh" => new Tanh(),
            "gelu" => new GELU(),
            "gelu_tanh" => new GELU(tanhApproximation: true),
            "silu" => new SiLU(),
            _ => new Softplus((float)f.Attr("beta")),
        };
        CheckForwardBackward(f, t => module.Forward(t[0]), "x");
    }

    [Theory]
    [InlineData("softmax_dim_last")]
    [InlineData("softmax_dim1")]
    [InlineData("log_softmax_dim_last")]
    [InlineData("log_softmax_dim1")]
    public void SoftmaxFamily(string name)
    {
        var f = Fixture.Load(name);
        int dim = (int)f.Attr("dim");
        CheckForwardBackward(f, t => name.StartsWith("log", StringComparison.Ordinal) ? Functional.LogSoftmax(t[0], dim) : Functional.Softmax(t[0], dim), "x");
    }

    [Theory]
    [InlineData("cross_entropy_mean")]
    [InlineData("cross_entropy_label_smoothing")]
    [InlineData("cross_entropy_weight")]
    [InlineData("cross_entropy_weight_label_smoothing")]
    [InlineData("cross_entropy_ignore_index")]
    [InlineData("cross_entropy_sum")]
    public void CrossEntropy(string name)
    {
        var f = Fixture.Load(name);
        var logits = Load(f, "logits", grad: true);
        var weights = f.Has("class_weight") ? Load(f, "class_weight") : null;
        var reduction = f.AttrString("reduction") == "sum" ? Reduction.Sum : Reduction.Mean;
        var loss = Functional.CrossEntropy(logits, Targets(f), (float)f.Attr("label_smoothing"), weights, (int)f.Attr("ignore_index"), reduction);
        AssertClose(f.Floats("loss"), loss.Data, name + " loss");
        loss.Backward();
        AssertClose(f.Floats("grad_logits"), logits.Grad!.Data, name + " grad_logits");
    }

    [Theory]
    [InlineData("mse_loss")]
    [InlineData("bce_with_logits")]
    [InlineData("bce_with_logits_pos_weight")]
    public void RegressionLosses(string name)
    {
        var f = Fixture.Load(name);
        var x = Load(f, "x", grad: true);
        var target = Load(f, "target");
        var loss = name == "mse_loss"
            ? Functional.MseLoss(x, target)
            : Functional.BinaryCrossEntropyWithLogits(x, target, f.Has("pos_weight") ? Load(f, "pos_weight") : null);
        AssertClose(f.Floats("loss"), loss.Data, name + " loss");
        loss.Backward();
        AssertClose(f.Floats("grad_x"), x.Grad!.Data, name + " grad_x");
    }

    [Fact]
    public void LayerNorm()
    {
        var f = Fixture.Load("layer_norm");
        var module = new Nn.LayerNorm((int)f.Attr("normalized_shape"), (float)f.Attr("eps"));
        module.Weight!.CopyFrom(Load(f, "weight"));
        module.Bias!.CopyFrom(Load(f, "bias"));
        var x = Load(f, "x", grad: true);
        var y = module.Forward(x);
        AssertClose(f.Floats("y"), y.Data, "layer_norm y");
        y.Backward(Load(f, "dy"));
        AssertClose(f.Floats("grad_x"), x.Grad!.Data, "layer_norm grad_x");
        AssertClose(f.Floats("grad_weight"), module.Weight.Grad!.Data, "layer_norm grad_weight");
        AssertClose(f.Floats("grad_bias"), module.Bias.Grad!.Data, "layer_norm grad_bias");
    }

    [Fact]
    public void RmsNorm()
    {
        var f = Fixture.Load("rms_norm");
        var module = new RMSNorm((int)f.Attr("normalized_shape"), (float)f.Attr("eps"));
        module.Weight!.CopyFrom(Load(f, "weight"));
        var x = Load(f, "x", grad: true);
        var y = module.Forward(x);
        AssertClose(f.Floats("y"), y.Data, "rms_norm y");
        y.Backward(Load(f, "dy"));
        AssertClose(f.Floats("grad_x"), x.Grad!.Data, "rms_norm grad_x");
        AssertClose(f.Floats("grad_weight"), module.Weight.Grad!.Data, "rms_norm grad_weight");
    }

    [Theory]
    [InlineData("add_b3x1")]
    [InlineData("add_b4")]
    [InlineData("sub_b3x1")]
    [InlineData("sub_b4")]
    [InlineData("mul_b3x1")]
    [InlineData("mul_b4")]
    [InlineData("div_b3x1")]
    [InlineData("div_b4")]
    public void BroadcastArithmetic(string name)
    {
        var f = Fixture.Load(name);
        Func<Tensor[], Tensor> op = name[..3] switch
        {
            "add" => t => t[0] + t[1],
            "sub" => t => t[0] - t[1],
            "mul" => t => t[0] * t[1],
            _ => t => t[0] / t[1],
        };
        CheckForwardBackward(f, op, "a", "b");
    }

    [Theory]
    [InlineData("sum_dim1")]
    [InlineData("sum_dim1_keepdim")]
    [InlineData("mean_dim1")]
    [InlineData("mean_dim1_keepdim")]
    [InlineData("exp")]
    [InlineData("log")]
    [InlineData("sqrt")]
    [InlineData("pow_3")]
    [InlineData("pow_0_5")]
    public void UnaryAndReductions(string name)
    {
        var f = Fixture.Load(name);
        Func<Tensor[], Tensor> op = name switch
        {
            "exp" => t => t[0].Exp(),
            "log" => t => t[0].Log(),
            "sqrt" => t => t[0].Sqrt(),
            "pow_3" or "pow_0_5" => t => t[0].Pow((float)f.Attr("exponent")),
            _ when name.StartsWith("sum", StringComparison.Ordinal) => t => t[0].Sum([(int)f.Attr("dim")], f.Attr("keepdim") != 0),
            _ => t => t[0].Mean([(int)f.Attr("dim")], f.Attr("keepdim") != 0),
        };
        CheckForwardBackward(f, op, "x");
    }

    [Theory]
    [InlineData("optim_sgd")]
    [InlineData("optim_sgd_momentum")]
    [InlineData("optim_sgd_nesterov_wd")]
    [InlineData("optim_sgd_dampening_wd")]
    [InlineData("optim_adam")]
    [InlineData("optim_adam_betas_wd")]
    [InlineData("optim_adamw")]
    [InlineData("optim_adamw_betas_wd")]
    public void OptimizersThreeSteps(string name)
    {
        var f = Fixture.Load(name);
        var p = Load(f, "p0", grad: true);
        float lr = (float)f.Attr("lr"), wd = (float)f.Attr("weight_decay");
        Optimizer optimizer = f.AttrString("optimizer") switch
        {
            "SGD" => new Sgd([p], lr, (float)f.Attr("momentum"), (float)f.Attr("dampening"), wd, f.Attr("nesterov") != 0),
            "Adam" => new Adam([p], lr, (float)f.Attr("beta1"), (float)f.Attr("beta2"), (float)f.Attr("eps"), wd),
            _ => new AdamW([p], lr, (float)f.Attr("beta1"), (float)f.Attr("beta2"), (float)f.Attr("eps"), wd),
        };
        for (int step = 1; step <= 3; step++)
        {
            p.Grad = Load(f, "g" + step);
            optimizer.Step();
            AssertClose(f.Floats("p" + step), p.Data, $"{name} p{step}");
        }
    }

    [Fact]
    public void StepSchedule()
    {
        var f = Fixture.Load("lr_step");
        var optimizer = new Sgd([Tensor.Zeros(1).RequireGrad()], (float)f.Attr("base_lr"));
        var schedule = new StepLR(optimizer, (int)f.Attr("step_size"), (float)f.Attr("gamma"));
        var expected = f.Floats("lrs");
        for (int i = 0; i < expected.Length; i++)
        {
            AssertClose([expected[i]], [optimizer.LearningRate], $"lr_step[{i}]");
            schedule.Step();
        }
    }

    [Fact]
    public void CosineWarmupSchedule()
    {
        var f = Fixture.Load("lr_cosine_warmup");
        var optimizer = new Sgd([Tensor.Zeros(1).RequireGrad()], (float)f.Attr("base_lr"));
        var schedule = new CosineWarmupLR(optimizer, (int)f.Attr("warmup_steps"), (int)f.Attr("total_steps"), (float)f.Attr("min_lr_factor"));
        var expected = f.Floats("lrs");
        for (int i = 0; i < expected.Length; i++)
        {
            Assert.True(Math.Abs(expected[i] - optimizer.LearningRate) <= 1e-7, $"lr_cosine_warmup[{i}]: {optimizer.LearningRate} vs {expected[i]}");
            schedule.Step();
        }
    }

    [Theory]
    [InlineData("clip_grad_norm")]
    [InlineData("clip_grad_norm_noclip")]
    public void ClipGradNorm(string name)
    {
        var f = Fixture.Load(name);
        var parameters = Enumerable.Range(0, 3).Select(i =>
        {
            var p = Tensor.Zeros(f.Shape("g" + i)).RequireGrad();
            p.Grad = Load(f, "g" + i);
            return p;
        }).ToArray();
        float total = GradientClipping.ClipGradNorm(parameters, (float)f.Attr("max_norm"));
        AssertClose(f.Floats("total_norm"), [total], name + " total_norm");
        for (int i = 0; i < 3; i++) AssertClose(f.Floats("clipped_g" + i), parameters[i].Grad!.Data, $"{name} clipped_g{i}");
    }

    [Fact]
    public void MlpTrainingSteps()
    {
        var f = Fixture.Load("mlp_train");
        var model = new Sequential(new Nn.Linear(6, 8), new ReLU(), new Nn.Linear(8, 3));
        model.LoadStateDict(new[] { "0.weight", "0.bias", "2.weight", "2.bias" }.ToDictionary(k => k, k => Load(f, "init." + k)));
        var optimizer = new Sgd(model.Parameters(), (float)f.Attr("lr"), (float)f.Attr("momentum"));
        var x = Load(f, "x");
        var targets = Targets(f);
        var losses = new float[3];
        for (int step = 0; step < 3; step++)
        {
            optimizer.ZeroGrad();
            var loss = Functional.CrossEntropy(model.Forward(x), targets);
            losses[step] = loss.Item();
            loss.Backward();
            optimizer.Step();
        }
        AssertClose(f.Floats("losses"), losses, "mlp_train losses");
        foreach (var (key, value) in model.StateDict())
            AssertClose(f.Floats("final." + key), value.Data, "mlp_train final." + key);
    }

    [Fact]
    public void MlpAdamUnderCosineScheduleForFortySteps()
    {
        var f = Fixture.Load("mlp_train_adam_cosine");
        var model = new Sequential(new Nn.Linear(6, 16), new ReLU(), new Nn.Linear(16, 3));
        model.LoadStateDict(new[] { "0.weight", "0.bias", "2.weight", "2.bias" }.ToDictionary(k => k, k => Load(f, "init." + k)));
        var optimizer = new Adam(model.Parameters(), (float)f.Attr("lr"));
        int total = (int)f.Attr("total_steps"), batch = (int)f.Attr("batch");
        var schedule = new CosineWarmupLR(optimizer, (int)f.Attr("warmup_steps"), total);
        var x = Load(f, "x");
        var targets = Targets(f);
        var losses = new float[total];
        for (int step = 0; step < total; step++)
        {
            int start = step * batch % x.Dim(0);
            optimizer.ZeroGrad();
            var loss = Functional.CrossEntropy(model.Forward(x.SliceRows(start, batch)), targets.AsSpan(start, batch));
            losses[step] = loss.Item();
            loss.Backward();
            optimizer.Step();
            schedule.Step();
        }
        // Forty steps of compounding float rounding: compare at 1e-4 relative (the per-op checks above hold 1e-5).
        var expected = f.Floats("losses");
        for (int i = 0; i < total; i++)
            Assert.True(Math.Abs(losses[i] - expected[i]) <= 1e-4 * Math.Abs(expected[i]) + 1e-6, $"loss[{i}]: {losses[i]} vs torch {expected[i]}");
        foreach (var (key, value) in model.StateDict())
        {
            var want = f.Floats("final." + key);
            var got = value.ToArray();
            for (int i = 0; i < want.Length; i++)
                Assert.True(Math.Abs(got[i] - want[i]) <= 1e-4 * Math.Abs(want[i]) + 1e-5, $"final.{key}[{i}]: {got[i]} vs torch {want[i]}");
        }
    }
}
