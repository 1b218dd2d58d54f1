using System.Diagnostics;
using NeuralSharp.Nn;
using NeuralSharp.Optim;
using NeuralSharp.Serialization;
using NeuralSharp.Tests.Fixtures;
using Xunit.Abstractions;

namespace NeuralSharp.Tests.Interop;

/// <summary>
/// safetensors both ways between PyTorch and NeuralSharp, for three models whose state-dict keys match:
/// an MLP (Linear, GELU, LayerNorm, Linear, Softmax), a SwiGLU block (GatedFeedForward with LayerNorm pre-norm and
/// residual) and a BatchNorm1d model in eval mode. PyTorch → NeuralSharp reads the committed fixtures of
/// make_fixtures_interop.py; NeuralSharp → PyTorch trains here and runs Fixtures/check_torch_load.py with
/// /usr/bin/python3 (skipped, with a "SKIPPED:" line, when PyTorch is absent).
/// </summary>
public sealed class TorchInteropTests(ITestOutputHelper output)
{
    private const string Python = "/usr/bin/python3";

    public static TheoryData<string> Models => ["mlp", "swiglu", "bn"];

    private static readonly Lazy<bool> TorchAvailable = new(() =>
    {
        if (!File.Exists(Python)) return false;
        var (code, _) = Run(Python, ["-c", "import torch, numpy"], TimeSpan.FromSeconds(60));
        return code == 0;
    });

    internal static Module Build(string name, RandomSource? random = null) => name switch
    {
        "mlp" => new Sequential(new Nn.Linear(8, 16, random: random), new GELU(), new LayerNorm(16), new Nn.Linear(16, 4, random: random), new Softmax(-1)),
        "swiglu" => new GatedFeedForward(8, 16, GluVariant.SwiGLU, bias: false, BlockNorm.LayerNorm, residual: true, random),
        "bn" => new Sequential(new Nn.Linear(6, 12, random: random), new BatchNorm1d(12), new ReLU(), new Nn.Linear(12, 3, random: random)),
        _ => throw new ArgumentException($"unknown model {name}"),
    };

    private static string InteropData(string file) => Path.Combine(Fixture.DataPath, "interop", file);

    [Theory]
    [MemberData(nameof(Models))]
    public void PyTorchStateDictLoadsAndMatchesPyTorchOutputs(string name)
    {
        var model = Build(name, new RandomSource(1));
        using (var file = SafeTensors.Load(InteropData(name + ".safetensors")))
        {
            Assert.Equal("pt", file.Metadata["format"]);
            model.LoadStateDict(file.ToDictionary(), strict: true);
        }
        model.Eval();
        using var x = Npy.Read(InteropData(name + "_input.npy")).ToTensor();
        var expected = Npy.Read(InteropData(name + "_output.npy"));
        using var _ = GradMode.NoGrad();
        using var y = model.Forward(x);
        Assert.Equal(expected.Shape, y.ShapeArray);
        AssertClose(expected.ToSingleArray(), y.ToArray(), name);
    }

    [Fact]
    public void BatchNormFixtureHasTrainedRunningStatistics()
    {
        using var file = SafeTensors.Load(InteropData("bn.safetensors"));
        Assert.Equal(SafeTensorsDType.I64, file.DType("1.num_batches_tracked"));
        Assert.Equal(4f, file["1.num_batches_tracked"].Item());
        Assert.Contains(file["1.running_mean"].ToArray(), v => Math.Abs(v) > 0.05f);
        Assert.Contains(file["1.running_var"].ToArray(), v => Math.Abs(v - 1f) > 0.1f);
    }

    [Fact]
    public void OnnxExportsArePresent()
    {
        foreach (string name in new[] { "mlp", "swiglu", "bn" })
        {
            var info = new FileInfo(InteropData(name + ".onnx"));
            Assert.True(info.Exists && info.Length > 500, $"{info.FullName} is missing or too short");
        }
    }

