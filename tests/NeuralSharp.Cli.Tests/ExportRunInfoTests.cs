using System.Diagnostics;
using NeuralSharp.Onnx;
using NeuralSharp.Serialization;
using Xunit.Abstractions;

namespace NeuralSharp.Cli.Tests;

/// <summary>Two tiny trained models (raw features and standardized features) shared by the export/run/info tests.</summary>
public sealed class TinyModels : IDisposable
{
    public TinyModels()
    {
        Dir = CliRunner.TempDir();
        Raw = Train("raw", "--scale", "none", "--activation", "tanh");
        Standardized = Train("std", "--scale", "standard", "--activation", "gelu");
        Swiglu = Train("swiglu", "--scale", "none", "--block", "swiglu");
    }

    public string Dir { get; }

    /// <summary>An MLP 64-16-10 (tanh) trained without preprocessing.</summary>
    public string Raw { get; }

    /// <summary>An MLP 64-16-10 (gelu) with a Standardizer.</summary>
    public string Standardized { get; }

    /// <summary>Linear → SwiGLU block → Linear.</summary>
    public string Swiglu { get; }

    private string Train(string name, params string[] options)
    {
        string path = Path.Combine(Dir, name);
        var result = CliRunner.Run(["train", "--epochs", "1", "--hidden", "16", "--threads", "1", "--output", path, .. options]);
        Assert.True(result.ExitCode == 0, result.Error);
        return path;
    }

    public void Dispose() => Directory.Delete(Dir, recursive: true);
}

/// <summary><c>neuralsharp export</c>, <c>run</c> and <c>info</c>, as a user runs them.</summary>
public class ExportRunInfoTests(TinyModels models, ITestOutputHelper log) : IClassFixture<TinyModels>
{
    private static float[] Rows(int rows, int seed)
    {
        var random = new Random(seed);
        var x = new float[rows * 64];
        for (int i = 0; i < x.Length; i++) x[i] = random.Next(17); // digits pixels are 0..16
        return x;
    }

    private static float[] NativeLogits(string model, float[] x, int rows)
    {
        var saved = SavedModel.Load(model);
        var copy = (float[])x.Clone();
        saved.Preprocessor?.TransformBatch(copy, rows);
        using var noGrad = GradMode.NoGrad();
        return saved.Model.Forward(Tensor.FromArray(copy, rows, 64)).ToArray();
    }

