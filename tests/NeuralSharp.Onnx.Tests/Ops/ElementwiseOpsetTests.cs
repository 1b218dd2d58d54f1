using NeuralSharp.Onnx.Import;
using static NeuralSharp.Onnx.Tests.OnnxTestModels;

namespace NeuralSharp.Onnx.Tests.Ops;

/// <summary>Opset-version differences of the elementwise operators, and their shape and type inference.</summary>
public class ElementwiseOpsetTests
{
    private static OnnxTensor T<TV>(TV[] values, params int[] shape) => OnnxTensor.FromArray(values, shape.Length == 0 ? [values.Length] : shape);

    private static readonly float[] X = [-3f, -0.5f, 0f, 0.5f, 3f];

    [Fact]
    public void ClipBeforeOpset11TakesAttributes()
    {
        Assert.Equal(new[] { -1f, -0.5f, 0f, 0.5f, 1f }, ElementwiseModels.RunFloat("Clip", 6, [T(X)], Attr("min", -1f), Attr("max", 1f)));
        Assert.Equal(new[] { -3f, -0.5f, 0f, 0.2f, 0.2f }, ElementwiseModels.RunFloat("Clip", 6, [T(X)], Attr("max", 0.2f)));
        Assert.Equal(X, ElementwiseModels.RunFloat("Clip", 1, [T(X)], Attr("consumed_inputs", new long[] { 0 })));
        var e = Assert.Throws<OnnxUnsupportedException>(() => ElementwiseModels.Load("Clip", 11, [T(X)], OnnxElementType.Float, Attr("min", -1f)));
        Assert.Contains("unsupported attribute 'min'", e.Message);
        Assert.Throws<OnnxFormatException>(() => ElementwiseModels.Load("Clip", 6, [T(X), T(new[] { 0f }, [])], OnnxElementType.Float));
    }

    [Fact]
    public void ClipFromOpset11TakesOptionalInputs()
    {
        var lo = T(new[] { -1f }, []); var hi = T(new[] { 1f }, []);
        Assert.Equal(new[] { -1f, -0.5f, 0f, 0.5f, 1f }, ElementwiseModels.RunFloat("Clip", 11, [T(X), lo, hi]));
        Assert.Equal(new[] { -1f, -0.5f, 0f, 0.5f, 3f }, ElementwiseModels.RunFloat("Clip", 12, [T(X), lo]));
        Assert.Equal(new[] { -3f, -0.5f, 0f, 0.5f, 1f }, ElementwiseModels.RunFloat("Clip", 13, [T(X), null, hi]));
        // min > max: everything becomes max.
        Assert.Equal(new[] { -1f, -1f, -1f, -1f, -1f }, ElementwiseModels.RunFloat("Clip", 13, [T(X), hi, lo]));
        var ints = ElementwiseModels.Run("Clip", 13, [T(new long[] { -9, 4, 9 }), T(new long[] { -5 }, []), T(new long[] { 5 }, [])], OnnxElementType.Int64);
        Assert.Equal(new long[] { -5, 4, 5 }, ints.ToArray<long>());
        Assert.Throws<OnnxFormatException>(() => ElementwiseModels.Load("Clip", 13, [T(X), T(new[] { 0f, 1f })], OnnxElementType.Float));
    }

