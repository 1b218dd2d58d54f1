using static NeuralSharp.Onnx.Tests.OnnxTestModels;

namespace NeuralSharp.Onnx.Tests.Ops;

/// <summary>What the elementwise operators do not support is refused at load with a message that says what.</summary>
public class ElementwiseRefusalTests
{
    private static OnnxUnsupportedException Refused(string op, int opset, (OnnxElementType, int[])[] inputs, OnnxElementType outType, params Protos.AttributeProto[] attributes) =>
        Assert.Throws<OnnxUnsupportedException>(() => ElementwiseModels.LoadTyped(op, opset, inputs, outType, attributes));

    [Theory]
    [InlineData(OnnxElementType.String)]
    [InlineData(OnnxElementType.BFloat16)]
    public void CastToStringOrBFloat16IsRefused(OnnxElementType to)
    {
        var e = Refused("Cast", 13, [(OnnxElementType.Float, [2])], to, Attr("to", (long)to));
        Assert.Contains($"unsupported data type {OnnxElementTypes.Name(to)} for the result", e.Message);
        Assert.Contains("Cast node", e.Message);
    }

    [Theory]
    [InlineData(OnnxElementType.String)]
    [InlineData(OnnxElementType.BFloat16)]
    public void CastFromStringOrBFloat16IsRefused(OnnxElementType from)
    {
        var e = Refused("Cast", 13, [(from, [2])], OnnxElementType.Float, Attr("to", (long)OnnxElementType.Float));
        Assert.Contains($"unsupported data type {OnnxElementTypes.Name(from)} for input 0", e.Message);
    }

    [Theory]
    [InlineData("Sqrt", OnnxElementType.Int32)]
    [InlineData("Exp", OnnxElementType.Int64)]
    [InlineData("Sigmoid", OnnxElementType.Bool)]
    [InlineData("Neg", OnnxElementType.UInt8)]
    [InlineData("Relu", OnnxElementType.UInt32)]
    [InlineData("Abs", OnnxElementType.BFloat16)]
    [InlineData("Erf", OnnxElementType.Int32)]
    public void UnaryOnUnsupportedTypeIsRefused(string op, OnnxElementType type)
    {
        var e = Refused(op, 13, [(type, [3])], type);
        Assert.Contains($"unsupported data type {OnnxElementTypes.Name(type)} for input 0", e.Message);
    }

    [Theory]
    [InlineData("Add", OnnxElementType.String)]
    [InlineData("Mul", OnnxElementType.Bool)]
    [InlineData("Div", OnnxElementType.BFloat16)]
    [InlineData("Greater", OnnxElementType.Bool)]
    [InlineData("And", OnnxElementType.Int32)]
    [InlineData("Sum", OnnxElementType.Int32)]
    [InlineData("Pow", OnnxElementType.UInt8)]
    public void BinaryOnUnsupportedTypeIsRefused(string op, OnnxElementType type)
    {
        var e = Refused(op, 13, [(type, [3]), (type, [3])], type);
        Assert.Contains($"unsupported data type {OnnxElementTypes.Name(type)}", e.Message);
    }

    [Fact]
    public void UnknownAttributesAreRefused()
    {
        var e = Refused("LeakyRelu", 16, [(OnnxElementType.Float, [3])], OnnxElementType.Float, Attr("beta", 1f));
        Assert.Contains("unsupported attribute 'beta'", e.Message);
        e = Refused("Add", 14, [(OnnxElementType.Float, [3]), (OnnxElementType.Float, [3])], OnnxElementType.Float, Attr("axis", 0L));
        Assert.Contains("unsupported attribute 'axis'", e.Message);
    }

    [Fact]
    public void MixedOperandTypesAreMalformed()
    {
        Assert.Throws<OnnxFormatException>(() => ElementwiseModels.LoadTyped("Add", 14, [(OnnxElementType.Float, [3]), (OnnxElementType.Double, [3])], OnnxElementType.Float));
        Assert.Throws<OnnxFormatException>(() => ElementwiseModels.LoadTyped("Where", 16,
            [(OnnxElementType.Bool, [3]), (OnnxElementType.Float, [3]), (OnnxElementType.Int64, [3])], OnnxElementType.Float));
    }
}
