using Google.Protobuf;
using NeuralSharp.Onnx.Import;
using NeuralSharp.Onnx.Protos;
using static NeuralSharp.Onnx.Tests.OnnxTestModels;

namespace NeuralSharp.Onnx.Tests.Ops;

/// <summary>Shape ops: opset variants, shape inference with symbolic dimensions, constant folding and error messages.</summary>
public class ShapeOpsTests
{
    /// <summary>An output without a declared type, so the model reports the inferred type and shape.</summary>
    private static ValueInfoProto Inferred(string name) => new() { Name = name };

    private static Dictionary<string, OnnxTensor> Inits(params (string Name, OnnxTensor Value)[] values) =>
        values.ToDictionary(v => v.Name, v => v.Value);

    private static OnnxTensor Longs(params long[] values) => OnnxTensor.FromArray(values, values.Length);

    private static OnnxTensor Iota(params int[] shape)
    {
        var data = new float[OnnxTensor.ElementCount(shape)];
        for (int i = 0; i < data.Length; i++) data[i] = i;
        return OnnxTensor.FromArray(data, shape);
    }

    private static OnnxModel OneNode(string op, string[] inputs, ValueInfoProto[] graphInputs, Dictionary<string, OnnxTensor>? inits = null,
        int opset = 17, string[]? outputs = null, params AttributeProto[] attributes)
    {
        outputs ??= ["y"];
        return Load(Model([Node(op, inputs, outputs, attributes)], graphInputs, outputs.Select(Inferred), inits, opset));
    }

    [Fact]
    public void ReshapeWithConstantShapeInfersSymbolicBatch()
    {
        var model = OneNode("Reshape", ["x", "s"], [Input("x", OnnxElementType.Float, -1, 1, 28, 28)], Inits(("s", Longs(-1, 784))));
        Assert.Equal(new[] { -1, 784 }, model.Outputs[0].Shape);
        var y = model.Run(Iota(3, 1, 28, 28))[0];
        Assert.Equal(new[] { 3, 784 }, y.ShapeArray);
        Assert.Equal(Iota(3, 1, 28, 28).ToArray<float>(), y.ToArray<float>());
    }

    [Fact]
    public void ReshapeCopiedUnknownDimensionCancelsOutOfTheInferredOne()
    {
        var model = OneNode("Reshape", ["x", "s"], [Input("x", OnnxElementType.Float, -1, 3, 4)], Inits(("s", Longs(0, -1))));
        Assert.Equal(new[] { -1, 12 }, model.Outputs[0].Shape);
        Assert.Equal(new[] { 2, 12 }, model.Run(Iota(2, 3, 4))[0].ShapeArray);
    }

    [Fact]
    public void ReshapeAllowZeroKeepsZeroDimensions()
    {
        var model = OneNode("Reshape", ["x", "s"], [Input("x", OnnxElementType.Float, 0, 3)], Inits(("s", Longs(3, 0))), opset: 14,
            attributes: Attr("allowzero", 1L));
        Assert.Equal(new[] { 3, 0 }, model.Outputs[0].Shape);
        Assert.Equal(new[] { 3, 0 }, model.Run(OnnxTensor.FromArray(Array.Empty<float>(), 0, 3))[0].ShapeArray);
    }

    [Fact]
    public void ReshapeBeforeOpset5TakesTheShapeAttribute()
    {
        var model = OneNode("Reshape", ["x"], [Input("x", OnnxElementType.Float, 2, 6)], opset: 4, attributes: Attr("shape", new long[] { 3, -1 }));
        Assert.Equal(new[] { 3, 4 }, model.Outputs[0].Shape);
        Assert.Equal(new[] { 3, 4 }, model.Run(Iota(2, 6))[0].ShapeArray);
    }

    [Fact]
    public void ReshapeToAnIncompatibleSizeThrowsNamingOpAndShapes()
    {
        var model = OneNode("Reshape", ["x", "s"], [Input("x", OnnxElementType.Float, -1, 5)], Inits(("s", Longs(-1, 4))));
        var e = Assert.Throws<ArgumentException>(() => model.Run(Iota(3, 5)));
        Assert.Contains("Reshape", e.Message);
        Assert.Contains("[3, 5]", e.Message);
        Assert.Contains("[-1, 4]", e.Message);
        // Known at load: the model is malformed.
        Assert.Throws<OnnxFormatException>(() => OneNode("Reshape", ["x", "s"], [Input("x", OnnxElementType.Float, 3, 5)], Inits(("s", Longs(4, 4)))));
    }