    [Fact(Timeout = 300_000)]
    public async Task NeuralSharpModelsLoadInPyTorchWithStrictStateDict()
    {
        if (!TorchAvailable.Value)
        {
            output.WriteLine($"SKIPPED: {Python} with torch and numpy is not available (apt-get install python3-torch python3-numpy); NeuralSharp -> PyTorch not checked.");
            return;
        }
        using var dir = new Serialization.TempDirectory();
        foreach (string name in new[] { "mlp", "swiglu", "bn" })
            TrainAndSave(name, dir.Path);
        string script = Path.Combine(Fixture.DataPath, "..", "check_torch_load.py");
        var (code, text) = await Task.Run(() => Run(Python, [script, dir.Path, "mlp", "swiglu", "bn"], TimeSpan.FromSeconds(240)));
        output.WriteLine(text);
        Assert.True(code == 0, $"check_torch_load.py exited with {code}:\n{text}");
        Assert.Equal(3, text.Split('\n').Count(line => line.StartsWith("ok ", StringComparison.Ordinal)));
    }

    /// <summary>A few seeded Adam steps on an MSE regression, then eval-mode outputs for a fresh batch, all written to <paramref name="folder"/>.</summary>
    private static void TrainAndSave(string name, string folder)
    {
        var random = new RandomSource(42);
        var model = Build(name, random);
        int inFeatures = name == "bn" ? 6 : 8;
        Tensor Batch(int rows, float scale, float shift)
        {
            var data = new float[rows * inFeatures];
            for (int i = 0; i < data.Length; i++) data[i] = (random.NextFloat() * 2f - 1f) * scale + shift;
            return Tensor.FromArray(data, rows, inFeatures);
        }
        var optimizer = new Adam(model.Parameters(), learningRate: 0.01f);
        model.Train();
        for (int step = 0; step < 5; step++)
        {
            using var scope = TensorScope.Begin();
            var x = Batch(16, 2f, 0.5f);
            var y = model.Forward(x);
            var target = Tensor.FromArray(Enumerable.Range(0, y.Size).Select(i => (float)Math.Sin(i)).ToArray(), y.ShapeArray);
            optimizer.ZeroGrad();
            var loss = Functional.MseLoss(y, target);
            loss.Backward();
            optimizer.Step();
        }
        model.Eval();
        using var input = Batch(5, 1.5f, 0f);
        Tensor output;
        using (GradMode.NoGrad()) output = model.Forward(input);
        SafeTensors.Save(Path.Combine(folder, name + ".safetensors"), model.StateDict());
        Npy.Write(Path.Combine(folder, name + "_input.npy"), input);
        Npy.Write(Path.Combine(folder, name + "_output.npy"), output);
        output.Dispose();
    }

    private static void AssertClose(float[] expected, float[] actual, string what)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
            Assert.True(Math.Abs(actual[i] - expected[i]) <= 1e-5 + 1e-5 * Math.Abs(expected[i]), $"{what}[{i}]: NeuralSharp {actual[i]} vs PyTorch {expected[i]}");
    }

    private static (int ExitCode, string Output) Run(string file, string[] args, TimeSpan timeout)
    {
        var start = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (string a in args) start.ArgumentList.Add(a);
        start.Environment["OPENBLAS_NUM_THREADS"] = "1";
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(timeout))
        {
            process.Kill(entireProcessTree: true);
            return (-1, $"timed out after {timeout}");
        }
        return (process.ExitCode, stdout.Result + stderr.Result);
    }
}

/// <summary>Regression: a norm applied to the raw input (which needs no gradient) used to fail in backward (dx of length 0).</summary>
public sealed class NormOnRawInputTests
{
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void NormAsFirstLayerBackpropagatesToItsParameters(bool rms)
    {
        Module norm = rms ? new RMSNorm(4) : new LayerNorm(4);
        using var x = Tensor.FromArray([1f, 2, 4, 8, -1, 0, 1, 3], 2, 4);
        using var dy = Tensor.FromArray([0.5f, -1, 2, 0, 1, 1, -2, 0.25f], 2, 4);
        var y = norm.Forward(x);
        Functional.Sum(Functional.Mul(y, dy)).Backward();
        var weight = norm.NamedParameters().First(p => p.Key == "weight").Value;
        Assert.NotNull(weight.Grad);
        // dγ = Σ_rows dy · x̂ where x̂ = y when γ = 1 and β = 0.
        for (int c = 0; c < 4; c++)
        {
            float expected = dy.Data[c] * y.Data[c] + dy.Data[4 + c] * y.Data[4 + c];
            Assert.Equal(expected, weight.Grad!.Data[c], 5);
        }
    }
}
