using Google.Protobuf;
using NeuralSharp.Onnx.Import;
using NeuralSharp.Onnx.Ops;
using NeuralSharp.Onnx.Protos;
using NeuralSharp.Onnx.Tests.Hostile;
using static NeuralSharp.Onnx.Tests.OnnxTestModels;

namespace NeuralSharp.Onnx.Tests;

/// <summary>
/// Fusion only rewrites well-formed patterns: a node with missing or extra inputs, outputs or attributes is left to its
/// own op, which reports the problem. Regressions for bugs the mutation tests found.
/// </summary>
public class FusionRobustnessTests
{
    private static readonly Dictionary<string, OnnxTensor> Constants = new()
    {
        ["w"] = OnnxTensor.FromArray(new float[12], 4, 3),
        ["wt"] = OnnxTensor.FromArray(new float[12], 3, 4),
        ["b"] = OnnxTensor.FromArray(new float[3], 3),
        ["b2"] = OnnxTensor.FromArray(new float[3], 1, 3),
        ["zero"] = OnnxTensor.FromArray([0f]), ["six"] = OnnxTensor.FromArray([6f]),
    };

    private static List<NodeProto> Fuse(params NodeProto[] nodes) =>
        Fusion.Apply(nodes.ToList(), ["y"], name => Constants.GetValueOrDefault(name));

    private static bool Fused(List<NodeProto> nodes) => nodes.Any(n => n.Domain == OperatorRegistry.NeuralSharpDomain);

    [Fact]
    public void WellFormedPatternsFuse()
    {
        Assert.True(Fused(Fuse(Node("Gemm", ["x", "wt", "b"], ["z"], Attr("transB", 1L)), Node("Relu", ["z"], ["y"]))));
        Assert.True(Fused(Fuse(Node("MatMul", ["x", "w"], ["m"]), Node("Add", ["m", "b"], ["y"]))));
        Assert.True(Fused(Fuse(Node("MatMul", ["x", "w"], ["m"]), Node("Add", ["m", "b"], ["z"]), Node("Clip", ["z", "zero", "six"], ["y"]))));
    }

    /// <summary>Regression: a MatMul or activation without outputs threw ArgumentOutOfRangeException inside fusion.</summary>
    [Fact]
    public void NodesWithoutOutputsAreNotFused()
    {
        var noOutput = Node("Relu", ["z"], []);
        var nodes = Fuse(Node("MatMul", ["x", "w"], ["m"]), Node("Add", ["m", "b"], ["z"]), noOutput);
        Assert.Contains(noOutput, nodes);
        Assert.False(Fused(Fuse(Node("MatMul", ["x", "w"], []), Node("Add", ["m", "b"], ["y"]))));
        Assert.False(Fused(Fuse(Node("Erf", ["d"], []), Node("Div", ["x", "sqrt2"], ["d"]))));
    }

    /// <summary>Regression: a second output of a fused node vanished, and a reader of it hit KeyNotFoundException.</summary>
    [Fact]
    public void NodesWithExtraOutputsOrInputsAreNotFused()
    {
        Assert.False(Fused(Fuse(Node("MatMul", ["x", "w"], ["m", "m2"]), Node("Add", ["m", "b"], ["y"]))));
        Assert.False(Fused(Fuse(Node("Gemm", ["x", "wt", "b", "b"], ["z"], Attr("transB", 1L)), Node("Relu", ["z"], ["y"]))));
        var relu = Node("Relu", ["z", "b"], ["y"]);
        Assert.Contains(relu, Fuse(Node("Gemm", ["x", "wt", "b"], ["z"], Attr("transB", 1L)), relu));
        // Loading such a model reports the node, not a crash.
        var model = Model([Node("MatMul", ["x", "w"], ["m", "m2"]), Node("Add", ["m", "b"], ["y"]), Node("MatMul", ["m2", "wt"], ["y2"])],
            [Input("x", OnnxElementType.Float, 2, 4)], [Output("y"), Output("y2")], Constants);
        Refusal.Load<OnnxFormatException>(model, "MatMul node 'matmul_m_m2'", "has 2 outputs, expected 1");
    }

    [Fact]
    public void ActivationMustReadTheLinearOutputAsItsData()
    {
        // Clip(min = z): z is not the clipped value.
        Assert.False(Fused(Fuse(Node("MatMul", ["x", "w"], ["m"]), Node("Clip", ["zero", "m", "six"], ["y"]))));
    }