    [Fact]
    public void ShapeGatherUnsqueezeConcatReshapeChainRunsOnSymbolicBatch()
    {
        var nodes = new[]
        {
            Node("Shape", ["x"], ["shape"]),
            Node("Gather", ["shape", "zero"], ["batch"], Attr("axis", 0L)),
            Node("Unsqueeze", ["batch", "axes"], ["batch1"]),
            Node("Concat", ["batch1", "rest"], ["target"], Attr("axis", 0L)),
            Node("Reshape", ["x", "target"], ["y"]),
        };
        var model = Load(Model(nodes, [Input("x", OnnxElementType.Float, -1, 2, 3, 4)], [Inferred("y")],
            Inits(("zero", OnnxTensor.FromArray([0L])), ("axes", Longs(0)), ("rest", Longs(24))), opset: 13));
        Assert.Equal(new[] { -1, -1 }, model.Outputs[0].Shape);
        foreach (int batch in new[] { 1, 5 })
        {
            var y = model.Run(Iota(batch, 2, 3, 4))[0];
            Assert.Equal(new[] { batch, 24 }, y.ShapeArray);
            Assert.Equal(Iota(batch, 2, 3, 4).ToArray<float>(), y.ToArray<float>());
        }
    }

    [Fact]
    public void ShapeOfAStaticShapeFoldsTheChain()
    {
        // Shape [-1, 3, 4] from 1 on is known ([3, 4]): constant, so Concat and Reshape's shape fold at load.
        var model = Load(Model(
            [
                Node("Shape", ["x"], ["tail"], Attr("start", 1L)),
                Node("Concat", ["minus1", "tail"], ["target"], Attr("axis", 0L)),
                Node("Reshape", ["x", "target"], ["y"]),
            ],
            [Input("x", OnnxElementType.Float, -1, 3, 4)], [Inferred("y")], Inits(("minus1", Longs(-1))), opset: 15));
        Assert.Equal(new[] { -1, 3, 4 }, model.Outputs[0].Shape);
        Assert.Equal(2, model.StepCount); // Shape (still run, cheap) and Reshape; Concat folded
        Assert.Equal(new[] { 2, 3, 4 }, model.Run(Iota(2, 3, 4))[0].ShapeArray);
    }

    [Theory]
    [InlineData(0L, null, new long[] { 2, 3, 4 })]
    [InlineData(1L, null, new long[] { 3, 4 })]
    [InlineData(-1L, null, new long[] { 4 })]
    [InlineData(0L, -1L, new long[] { 2, 3 })]
    [InlineData(-10L, 10L, new long[] { 2, 3, 4 })]
    [InlineData(2L, 1L, new long[0])]
    public void ShapeStartAndEndClamp(long start, long? end, long[] expected)
    {
        var attributes = end == null ? new[] { Attr("start", start) } : new[] { Attr("start", start), Attr("end", end.Value) };
        var model = OneNode("Shape", ["x"], [Input("x", OnnxElementType.Float, -1, 3, 4)], opset: 15, attributes: attributes);
        Assert.Equal(expected, model.Run(Iota(2, 3, 4))[0].ToArray<long>());
    }

    [Fact]
    public void FlattenInfersWithSymbolicDimensions()
    {
        var model = OneNode("Flatten", ["x"], [Input("x", OnnxElementType.Float, -1, 3, 4)], attributes: Attr("axis", 1L));
        Assert.Equal(new[] { -1, 12 }, model.Outputs[0].Shape);
        model = OneNode("Flatten", ["x"], [Input("x", OnnxElementType.Float, -1, 3, 4)], attributes: Attr("axis", -1L));
        Assert.Equal(new[] { -1, 4 }, model.Outputs[0].Shape);
        Assert.Equal(new[] { 6, 4 }, model.Run(Iota(2, 3, 4))[0].ShapeArray);
        Assert.Throws<OnnxFormatException>(() => OneNode("Flatten", ["x"], [Input("x", OnnxElementType.Float, 2, 3)], opset: 9, attributes: Attr("axis", -1L)));
    }