    [Fact]
    public void AddBeforeOpset7UsesTheLegacyBroadcastRule()
    {
        var a = T(new[] { 1f, 2f, 3f, 4f, 5f, 6f }, 2, 3);
        // broadcast=1 with axis=0: B [2] runs along A's first axis.
        Assert.Equal(new[] { 11f, 12f, 13f, 24f, 25f, 26f },
            ElementwiseModels.RunFloat("Add", 6, [a, T(new[] { 10f, 20f })], Attr("broadcast", 1L), Attr("axis", 0L)));
        // broadcast=1 without axis: B matches A's trailing dimensions.
        Assert.Equal(new[] { 11f, 22f, 33f, 14f, 25f, 36f },
            ElementwiseModels.RunFloat("Add", 6, [a, T(new[] { 10f, 20f, 30f })], Attr("broadcast", 1L)));
        // Size-1 dimensions of B stretch (PyTorch's exports rely on it).
        Assert.Equal(new[] { 11f, 12f, 13f, 24f, 25f, 26f },
            ElementwiseModels.RunFloat("Sub", 6, [a, T(new[] { -10f, -20f }, 2, 1)], Attr("broadcast", 1L), Attr("axis", 0L)));
        // Without broadcast the shapes must agree.
        Assert.Throws<OnnxFormatException>(() => ElementwiseModels.Load("Add", 6, [a, T(new[] { 1f, 2f, 3f })], OnnxElementType.Float));
        Assert.Throws<OnnxFormatException>(() => ElementwiseModels.Load("Mul", 6, [a, T(new[] { 1f, 2f })], OnnxElementType.Float, Attr("broadcast", 1L)));
        // From opset 7 NumPy broadcasting, and the legacy attributes are gone.
        Assert.Equal(new[] { 11f, 22f, 33f, 14f, 25f, 36f }, ElementwiseModels.RunFloat("Add", 7, [a, T(new[] { 10f, 20f, 30f })]));
        var e = Assert.Throws<OnnxUnsupportedException>(() => ElementwiseModels.Load("Add", 7, [a, a], OnnxElementType.Float, Attr("broadcast", 1L)));
        Assert.Contains("unsupported attribute 'broadcast'", e.Message);
    }

    [Fact]
    public void ConsumedInputsIsAcceptedOnlyBeforeOpset6()
    {
        var a = T(new[] { 1f, 2f });
        Assert.Equal(new[] { 2f, 4f }, ElementwiseModels.RunFloat("Add", 1, [a, a], Attr("consumed_inputs", new long[] { 0, 0 })));
        Assert.Equal(new[] { 1f, 2f }, ElementwiseModels.RunFloat("Relu", 1, [a], Attr("consumed_inputs", new long[] { 0 })));
        var e = Assert.Throws<OnnxUnsupportedException>(() => ElementwiseModels.Load("Relu", 6, [a], OnnxElementType.Float, Attr("consumed_inputs", new long[] { 0 })));
        Assert.Contains("consumed_inputs", e.Message);
    }

    [Fact]
    public void PReluSlopeIsPerChannelBeforeOpset7AndNumPyFrom7()
    {
        var x = T(Enumerable.Range(0, 24).Select(i => -1f - i).ToArray(), 2, 3, 4);
        var legacy = ElementwiseModels.RunFloat("PRelu", 6, [x, T(new[] { 1f, 2f, 3f })]);
        for (int i = 0; i < 24; i++) Assert.Equal((-1f - i) * (1 + i / 4 % 3), legacy[i]);
        var numpy = ElementwiseModels.RunFloat("PRelu", 9, [x, T(new[] { 1f, 2f, 3f, 4f })]);
        for (int i = 0; i < 24; i++) Assert.Equal((-1f - i) * (1 + i % 4), numpy[i]);
        var channel = ElementwiseModels.RunFloat("PRelu", 16, [x, T(new[] { 1f, 2f, 3f }, 3, 1)]);
        for (int i = 0; i < 24; i++) Assert.Equal((-1f - i) * (1 + i / 4 % 3), channel[i]);
        Assert.Equal(new[] { 2f, -0.5f }, ElementwiseModels.RunFloat("PRelu", 16, [T(new[] { 2f, -2f }), T(new[] { 0.25f }, [])]));
        // A slope that does not broadcast to X (unidirectionally) is an error at load.
        Assert.Throws<OnnxFormatException>(() => ElementwiseModels.Load("PRelu", 9, [x, T(new[] { 1f, 2f, 3f })], OnnxElementType.Float));
        Assert.Throws<OnnxFormatException>(() => ElementwiseModels.Load("PRelu", 9, [T(new[] { 1f }, 1), T(new[] { 1f, 2f })], OnnxElementType.Float));
    }

