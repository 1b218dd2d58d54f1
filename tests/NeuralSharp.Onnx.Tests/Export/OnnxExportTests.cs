using Google.Protobuf;
using NeuralSharp.Data;
using NeuralSharp.Nn;
using NeuralSharp.Onnx.Export;
using NeuralSharp.Onnx.Protos;
using NeuralSharp.Serialization;

namespace NeuralSharp.Onnx.Tests.Export;

/// <summary>Export → OnnxModel.Load → Run matches the native model's Forward in evaluation mode; the graph has PyTorch's names and layout.</summary>
public class OnnxExportTests(Xunit.Abstractions.ITestOutputHelper output)
{
    public static TheoryData<string, int> AllCases()
    {
        var data = new TheoryData<string, int>();
        foreach (var c in ExportModels.All())
            foreach (int opset in new[] { 13, 17 }) // 13: HardSwish and LayerNorm decomposed
                data.Add(c.Name, opset);
        return data;
    }

    private static ExportModels.Case Find(string name) => ExportModels.All().Single(c => c.Name == name);

    /// <summary>Seeded inputs in [-3, 3] for a batch of <paramref name="batch"/> samples of <paramref name="sample"/> shape.</summary>
    internal static float[] Inputs(int batch, int[] sample, int seed)
    {
        var random = new Random(seed);
        var data = new float[batch * sample.Aggregate(1, (a, b) => a * b)];
        for (int i = 0; i < data.Length; i++) data[i] = (float)(random.NextDouble() * 6 - 3);
        return data;
    }

    internal static float[] Native(Module model, float[] x, int[] shape)
    {
        model.Eval();
        using var noGrad = GradMode.NoGrad();
        return model.Forward(Tensor.FromArray(x, shape)).ToArray();
    }