    private static void AssertClose(float[] expected, float[] actual)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
            Assert.True(Math.Abs(expected[i] - actual[i]) <= 1e-6f * Math.Max(1f, Math.Abs(expected[i])), $"element {i}: native {expected[i]}, ONNX {actual[i]}");
    }

    private string Temp(string name) => Path.Combine(models.Dir, Guid.NewGuid().ToString("N")[..8] + "-" + name);

    [Fact]
    public void ExportThenRunMatchesTheSavedModel()
    {
        string onnx = Temp("m.onnx");
        var export = CliRunner.Run("export", models.Raw, "--format", "onnx", "--output", onnx);
        Assert.True(export.ExitCode == 0, export.Error);
        Assert.Contains("ONNX opset 17", export.Output);
        Assert.Contains("preprocessing: none", export.Output);

        var x = Rows(5, 1);
        string npy = Temp("x.npy");
        OnnxNpy.Write(npy, OnnxTensor.FromArray(x, 5, 64));
        string outDir = Temp("out");
        var run = CliRunner.Run("run", onnx, "--input", npy, "--output-dir", outDir);
        Assert.True(run.ExitCode == 0, run.Error);
        Assert.Contains("output output: float[5, 10]", run.Output);
        var y = OnnxNpy.Read(Path.Combine(outDir, "output.npy"));
        Assert.Equal([5, 10], y.ShapeArray);
        AssertClose(NativeLogits(models.Raw, x, 5), y.ToArray<float>());

        // The same input as an ONNX TensorProto .pb file gives the same output.
        string pb = Temp("x.pb");
        TensorProtoFile.Write(pb, OnnxTensor.FromArray(x, 5, 64), "input");
        string outDir2 = Temp("out2");
        var runPb = CliRunner.Run("run", onnx, "-i", pb, "-o", outDir2);
        Assert.True(runPb.ExitCode == 0, runPb.Error);
        Assert.Equal(y.ToArray<float>(), OnnxNpy.Read(Path.Combine(outDir2, "output.npy")).ToArray<float>());
    }

    [Fact]
    public void Float64NpyIsConvertedForAFloatInput()
    {
        string onnx = Temp("m.onnx");
        Assert.Equal(0, CliRunner.Run("export", models.Raw, "-o", onnx, "--opset", "13").ExitCode);
        var x = Rows(2, 2);
        string npy = Temp("x64.npy");
        OnnxNpy.Write(npy, OnnxTensor.FromArray(x.Select(v => (double)v).ToArray(), 2, 64));
        string outDir = Temp("out");
        var run = CliRunner.Run("run", onnx, "--input", npy, "--output-dir", outDir);
        Assert.True(run.ExitCode == 0, run.Error);
        Assert.Contains("float64 converted to float32", run.Output);
        AssertClose(NativeLogits(models.Raw, x, 2), OnnxNpy.Read(Path.Combine(outDir, "output.npy")).ToArray<float>());
    }

    [Fact]
    public void PreprocessingIsFoldedIntoTheGraph()
    {
        string onnx = Temp("std.onnx");
        var export = CliRunner.Run("export", models.Standardized, "-o", onnx);
        Assert.True(export.ExitCode == 0, export.Error);
        Assert.Contains("Standardizer", export.Output);
        Assert.Contains("folded into the graph", export.Output);
        var info = CliRunner.Run("info", onnx);
        Assert.True(info.ExitCode == 0, info.Error);
        Assert.Matches(@"Sub\s+1", info.Output);
        Assert.Contains("metadata class_names", info.Output);
        var model = OnnxModel.Load(onnx);
        var x = Rows(4, 3);
        AssertClose(NativeLogits(models.Standardized, x, 4), model.Run(OnnxTensor.FromArray(x, 4, 64))[0].ToArray<float>());
    }

    [Fact]
    public void ExportsSafetensorsWeights()
    {
        string path = Temp("w.safetensors");
        var export = CliRunner.Run("export", models.Standardized, "--format", "safetensors", "--output", path);
        Assert.True(export.ExitCode == 0, export.Error);
        Assert.Contains("NOT applied", export.Output);
        using var file = SafeTensors.Load(path);
        Assert.Equal(["0.weight", "0.bias", "2.weight", "2.bias"], file.Names);
        Assert.Contains("Standardizer", file.Metadata["preprocessor"]);
        var saved = SavedModel.Load(models.Standardized);
        Assert.Equal(saved.Model.StateDict()["2.bias"].ToArray(), file["2.bias"].ToArray());

        var info = CliRunner.Run("info", path);
        Assert.True(info.ExitCode == 0, info.Error);
        Assert.Contains("input shape: [batch, 64]", info.Output);
        Assert.Contains("parameters: 1,210", info.Output);
    }

    [Fact]
    public void InfoDescribesSavedModelsAndOnnxFiles()
    {
        var folder = CliRunner.Run("info", models.Raw);
        Assert.True(folder.ExitCode == 0, folder.Error);
        Assert.Contains("input shape: [batch, 64]", folder.Output);
        Assert.Contains("Linear(in_features=64, out_features=16", folder.Output);
        Assert.Contains("0.weight", folder.Output);
        Assert.Contains("parameters: 1,210 trainable", folder.Output);

        string onnx = Temp("m.onnx");
        Assert.Equal(0, CliRunner.Run("export", models.Raw, "-o", onnx, "--opset", "15", "--input-name", "pixels", "--output-name", "logits").ExitCode);
        var info = CliRunner.Run("info", onnx);
        Assert.True(info.ExitCode == 0, info.Error);
        Assert.Contains("IR version: 8", info.Output);
        Assert.Contains("opset: ai.onnx 15", info.Output);
        Assert.Contains("producer: NeuralSharp", info.Output);
        Assert.Contains("input  pixels: float[batch, 64]", info.Output);
        Assert.Contains("output logits: float[batch, 10]", info.Output);
        Assert.Matches(@"Gemm\s+2", info.Output);
        Assert.Contains("parameters: 1,210 in 4 initializers", info.Output);
        Assert.Contains("runs in NeuralSharp: yes", info.Output);
    }

    [Fact]
    public void ExportedBlockModelPassesOnnxChecker()
    {
        string onnx = Temp("swiglu.onnx");
        var export = CliRunner.Run("export", models.Swiglu, "-o", onnx);
        Assert.True(export.ExitCode == 0, export.Error);
        var info = CliRunner.Run("info", onnx);
        Assert.Matches(@"Sigmoid\s+1", info.Output);
        if (!File.Exists("/usr/bin/python3"))
        {
            log.WriteLine("SKIPPED: /usr/bin/python3 is absent; onnx.checker was not run.");
            return;
        }
        var psi = new ProcessStartInfo("/usr/bin/python3") { RedirectStandardOutput = true, RedirectStandardError = true };
        psi.ArgumentList.Add("-c");
        psi.ArgumentList.Add("import sys\ntry:\n    import onnx\nexcept ImportError:\n    print('NO_ONNX'); sys.exit(0)\nonnx.checker.check_model(onnx.load(sys.argv[1]), full_check=True)\nprint('OK')");
        psi.ArgumentList.Add(onnx);
        using var p = Process.Start(psi)!;
        string text = p.StandardOutput.ReadToEnd() + p.StandardError.ReadToEnd();
        p.WaitForExit();
        if (text.Contains("NO_ONNX"))
        {
            log.WriteLine("SKIPPED: python3-onnx is not installed; onnx.checker was not run.");
            return;
        }
        Assert.True(p.ExitCode == 0 && text.Contains("OK"), text);
    }

    private static void AssertFails(CliRunner.Result result, params string[] fragments)
    {
        Assert.Equal(1, result.ExitCode);
        Assert.StartsWith("error: ", result.Error);
        Assert.DoesNotContain("   at ", result.Error);
        foreach (var f in fragments) Assert.Contains(f, result.Error);
    }

    [Fact]
    public void BadInputsAreClearErrors()
    {
        AssertFails(CliRunner.Run("export", models.Raw, "--format", "pickle", "-o", Temp("x")), "--format", "pickle");
        AssertFails(CliRunner.Run("export", models.Raw, "-o", Temp("x.onnx"), "--opset", "12"), "--opset", "12");
        AssertFails(CliRunner.Run("export", "/no/such/model", "-o", Temp("x.onnx")), "/no/such/model");
        AssertFails(CliRunner.Run("info", "/no/such/file.onnx"), "/no/such/file.onnx");
        string text = Temp("notes.txt");
        File.WriteAllText(text, "hello");
        AssertFails(CliRunner.Run("info", text), "unknown kind of file");

        // A corrupt .onnx file: the format error comes through.
        string corrupt = Temp("corrupt.onnx");
        File.WriteAllBytes(corrupt, [0x0A, 0xFF, 0xFF, 0x01, 0x02]);
        AssertFails(CliRunner.Run("info", corrupt), "not a valid ONNX model");
        AssertFails(CliRunner.Run("run", corrupt, "--input", corrupt, "--output-dir", Temp("o")), "not a valid ONNX model");

        string onnx = Temp("m.onnx");
        Assert.Equal(0, CliRunner.Run("export", models.Raw, "-o", onnx).ExitCode);
        string npy = Temp("x.npy");
        OnnxNpy.Write(npy, OnnxTensor.FromArray(new float[3 * 7], 3, 7));
        AssertFails(CliRunner.Run("run", onnx, "--input", npy, "--output-dir", Temp("o")), "input", "[3, 7]");
        AssertFails(CliRunner.Run("run", onnx, "--input", npy, "--input", npy, "--output-dir", Temp("o")), "1 input", "2 --input");
        AssertFails(CliRunner.Run("run", onnx, "--input", Temp("missing.npy"), "--output-dir", Temp("o")), "missing.npy");
        string truncated = Temp("t.npy");
        File.WriteAllBytes(truncated, File.ReadAllBytes(npy)[..^4]);
        AssertFails(CliRunner.Run("run", onnx, "--input", truncated, "--output-dir", Temp("o")), "t.npy", "bytes");

        // A model the runtime cannot run (a convolution): the unsupported-operator message comes through.
        string conv = Temp("conv.onnx");
        File.WriteAllBytes(conv, ConvModelBytes());
        AssertFails(CliRunner.Run("run", conv, "--input", npy, "--output-dir", Temp("o")), "unsupported operator Conv (ai.onnx, opset 17)");

        // A module with no ONNX export names itself.
        var moe = CliRunner.Run("train", "--epochs", "1", "--hidden", "8", "--block", "moe:2:1", "--threads", "1", "--output", Temp("moe"));
        Assert.True(moe.ExitCode == 0, moe.Error);
        var dir = moe.Output.Split('\n').First(l => l.StartsWith("saved: "))["saved: ".Length..].Trim();
        AssertFails(CliRunner.Run("export", dir, "-o", Temp("moe.onnx")), "MixtureOfExperts");
    }

    /// <summary>A minimal ONNX model, y = Conv(x, x), written field by field in protobuf's wire format.</summary>
    private static byte[] ConvModelBytes()
    {
        static byte[] Field(int number, byte[] payload) => [(byte)(number << 3 | 2), (byte)payload.Length, .. payload];
        static byte[] Str(int number, string text) => Field(number, System.Text.Encoding.UTF8.GetBytes(text));
        static byte[] Varint(int number, byte value) => [(byte)(number << 3), value];
        byte[] node = [.. Str(1, "x"), .. Str(1, "x"), .. Str(2, "y"), .. Str(4, "Conv")];
        byte[] floatType = Field(2, Field(1, Varint(1, 1))); // TypeProto.tensor_type.elem_type = FLOAT
        byte[] graph = [.. Field(1, node), .. Str(2, "g"), .. Field(11, [.. Str(1, "x"), .. floatType]), .. Field(12, [.. Str(1, "y"), .. floatType])];
        return [.. Varint(1, 8), .. Field(7, graph), .. Field(8, Varint(2, 17))];
    }
}