    [Theory]
    [InlineData(11)]
    [InlineData(13)]
    public void SqueezeAndUnsqueezeTakeAxesAsAttributeBefore13AndInputSince(int opset)
    {
        var axes = new long[] { 0, -1 };
        var squeeze = opset < 13
            ? OneNode("Squeeze", ["x"], [Input("x", OnnxElementType.Float, -1, -1, 1)], opset: opset, attributes: Attr("axes", axes))
            : OneNode("Squeeze", ["x", "a"], [Input("x", OnnxElementType.Float, -1, -1, 1)], Inits(("a", Longs(axes))), opset);
        Assert.Equal(new[] { -1 }, squeeze.Outputs[0].Shape);
        Assert.Equal(new[] { 5 }, squeeze.Run(Iota(1, 5, 1))[0].ShapeArray);
        var e = Assert.Throws<ArgumentException>(() => squeeze.Run(Iota(2, 5, 1)));
        Assert.Contains("Squeeze", e.Message);
        Assert.Contains("[2, 5, 1]", e.Message);

        var unsqueeze = opset < 13
            ? OneNode("Unsqueeze", ["x"], [Input("x", OnnxElementType.Float, -1, 3)], opset: opset, attributes: Attr("axes", axes))
            : OneNode("Unsqueeze", ["x", "a"], [Input("x", OnnxElementType.Float, -1, 3)], Inits(("a", Longs(axes))), opset);
        Assert.Equal(new[] { 1, -1, 3, 1 }, unsqueeze.Outputs[0].Shape);
        Assert.Equal(new[] { 1, 2, 3, 1 }, unsqueeze.Run(Iota(2, 3))[0].ShapeArray);
    }

    [Fact]
    public void SqueezeWithoutAxesRemovesAllUnitDimensions()
    {
        var model = OneNode("Squeeze", ["x"], [Input("x", OnnxElementType.Float, 1, 3, 1, 2)]);
        Assert.Equal(new[] { 3, 2 }, model.Outputs[0].Shape);
        // With an unknown dimension we cannot tell whether it is 1: unknown rank.
        model = OneNode("Squeeze", ["x"], [Input("x", OnnxElementType.Float, -1, 3)]);
        Assert.Null(model.Outputs[0].Shape);
        Assert.Equal(new[] { 3 }, model.Run(Iota(1, 3))[0].ShapeArray);
    }

    [Theory]
    [InlineData(11)]
    [InlineData(13)]
    [InlineData(18)]
    public void SplitOpsetVariants(int opset)
    {
        var x = Iota(7, 2);
        OnnxModel model;
        string[] outputs = ["a", "b", "c"];
        if (opset < 13)
            model = OneNode("Split", ["x"], [Input("x", OnnxElementType.Float, 7, 2)], opset: opset, outputs: outputs,
                attributes: Attr("split", new long[] { 2, 4, 1 }));
        else if (opset < 18)
            model = OneNode("Split", ["x", "s"], [Input("x", OnnxElementType.Float, 7, 2)], Inits(("s", Longs(2, 4, 1))), opset, outputs);
        else
            model = OneNode("Split", ["x"], [Input("x", OnnxElementType.Float, 7, 2)], opset: opset, outputs: outputs, attributes: Attr("num_outputs", 3L));
        int[][] sizes = opset < 18 ? [[2, 2], [4, 2], [1, 2]] : [[3, 2], [3, 2], [1, 2]];
        for (int i = 0; i < 3; i++) Assert.Equal(sizes[i], model.Outputs[i].Shape);
        var ys = model.Run(x);
        Assert.Equal(x.ToArray<float>(), ys.SelectMany(y => y.ToArray<float>()).ToArray());
        for (int i = 0; i < 3; i++) Assert.Equal(sizes[i], ys[i].ShapeArray);
    }

    [Fact]
    public void SplitIntoEqualPartsNeedsADivisibleDimensionBeforeOpset18()
    {
        var model = OneNode("Split", ["x"], [Input("x", OnnxElementType.Float, -1)], opset: 13, outputs: ["a", "b"]);
        Assert.Equal(new[] { 3 }, model.Run(Iota(6))[1].ShapeArray);
        var e = Assert.Throws<ArgumentException>(() => model.Run(Iota(7)));
        Assert.Contains("Split", e.Message);
        Assert.Contains("[7]", e.Message);
    }

    [Fact]
    public void SliceAttributesBeforeOpset10()
    {
        var model = OneNode("Slice", ["x"], [Input("x", OnnxElementType.Float, -1, 5)], opset: 9,
            attributes: [Attr("starts", new long[] { 1 }), Attr("ends", new long[] { long.MaxValue }), Attr("axes", new long[] { 1 })]);
        Assert.Equal(new[] { -1, 4 }, model.Outputs[0].Shape);
        var y = model.Run(Iota(2, 5))[0];
        Assert.Equal(new float[] { 1, 2, 3, 4, 6, 7, 8, 9 }, y.ToArray<float>());
    }