    internal static void AssertClose(float[] expected, float[] actual, string what, float tolerance = 1e-6f)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
            Assert.True(Math.Abs(expected[i] - actual[i]) <= tolerance * Math.Max(1f, Math.Abs(expected[i])),
                $"{what}: element {i}: native {expected[i]:R}, ONNX {actual[i]:R}");
    }

    /// <summary>
    /// Every exportable layer: runnable cases must load and match within 1e-6 (relative); the others are refused at load
    /// today for want of operators from the parallel families, and start being compared here automatically once those
    /// are merged — within 1e-5, since decompositions (LayerNorm, RMSNorm, GELU-tanh, softmax after Neg/Div) reorder float operations.
    /// </summary>
    [Theory]
    [MemberData(nameof(AllCases))]
    public void ExportedGraphComputesWhatTheModelComputes(string name, int opset)
    {
        var c = Find(name);
        var model = c.Create();
        var bytes = OnnxExporter.Export(model, new OnnxExportOptions { InputShape = c.InputShape, Opset = opset });
        OnnxModel onnx;
        try
        {
            onnx = OnnxModel.Load(bytes, name);
        }
        catch (OnnxUnsupportedException e) when (!c.Runnable || opset < 14 && name.Contains("Hardswish", StringComparison.Ordinal))
        {
            output.WriteLine($"PENDING: {name} (opset {opset}) is not run yet: {e.Message}");
            return;
        }
        foreach (int batch in new[] { 1, 7, 33 }) // the batch dimension is dynamic
        {
            int[] shape = [batch, .. c.InputShape];
            var x = Inputs(batch, c.InputShape, batch);
            var expected = Native(model, x, shape);
            var actual = onnx.Run(OnnxTensor.FromArray(x, shape))[0];
            Assert.Equal(model.Forward(Tensor.FromArray(x, shape)).ShapeArray, actual.ShapeArray);
            AssertClose(expected, actual.ToArray<float>(), $"{name}, batch {batch}", c.Runnable ? 1e-6f : 1e-5f);
        }
    }

    [Fact]
    public void FusedActivationsRoundTripBitForBit()
    {
        // The importer fuses Gemm + activation into the same GEMM epilogue the native Sequential uses.
        foreach (var c in ExportModels.FusedActivations())
        {
            var model = c.Create();
            var onnx = OnnxModel.Load(OnnxExporter.Export(model), c.Name);
            var x = Inputs(9, c.InputShape, 5);
            Assert.Equal(Native(model, x, [9, .. c.InputShape]), onnx.Run(OnnxTensor.FromArray(x, 9, 6))[0].ToArray<float>());
        }
    }

    [Fact]
    public void GraphHasPyTorchNamesAndDynamicBatch()
    {
        var model = Mlp.Create(6, [16], 3, "relu", random: new RandomSource(1));
        var proto = OnnxExporter.ToModelProto(model);
        Assert.Equal(8, proto.IrVersion);
        Assert.Equal("NeuralSharp", proto.ProducerName);
        Assert.Equal(17, proto.OpsetImport.Single(o => o.Domain == "").Version);
        Assert.Equal(["0.weight", "0.bias", "2.weight", "2.bias"], proto.Graph.Initializer.Select(i => i.Name));
        Assert.Equal(["/0/Gemm", "/1/Relu", "/2/Gemm"], proto.Graph.Node.Select(n => n.Name));
        var input = proto.Graph.Input.Single();
        Assert.Equal("input", input.Name);
        Assert.Equal("batch", input.Type.TensorType.Shape.Dim[0].DimParam);
        Assert.Equal(6, input.Type.TensorType.Shape.Dim[1].DimValue);
        var output = proto.Graph.Output.Single();
        Assert.Equal("output", output.Name);
        Assert.Equal("output", proto.Graph.Node[^1].Output[0]);
        Assert.Equal("batch", output.Type.TensorType.Shape.Dim[0].DimParam);
        Assert.Equal(3, output.Type.TensorType.Shape.Dim[1].DimValue);
        // Initializer values are the state dict's.
        var weights = OnnxModel.Load(OnnxExporter.Export(model));
        Assert.Equal(model.ParameterCount(), weights.ParameterCount);
    }

    [Fact]
    public void InitializersAreNamedByStateDictKeys()
    {
        foreach (var c in ExportModels.All())
        {
            var model = c.Create();
            var proto = OnnxExporter.ToModelProto(model, new OnnxExportOptions { InputShape = c.InputShape });
            var names = proto.Graph.Initializer.Select(i => i.Name).ToHashSet();
            foreach (var key in model.StateDict().Keys.Where(k => !k.EndsWith("num_batches_tracked", StringComparison.Ordinal)))
                Assert.True(names.Contains(key), $"{c.Name}: no initializer '{key}' (have {string.Join(", ", names)})");
        }
    }

    [Fact]
    public void CallerNamesOpsetAndInputShape()
    {
        var model = new Sequential(new Linear(4, 3, random: new RandomSource(2)), new Hardswish());
        var proto = OnnxExporter.ToModelProto(model, new OnnxExportOptions { Opset = 13, InputName = "x", OutputName = "logits", BatchDimensionName = "N" });
        Assert.Equal(13, proto.OpsetImport.Single().Version);
        Assert.Equal("x", proto.Graph.Input[0].Name);
        Assert.Equal("N", proto.Graph.Input[0].Type.TensorType.Shape.Dim[0].DimParam);
        Assert.Equal("logits", proto.Graph.Output[0].Name);
        // HardSwish arrived at opset 14: at 13 it is x · HardSigmoid(x).
        Assert.Equal(["Gemm", "HardSigmoid", "Mul"], proto.Graph.Node.Select(n => n.OpType));
        var ln = OnnxExporter.ToModelProto(new LayerNorm(4), new OnnxExportOptions { Opset = 16 });
        Assert.DoesNotContain(ln.Graph.Node, n => n.OpType == "LayerNormalization");
        Assert.Contains(OnnxExporter.ToModelProto(new LayerNorm(4)).Graph.Node, n => n.OpType == "LayerNormalization");
    }

    [Fact]
    public void GeluIsExportedAsPyTorchsErfSubgraph()
    {
        var proto = OnnxExporter.ToModelProto(new Sequential(new Linear(4, 3, random: new RandomSource(3)), new GELU()));
        Assert.Equal(["Gemm", "Div", "Erf", "Add", "Mul", "Mul"], proto.Graph.Node.Select(n => n.OpType));
        var onnx = OnnxModel.Load(proto.ToByteArray());
        Assert.Equal(1, onnx.StepCount); // the importer fuses it all into one linear step
    }

    [Fact]
    public void BadOptionsAndUnsupportedModulesAreClearErrors()
    {
        var linear = new Linear(4, 3);
        Assert.Contains("opset 12", Assert.Throws<ArgumentException>(() => OnnxExporter.Export(linear, new OnnxExportOptions { Opset = 12 })).Message);
        Assert.Contains("opset 18", Assert.Throws<ArgumentException>(() => OnnxExporter.Export(linear, new OnnxExportOptions { Opset = 18 })).Message);
        Assert.Throws<ArgumentException>(() => OnnxExporter.Export(linear, new OnnxExportOptions { InputName = "a", OutputName = "a" }));
        Assert.Contains("expects 4 features", Assert.Throws<ArgumentException>(() => OnnxExporter.Export(linear, new OnnxExportOptions { InputShape = [5] })).Message);
        Assert.Contains("InputShape", Assert.Throws<ArgumentException>(() => OnnxExporter.Export(new Sequential(new Flatten(), new Linear(4, 2)))).Message);

        var moe = new Sequential(new Linear(4, 8), new MixtureOfExperts(8, 8, 4, 2));
        var e = Assert.Throws<NotSupportedException>(() => OnnxExporter.Export(moe));
        Assert.Contains("MixtureOfExperts", e.Message);
        Assert.Contains("'1'", e.Message);
        Assert.Contains("track_running_stats", Assert.Throws<NotSupportedException>(
            () => OnnxExporter.Export(new BatchNorm1d(4, trackRunningStats: false))).Message);
        Assert.Contains("not fitted", Assert.Throws<ArgumentException>(
            () => OnnxExporter.Export(linear, new OnnxExportOptions { Preprocessor = new Standardizer() })).Message);
    }

    [Fact]
    public void SaveWritesAtomicallyAndFailedExportLeavesNoFile()
    {
        var dir = Path.Combine(Path.GetTempPath(), "ns-export-" + Guid.NewGuid().ToString("N"));
        try
        {
            string path = Path.Combine(dir, "m.onnx");
            OnnxExporter.Save(Mlp.Create(4, [8], 2, random: new RandomSource(4)), path);
            Assert.Equal(2, OnnxModel.Load(path).Outputs[0].Shape![1]);
            string bad = Path.Combine(dir, "bad.onnx");
            Assert.Throws<NotSupportedException>(() => OnnxExporter.Save(new Sequential(new Linear(4, 4), new MixtureOfExperts(4, 4, 2, 1)), bad));
            Assert.False(File.Exists(bad));
            Assert.Single(Directory.GetFiles(dir)); // no temporary file left behind
        }
        finally
        {
            if (Directory.Exists(dir)) Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void SavedModelFoldsPreprocessingAndKeepsClassNames()
    {
        var model = Mlp.Create(3, [5], 2, random: new RandomSource(5));
        var scaler = new Standardizer([1f, -2f, 0.5f], [2f, 0.25f, 3f]);
        var saved = new SavedModel(model, [3], 2, scaler, ["cat", "dog"]);
        var dir = Path.Combine(Path.GetTempPath(), "ns-export-" + Guid.NewGuid().ToString("N"));
        try
        {
            string path = Path.Combine(dir, "m.onnx");
            OnnxExporter.Save(saved, path);
            var proto = ModelProto.Parser.ParseFrom(File.ReadAllBytes(path));
            Assert.Equal(["Sub", "Div", "Gemm", "Relu", "Gemm"], proto.Graph.Node.Select(n => n.OpType));
            Assert.Equal("[\"cat\",\"dog\"]", proto.MetadataProps.Single(p => p.Key == "class_names").Value);
            Assert.Contains(proto.Graph.Initializer, i => i.Name == "preprocessor.mean");
            var minmax = OnnxExporter.ToModelProto(model, new OnnxExportOptions { Preprocessor = new MinMaxScaler([0f, 0f, 1f], [2f, 1f, 1f]) });
            var range = minmax.Graph.Initializer.Single(i => i.Name == "preprocessor.range");
            Assert.Equal(new[] { 2f, 1f, 1f }, System.Runtime.InteropServices.MemoryMarshal.Cast<byte, float>(range.RawData.Span).ToArray());
        }
        finally
        {
            if (Directory.Exists(dir)) Directory.Delete(dir, recursive: true);
        }
    }
}
