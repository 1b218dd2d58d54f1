using Google.Protobuf;
using NeuralSharp.Onnx.Ops;
using NeuralSharp.Onnx.Protos;
using NeuralSharp.Onnx.Tests.Hostile;
using static NeuralSharp.Onnx.Tests.OnnxTestModels;

namespace NeuralSharp.Onnx.Tests;

/// <summary>Compiler and op-context paths that malformed files reach: attribute readers, long graphs, odd output lists.</summary>
public class CompilerHostileTests
{
    /// <summary>Regression: a TENSOR attribute without its tensor threw NullReferenceException from OpContext.TensorAttribute.</summary>
    [Fact]
    public void TensorAttributeWithoutATensorIsAFormatError()
    {
        var node = Node("Constant", [], ["c"], new AttributeProto { Name = "value", Type = AttributeProto.Types.AttributeType.Tensor });
        var ctx = new OpContext(node, 13, [], null);
        var e = Refusal.Throws<OnnxFormatException>(() => ctx.TensorAttribute("value"));
        Assert.Contains("Constant node 'constant_c'", e.Message);
        Assert.Contains("attribute 'value' has no tensor", e.Message);
        // With its tensor, the tensor's own checks apply (here: dims beyond the data).
        node.Attribute[0].T = new TensorProto { DataType = (int)OnnxElementType.Float, Dims = { 1 << 20 }, FloatData = { 1 } };
        Assert.Contains("needs 1048576 values, it has 1", Refusal.Throws<OnnxFormatException>(() => ctx.TensorAttribute("value")).Message);
    }

    [Fact]
    public void AttributeOfTheWrongTypeIsAFormatError()
    {
        var node = Node("Gemm", ["a", "b"], ["y"], Attr("alpha", 3L));
        var ctx = new OpContext(node, 13, [], null);
        Assert.Contains("attribute 'alpha' is Int, expected Float", Refusal.Throws<OnnxFormatException>(() => ctx.Float("alpha", 1f)).Message);
        Assert.Contains("input 0 is required", Refusal.Throws<OnnxFormatException>(() => ctx.Input(0)).Message);
    }

    /// <summary>A long chain of nodes compiles and runs without recursion (no stack overflow) and in linear time.</summary>
    [Fact]
    public void LongChainCompilesAndRuns()
    {
        const int length = 5000;
        var nodes = Enumerable.Range(0, length).Select(i => Node("MatMul", [i == 0 ? "x" : $"v{i - 1}", "w"], [i == length - 1 ? "y" : $"v{i}"]));
        // Listed in reverse: the compiler sorts them.
        var model = Model(nodes.Reverse(), [Input("x", OnnxElementType.Float, 1, 1)], [Output("y")],
            new Dictionary<string, OnnxTensor> { ["w"] = OnnxTensor.FromArray([1f], 1, 1) });
        var loaded = OnnxModel.Load(model.ToByteArray(), Refusal.Source);
        Assert.Equal(length, loaded.StepCount);
        Assert.Equal(2f, loaded.Run(OnnxTensor.FromArray([2f], 1, 1))[0].ToArray<float>()[0]);
    }

    [Fact]
    public void OutputListedTwiceRunsByName()
    {
        var proto = HostileGraphTests.Valid();
        proto.Graph.Output.Add(proto.Graph.Output[0].Clone());
        var model = OnnxModel.Load(proto.ToByteArray(), Refusal.Source);
        var outputs = model.Run(new Dictionary<string, OnnxTensor> { ["x"] = OnnxTensor.Zeros(OnnxElementType.Float, 1, 4) });
        Assert.Equal(["y"], outputs.Keys);
    }

    [Fact]
    public void ForwardOnANonFloatOutputIsAnInvalidOperation()
    {
        var proto = Model([Node("Gemm", ["x", "w"], ["y"], Attr("transB", 1L))], [Input("x", OnnxElementType.Float, 1, 4)], [Output("y"), Output("i", OnnxElementType.Int64)],
            new Dictionary<string, OnnxTensor> { ["w"] = OnnxTensor.FromArray(new float[12], 3, 4), ["i"] = OnnxTensor.FromArray([1L], 1) });
        proto.Graph.Output.RemoveAt(0);
        var model = OnnxModel.Load(proto.ToByteArray(), Refusal.Source);
        var e = Assert.Throws<InvalidOperationException>(() => model.Forward(Tensor.Zeros(1, 4)));
        Assert.Contains("is not float", e.Message);
    }

    /// <summary>Constants whose shapes do not fit the node are refused at load, naming the node (before or while folding).</summary>
    [Fact]
    public void ShapeErrorBetweenConstantsNamesTheNode()
    {
        var model = Model([Node("MatMul", ["a", "b"], ["y"])], [], [Output("y")],
            new Dictionary<string, OnnxTensor>
            {
                ["a"] = OnnxTensor.FromArray(new float[12], 3, 2, 2), ["b"] = OnnxTensor.FromArray(new float[8], 2, 2, 2),
            });
        Refusal.Load<OnnxFormatException>(model, "MatMul node 'matmul_y'", "do not broadcast");
    }

    /// <summary>Gemm checks K and C against static shapes at load (it used to fail only when run).</summary>
    [Fact]
    public void GemmShapeMismatchesFailAtLoad()
    {
        var k = Model([Node("Gemm", ["x", "w"], ["y"], Attr("transA", 1L))], [Input("x", OnnxElementType.Float, 3, 2)], [Output("y")],
            new Dictionary<string, OnnxTensor> { ["w"] = OnnxTensor.FromArray(new float[8], 2, 4) });
        Refusal.Load<OnnxFormatException>(k, "Gemm node 'gemm_y'", "op(A) of A [3, 2] (transA=True) and op(B) of B [2, 4] (transB=False) do not multiply (3 != 2)");
        foreach (int[] c in new[] { new[] { 3 }, new[] { 2, 2 }, new[] { 1, 1, 4 } })
        {
            var model = Model([Node("Gemm", ["x", "w", "c"], ["y"])], [Input("x", OnnxElementType.Float, -1, 2)], [Output("y")],
                new Dictionary<string, OnnxTensor> { ["w"] = OnnxTensor.FromArray(new float[8], 2, 4), ["c"] = OnnxTensor.Zeros(OnnxElementType.Float, c) });
            Refusal.Load<OnnxFormatException>(model, $"C [{string.Join(", ", c)}] does not broadcast to the product's [?, 4]");
        }
        foreach (int[] c in new[] { new[] { 4 }, new[] { 1, 4 }, new[] { 1 }, Array.Empty<int>() })
        {
            var model = Model([Node("Gemm", ["x", "w", "c"], ["y"])], [Input("x", OnnxElementType.Float, -1, 2)], [Output("y")],
                new Dictionary<string, OnnxTensor> { ["w"] = OnnxTensor.FromArray(new float[8], 2, 4), ["c"] = OnnxTensor.Zeros(OnnxElementType.Float, c) });
            Assert.Equal([3, 4], OnnxModel.Load(model.ToByteArray(), Refusal.Source).Run(OnnxTensor.Zeros(OnnxElementType.Float, 3, 2))[0].ShapeArray);
        }
    }
}