    [Fact]
    public void SliceNegativeStepsClampAndInt32Parameters()
    {
        var inits = Inits(("starts", OnnxTensor.FromArray(new[] { 100, -1 }, 2)), ("ends", OnnxTensor.FromArray(new[] { -100, 0 }, 2)),
            ("axes", OnnxTensor.FromArray(new[] { 0, 1 }, 2)), ("steps", OnnxTensor.FromArray(new[] { -2, -1 }, 2)));
        var model = OneNode("Slice", ["x", "starts", "ends", "axes", "steps"], [Input("x", OnnxElementType.Float, 5, 3)], inits, 13);
        // Axis 0: from 4 down to the start by 2 → rows 4, 2, 0; axis 1: from 2 down to (excluding) 0 → cols 2, 1.
        Assert.Equal(new[] { 3, 2 }, model.Outputs[0].Shape);
        Assert.Equal(new float[] { 14, 13, 8, 7, 2, 1 }, model.Run(Iota(5, 3))[0].ToArray<float>());
    }

    [Fact]
    public void SliceWithRunTimeStartsKeepsTheOtherDimensions()
    {
        var model = OneNode("Slice", ["x", "starts", "ends", "axes"], [Input("x", OnnxElementType.Float, -1, 6), Input("starts", OnnxElementType.Int64, 1),
            Input("ends", OnnxElementType.Int64, 1)], Inits(("axes", Longs(1))), 13);
        Assert.Equal(new[] { -1, -1 }, model.Outputs[0].Shape);
        var y = model.Run(Iota(2, 6), Longs(-4), Longs(-1))[0];
        Assert.Equal(new float[] { 2, 3, 4, 8, 9, 10 }, y.ToArray<float>());
        Assert.Throws<ArgumentException>(() => model.Run(Iota(2, 6), Longs(0), Longs(1), Longs(1)));
    }

    [Fact]
    public void GatherNegativeAndInt32IndicesOnAnyAxis()
    {
        var model = OneNode("Gather", ["x", "i"], [Input("x", OnnxElementType.Int64, -1, 4), Input("i", OnnxElementType.Int32, 2)],
            attributes: Attr("axis", 1L));
        Assert.Equal(new[] { -1, 2 }, model.Outputs[0].Shape);
        var x = OnnxTensor.FromArray(Enumerable.Range(0, 8).Select(v => (long)v).ToArray(), 2, 4);
        var y = model.Run(x, OnnxTensor.FromArray(new[] { -1, 1 }, 2))[0];
        Assert.Equal(new long[] { 3, 1, 7, 5 }, y.ToArray<long>());
        var e = Assert.Throws<ArgumentException>(() => model.Run(x, OnnxTensor.FromArray(new[] { 0, 4 }, 2)));
        Assert.Contains("Gather", e.Message);
        Assert.Contains("index 4", e.Message);
        Assert.Contains("[2, 4]", e.Message);
    }

    [Fact]
    public void ExpandInfersAndRejectsShapesThatDoNotBroadcast()
    {
        var model = OneNode("Expand", ["x", "s"], [Input("x", OnnxElementType.Float, -1, 1)], Inits(("s", Longs(2, 1, 3))));
        Assert.Equal(new[] { 2, -1, 3 }, model.Outputs[0].Shape);
        var y = model.Run(Iota(2, 1))[0];
        Assert.Equal(new[] { 2, 2, 3 }, y.ShapeArray);
        Assert.Equal(new float[] { 0, 0, 0, 1, 1, 1, 0, 0, 0, 1, 1, 1 }, y.ToArray<float>());
        var runtime = OneNode("Expand", ["x", "s"], [Input("x", OnnxElementType.Float, -1), Input("s", OnnxElementType.Int64, 1)]);
        var e = Assert.Throws<ArgumentException>(() => runtime.Run(Iota(3), Longs(4)));
        Assert.Contains("Expand", e.Message);
        Assert.Contains("[3]", e.Message);
        Assert.Contains("[4]", e.Message);
    }