    [Fact]
    public void MistypedOrUnknownAttributesAreNotFused()
    {
        var intAlpha = Node("LeakyRelu", ["z"], ["y"], Attr("alpha", 2L));
        Assert.Contains(intAlpha, Fuse(Node("Gemm", ["x", "wt", "b"], ["z"], Attr("transB", 1L)), intAlpha));
        Assert.False(Fused(Fuse(Node("Gemm", ["x", "wt", "b"], ["z"], Attr("transB", 1.0f)), Node("Relu", ["z"], ["y"]))));
        Assert.False(Fused(Fuse(Node("Gemm", ["x", "wt", "b"], ["z"], Attr("transB", 1L), Attr("extra", 1L)), Node("Relu", ["z"], ["y"]))));
        Assert.False(Fused(Fuse(Node("MatMul", ["x", "w"], ["m"], Attr("axis", 1L)), Node("Add", ["m", "b"], ["y"]))));
    }

    /// <summary>A [1, N] bias after MatMul broadcasts a vector input to [1, N]; the fused op would give [N].</summary>
    [Fact]
    public void RowMatrixBiasFusesOnlyAfterGemm()
    {
        Assert.False(Fused(Fuse(Node("MatMul", ["x", "w"], ["m"]), Node("Add", ["m", "b2"], ["y"]))));
        Assert.True(Fused(Fuse(Node("Gemm", ["x", "wt", "b2"], ["z"], Attr("transB", 1L)), Node("Relu", ["z"], ["y"]))));
    }

    /// <summary>Regression: a fused layer took int or string inputs and failed at run time with InvalidOperationException.</summary>
    [Fact]
    public void FusedLayerRefusesNonFloatInputsAtLoad()
    {
        var model = Model([Node("Gemm", ["x", "wt", "b"], ["z"], Attr("transB", 1L)), Node("Relu", ["z"], ["y"])],
            [Input("x", OnnxElementType.Int16, 2, 4)], [Output("y")], Constants);
        Refusal.Load<OnnxUnsupportedException>(model, "unsupported data type int16 for input 0");
    }

    /// <summary>Regression: a Gemm fused with its activation accepted a rank-3 input that the Gemm alone refuses.</summary>
    [Fact]
    public void FusedGemmKeepsGemmsMatrixRule()
    {
        var model = Model([Node("Gemm", ["x", "wt", "b"], ["z"], Attr("transB", 1L)), Node("Relu", ["z"], ["y"])],
            [Input("x", OnnxElementType.Float, 2, 2, 4)], [Output("y")], Constants);
        Refusal.Load<OnnxFormatException>(model, "input [2, 2, 4] does not fit a weight of 4 inputs and 3 outputs (Gemm: a matrix)");
        var unknownRank = Model([Node("Gemm", ["x", "wt", "b"], ["z"], Attr("transB", 1L)), Node("Relu", ["z"], ["y"])],
            [Input("x", OnnxElementType.Float)], [Output("y")], Constants);
        unknownRank.Graph.Input[0].Type.TensorType.Shape = null;
        var loaded = OnnxModel.Load(unknownRank.ToByteArray(), Refusal.Source);
        Assert.Equal(1, loaded.StepCount);
        var e = Refusal.Throws<ArgumentException>(() => loaded.Run(OnnxTensor.Zeros(OnnxElementType.Float, 2, 2, 4)));
        Assert.Contains("[2, 2, 4] must be a matrix that ends in 4 features", e.Message);
        Assert.Equal([2, 3], loaded.Run(OnnxTensor.Zeros(OnnxElementType.Float, 2, 4))[0].ShapeArray);
    }

    /// <summary>A fused layer checks the input width at load when the shape is known (it used to fail only at run time).</summary>
    [Fact]
    public void FusedLayerChecksTheInputWidthAtLoad()
    {
        var model = Model([Node("MatMul", ["x", "w"], ["m"]), Node("Add", ["m", "b"], ["y"])],
            [Input("x", OnnxElementType.Float, -1, 5)], [Output("y")], Constants);
        Refusal.Load<OnnxFormatException>(model, "input [?, 5] does not fit a weight of 4 inputs and 3 outputs");
        var scalar = Model([Node("MatMul", ["x", "w"], ["m"]), Node("Add", ["m", "b"], ["y"])],
            [Input("x", OnnxElementType.Float)], [Output("y")], Constants);
        Refusal.Load<OnnxFormatException>(scalar, "input [] does not fit");
    }
}
