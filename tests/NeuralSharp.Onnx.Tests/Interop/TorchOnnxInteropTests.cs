using NeuralSharp.Serialization;

namespace NeuralSharp.Onnx.Tests.Interop;

/// <summary>
/// Models exported by PyTorch 1.13's torch.onnx.export (opset 17; tests/NeuralSharp.Tests/Fixtures/make_fixtures_interop.py)
/// run here and match PyTorch's own outputs, saved beside them as .npy, to 1e-5.
/// </summary>
public class TorchOnnxInteropTests
{
    internal static string FixtureDirectory
    {
        get
        {
            var dir = new DirectoryInfo(AppContext.BaseDirectory);
            while (dir != null && !File.Exists(Path.Combine(dir.FullName, "NeuralSharp.slnx"))) dir = dir.Parent;
            return Path.Combine(dir?.FullName ?? throw new DirectoryNotFoundException("repository root (NeuralSharp.slnx) not found"),
                "tests", "NeuralSharp.Tests", "Fixtures", "data", "interop");
        }
    }

    [Theory]
    [InlineData("mlp", 4)]      // Gemm + GELU subgraph fused into one step; LayerNormalization; Gemm; Softmax
    [InlineData("swiglu", 6)]   // LayerNormalization; MatMul + SiLU fused; MatMul; Mul; MatMul; residual Add
    [InlineData("bn", 2)]       // Gemm with BatchNormalization folded into its weights, + Relu fused; Gemm
    public void PyTorchExportMatchesPyTorchOutputs(string name, int maxSteps)
    {
        var model = OnnxModel.Load(Path.Combine(FixtureDirectory, name + ".onnx"));
        Assert.Equal("pytorch", model.ProducerName);
        Assert.Equal(17, model.Opset);
        Assert.InRange(model.StepCount, 1, maxSteps);
        var input = Npy.Read(Path.Combine(FixtureDirectory, name + "_input.npy"));
        var expected = Npy.Read(Path.Combine(FixtureDirectory, name + "_output.npy"));
        var y = model.Run(OnnxTensor.FromArray(input.ToSingleArray(), input.Shape))[0];
        Assert.Equal(expected.Shape, y.ShapeArray);
        var e = expected.ToSingleArray();
        var a = y.AsSpan<float>();
        for (int i = 0; i < e.Length; i++)
            Assert.True(Math.Abs(a[i] - e[i]) <= 1e-5f * Math.Max(1f, Math.Abs(e[i])), $"{name}: element {i}: {a[i]} vs PyTorch {e[i]}");
    }
}