    [Fact]
    public void ConstantAttributeVariants()
    {
        OnnxTensor Run(AttributeProto a) => Load(Model([Node("Constant", [], ["y"], a)], [], [Inferred("y")], opset: 13)).Run()[0];
        var floats = new AttributeProto { Name = "value_floats", Type = AttributeProto.Types.AttributeType.Floats };
        floats.Floats.Add([1.5f, 2f]);
        var strings = new AttributeProto { Name = "value_strings", Type = AttributeProto.Types.AttributeType.Strings };
        strings.Strings.Add([ByteString.CopyFromUtf8("a"), ByteString.CopyFromUtf8("bc")]);
        var tensor = new AttributeProto { Name = "value", Type = AttributeProto.Types.AttributeType.Tensor, T = TensorProtoConverter.ToProto(Iota(2, 2), "") };

        Assert.Equal(new[] { 1.5f, 2f }, Run(floats).ToArray<float>());
        Assert.Equal(new[] { "a", "bc" }, Run(strings).ToArray<string>());
        Assert.Equal(new[] { 2, 2 }, Run(tensor).ShapeArray);
        var scalar = Run(Attr("value_int", 7L));
        Assert.Equal(0, scalar.Rank);
        Assert.Equal(7L, scalar.AsSpan<long>()[0]);
        Assert.Equal(new long[] { 1, 2 }, Run(Attr("value_ints", new long[] { 1, 2 })).ToArray<long>());
        Assert.Equal("s", Run(Attr("value_string", "s")).AsSpan<string>()[0]);
        Assert.Equal(0.5f, Run(Attr("value_float", 0.5f)).AsSpan<float>()[0]);
        var sparse = new AttributeProto { Name = "sparse_value", Type = AttributeProto.Types.AttributeType.SparseTensor, SparseTensor = new SparseTensorProto() };
        Assert.Throws<OnnxUnsupportedException>(() => Run(sparse));
    }

    [Fact]
    public void DropoutIsIdentityAtInferenceAndRefusesTrainingMode()
    {
        var inits = Inits(("r", OnnxTensor.FromArray([0.3f])), ("t", OnnxTensor.FromArray([false])));
        var model = Load(Model([Node("Dropout", ["x", "r", "t"], ["y", "mask"])], [Input("x", OnnxElementType.Float, -1, 2)],
            [Inferred("y"), Inferred("mask")], inits, 13));
        Assert.Equal(OnnxElementType.Bool, model.Outputs[1].ElementType);
        var outs = model.Run(Iota(3, 2));
        Assert.Equal(Iota(3, 2).ToArray<float>(), outs[0].ToArray<float>());
        Assert.All(outs[1].ToArray<bool>(), Assert.True);

        inits["t"] = OnnxTensor.FromArray([true]);
        var e = Assert.Throws<OnnxUnsupportedException>(() => Load(Model([Node("Dropout", ["x", "r", "t"], ["y"])],
            [Input("x", OnnxElementType.Float, -1, 2)], [Inferred("y")], inits, 13)));
        Assert.Contains("training_mode", e.Message);

        // Before opset 10 the mask has the input's type.
        model = Load(Model([Node("Dropout", ["x"], ["y", "mask"], Attr("ratio", 0.5f))], [Input("x", OnnxElementType.Float, 2)],
            [Inferred("y"), Inferred("mask")], opset: 7));
        Assert.Equal(new[] { 1f, 1f }, model.Run(Iota(2))[1].ToArray<float>());
        Assert.Throws<OnnxUnsupportedException>(() => Load(Model([Node("Dropout", ["x"], ["y"])], [Input("x", OnnxElementType.Float, 2)],
            [Inferred("y")], opset: 6)));
    }

    [Fact]
    public void ConstantOfShapeDefaultsToFloatZeroAndTakesTheValueType()
    {
        var model = OneNode("ConstantOfShape", ["s"], [Input("s", OnnxElementType.Int64, 2)], opset: 9);
        Assert.Equal(new[] { -1, -1 }, model.Outputs[0].Shape);
        var y = model.Run(Longs(2, 3))[0];
        Assert.Equal(OnnxElementType.Float, y.ElementType);
        Assert.Equal(new float[6], y.ToArray<float>());
        var value = new AttributeProto { Name = "value", Type = AttributeProto.Types.AttributeType.Tensor, T = TensorProtoConverter.ToProto(OnnxTensor.FromArray(new[] { 5 }, 1), "") };
        model = OneNode("ConstantOfShape", ["s"], [Input("s", OnnxElementType.Int64, 1)], opset: 9, attributes: value);
        Assert.Equal(new[] { 5, 5, 5 }, model.Run(Longs(3))[0].ToArray<int>());
        var e = Assert.Throws<ArgumentException>(() => model.Run(Longs(-2)));
        Assert.Contains("ConstantOfShape", e.Message);
    }
}