    [Fact]
    public void CastBeforeOpset6NamesTheTypeAsAString()
    {
        var y = ElementwiseModels.Run("Cast", 1, [T(new[] { 1.9f, -1.9f })], OnnxElementType.Int32, Attr("to", "INT32"));
        Assert.Equal(new[] { 1, -1 }, y.ToArray<int>());
        var d = ElementwiseModels.Run("Cast", 6, [T(new[] { 1.5f })], OnnxElementType.Double, Attr("to", (long)OnnxElementType.Double));
        Assert.Equal(new[] { 1.5 }, d.ToArray<double>());
        Assert.Throws<OnnxFormatException>(() => ElementwiseModels.Load("Cast", 1, [T(new[] { 1f })], OnnxElementType.Int32, Attr("to", "NOTATYPE")));
        // Some old exporters wrote Cast-1's 'to' as the integer code.
        var i = ElementwiseModels.Run("Cast", 1, [T(new[] { 2.5f })], OnnxElementType.Int64, Attr("to", (long)OnnxElementType.Int64));
        Assert.Equal(new[] { 2L }, i.ToArray<long>());
    }

    [Theory]
    [InlineData("HardSwish", 13)]
    [InlineData("Erf", 8)]
    [InlineData("Mish", 17)]
    [InlineData("Where", 8)]
    [InlineData("GreaterOrEqual", 11)]
    public void OperatorsAreRefusedBeforeTheOpsetThatIntroducedThem(string op, int opset)
    {
        var e = Assert.Throws<OnnxUnsupportedException>(() => ElementwiseModels.Load(op, opset, [T(new[] { 1f })], OnnxElementType.Float));
        Assert.Contains($"unsupported operator {op}", e.Message);
    }

    [Fact]
    public void ShapesBroadcastWithSymbolicDimensions()
    {
        var f = OnnxElementType.Float;
        var add = ElementwiseModels.Infer("Add", 14, [new ValueInfo(f, [-1, 3]), new ValueInfo(f, [3])]);
        Assert.Equal(new[] { -1, 3 }, add[0].Shape);
        Assert.Equal(f, add[0].Type);
        var stretched = ElementwiseModels.Infer("Mul", 14, [new ValueInfo(f, [-1, 1]), new ValueInfo(f, [1, 5])]);
        Assert.Equal(new[] { -1, 5 }, stretched[0].Shape);
        var where = ElementwiseModels.Infer("Where", 16, [new ValueInfo(OnnxElementType.Bool, [-1, 1]), new ValueInfo(OnnxElementType.Int64, [1, 4]), new ValueInfo(OnnxElementType.Int64, [])]);
        Assert.Equal(new[] { -1, 4 }, where[0].Shape);
        Assert.Equal(OnnxElementType.Int64, where[0].Type);
        var equal = ElementwiseModels.Infer("Equal", 13, [new ValueInfo(OnnxElementType.Int32, [2, -1]), new ValueInfo(OnnxElementType.Int32, [2, 1])]);
        Assert.Equal(OnnxElementType.Bool, equal[0].Type);
        Assert.Equal(new[] { 2, -1 }, equal[0].Shape);
        var sum = ElementwiseModels.Infer("Sum", 13, [new ValueInfo(f, [4, 1]), new ValueInfo(f, [-1]), new ValueInfo(f, [1, 1, 1])]);
        Assert.Equal(new[] { 1, 4, -1 }, sum[0].Shape);
        var cast = ElementwiseModels.Infer("Cast", 13, [new ValueInfo(f, [-1, 2])], Attr("to", (long)OnnxElementType.Int64));
        Assert.Equal(OnnxElementType.Int64, cast[0].Type);
        Assert.Equal(new[] { -1, 2 }, cast[0].Shape);
        var pow = ElementwiseModels.Infer("Pow", 15, [new ValueInfo(OnnxElementType.Int32, [3]), new ValueInfo(f, [])]);
        Assert.Equal(OnnxElementType.Int32, pow[0].Type);
        var legacy = ElementwiseModels.Infer("Add", 6, [new ValueInfo(f, [-1, 3, 4]), new ValueInfo(f, [3])], Attr("broadcast", 1L), Attr("axis", 1L));
        Assert.Equal(new[] { -1, 3, 4 }, legacy[0].Shape);
        var unknown = ElementwiseModels.Infer("Add", 14, [ValueInfo.Unknown(f), new ValueInfo(f, [3])]);
        Assert.Null(unknown[0].Shape);
        Assert.Throws<OnnxFormatException>(() => ElementwiseModels.Infer("Add", 14, [new ValueInfo(f, [2, 3]), new ValueInfo(f, [4])]));
    }
}
