using Google.Protobuf;
using NeuralSharp.Onnx.Protos;
using static NeuralSharp.Onnx.Tests.OnnxTestModels;

namespace NeuralSharp.Onnx.Tests.Hostile;

/// <summary>Small valid models for the mutation test: the in-memory ones cover fusion, Gemm variants, batched MatMul
/// and every TensorProto data encoding; a few files of ONNX's test data are added when installed.</summary>
internal static class SeedModels
{
    public sealed record Seed(string Name, ModelProto Model);

    private static float[] Values(int n, int seed)
    {
        var r = new Random(seed);
        return Enumerable.Range(0, n).Select(_ => (float)(r.NextDouble() * 2 - 1)).ToArray();
    }

    public static IEnumerable<Seed> InMemory()
    {
        // Gemm + Relu (fuses), MatMul + Add + GELU subgraph (fuses twice).
        yield return new("mlp", Model(
            [
                Node("Gemm", ["x", "w1", "b1"], ["h"], Attr("transB", 1L)), Node("Relu", ["h"], ["r"]),
                Node("MatMul", ["r", "w2"], ["m"]), Node("Add", ["m", "b2"], ["z"]),
                Node("Div", ["z", "sqrt2"], ["d"]), Node("Erf", ["d"], ["e"]), Node("Add", ["e", "one"], ["a"]),
                Node("Mul", ["z", "a"], ["p"]), Node("Mul", ["p", "half"], ["y"]),
            ],
            [Input("x", OnnxElementType.Float, -1, 4)], [Output("y")],
            new Dictionary<string, OnnxTensor>
            {
                ["w1"] = OnnxTensor.FromArray(Values(24, 1), 6, 4), ["b1"] = OnnxTensor.FromArray(Values(6, 2), 6),
                ["w2"] = OnnxTensor.FromArray(Values(18, 3), 6, 3), ["b2"] = OnnxTensor.FromArray(Values(3, 4), 3),
                ["sqrt2"] = OnnxTensor.FromArray([MathF.Sqrt(2f)]), ["one"] = OnnxTensor.FromArray([1f]), ["half"] = OnnxTensor.FromArray([0.5f]),
            }));

        // Gemm with transA, alpha, beta and a full C; a second output straight from an initializer.
        yield return new("gemm", Model(
            [Node("Gemm", ["a", "b", "c"], ["y"], Attr("transA", 1L), Attr("alpha", 0.5f), Attr("beta", 2f))],
            [Input("a", OnnxElementType.Float, 3, 2), Input("b", OnnxElementType.Float, 3, 4)], [Output("y"), Output("c")],
            new Dictionary<string, OnnxTensor> { ["c"] = OnnxTensor.FromArray(Values(8, 5), 2, 4) }, opset: 11));

        // Batched MatMul with broadcasting over two runtime inputs, then a folded constant MatMul.
        yield return new("matmul", Model(
            [Node("MatMul", ["a", "b"], ["y"]), Node("MatMul", ["k1", "k2"], ["k"]), Node("MatMul", ["y", "k"], ["out"])],
            [Input("a", OnnxElementType.Float, 2, -1, 3), Input("b", OnnxElementType.Float, 1, 3, 4)], [Output("out")],
            new Dictionary<string, OnnxTensor> { ["k1"] = OnnxTensor.FromArray(Values(8, 6), 4, 2), ["k2"] = OnnxTensor.FromArray(Values(4, 7), 2, 2) }));

        // Every TensorProto encoding in initializers (typed fields and raw data), most of them unused.
        var typed = Model([Node("Gemm", ["x", "w"], ["y"])], [Input("x", OnnxElementType.Float, 1, 2)], [Output("y")], opset: 9);
        var g = typed.Graph;
        g.Initializer.Add(new TensorProto { Name = "w", DataType = (int)OnnxElementType.Float, Dims = { 2, 2 }, FloatData = { 1, 2, 3, 4 } });
        g.Initializer.Add(new TensorProto { Name = "i64", DataType = (int)OnnxElementType.Int64, Dims = { 3 }, Int64Data = { 1, -2, 3 } });
        g.Initializer.Add(new TensorProto { Name = "i32", DataType = (int)OnnxElementType.Int32, Dims = { 2 }, Int32Data = { 7, 8 } });
        g.Initializer.Add(new TensorProto { Name = "u64", DataType = (int)OnnxElementType.UInt64, Dims = { 1 }, Uint64Data = { 9 } });
        g.Initializer.Add(new TensorProto { Name = "f64", DataType = (int)OnnxElementType.Double, Dims = { 2 }, DoubleData = { 0.5, 1.5 } });
        g.Initializer.Add(new TensorProto { Name = "f16", DataType = (int)OnnxElementType.Float16, Dims = { 2 }, Int32Data = { 0x3C00, 0x4000 } });
        g.Initializer.Add(new TensorProto { Name = "str", DataType = (int)OnnxElementType.String, Dims = { 2 }, StringData = { ByteString.CopyFromUtf8("a"), ByteString.CopyFromUtf8("bc") } });
        g.Initializer.Add(new TensorProto { Name = "b8", DataType = (int)OnnxElementType.Bool, Dims = { 3 }, RawData = ByteString.CopyFrom(1, 0, 1) });
        g.Initializer.Add(new TensorProto { Name = "u8", DataType = (int)OnnxElementType.UInt8, Dims = { 2, 2 }, RawData = ByteString.CopyFrom(1, 2, 3, 4) });
        g.Initializer.Add(new TensorProto { Name = "scalar", DataType = (int)OnnxElementType.Float, FloatData = { 3 } });
        yield return new("typed", typed);
    }

    /// <summary>Small models from ONNX's backend test data, when installed.</summary>
    public static IEnumerable<Seed> FromTestData()
    {
        string[] cases =
        [
            "node/test_gemm_default_single_elem_vector_bias", "node/test_gemm_all_attributes", "node/test_gemm_transposeA",
            "node/test_matmul_3d", "node/test_matmul_4d", "pytorch-converted/test_Linear",
        ];
        foreach (var c in cases)
        {
            string path = Path.Combine("/usr/share/libonnx-testdata/data", c, "model.onnx");
            if (File.Exists(path)) yield return new(c, ModelProto.Parser.ParseFrom(File.ReadAllBytes(path)));
        }
    }
}
