using Google.Protobuf;
using NeuralSharp.Onnx.Protos;

namespace NeuralSharp.Onnx.Tests.Hostile;

/// <summary>TensorProto dims and data that do not agree, in model initializers and in .pb tensor files.</summary>
public class HostileTensorTests
{
    private static ModelProto WithInitializer(TensorProto tensor)
    {
        var model = HostileGraphTests.Valid();
        model.Graph.Initializer.Add(tensor);
        return model;
    }

    private static TensorProto Float(string name, long[] dims, int rawBytes) => new()
    {
        Name = name, DataType = (int)OnnxElementType.Float, Dims = { dims }, RawData = ByteString.CopyFrom(new byte[rawBytes]),
    };

    [Fact]
    public void DimsWhoseProductOverflowsInt64AreAFormatError()
    {
        // Each dim beyond int: named with the dims; the product of these would overflow int64 as well.
        Refusal.Load<OnnxFormatException>(WithInitializer(Float("t", [1L << 40, 1L << 40], 4)), "tensor 't'", "dimension 0 is 1099511627776", "[1099511627776, 1099511627776]");
        Refusal.Load<OnnxFormatException>(WithInitializer(Float("t", [long.MaxValue, 2], 4)), "tensor 't'", $"dimension 0 is {long.MaxValue}");
    }

    [Fact]
    public void DimsWhoseProductOverflowsInt32AreAFormatError() =>
        Refusal.Load<OnnxFormatException>(WithInitializer(Float("t", [65536, 65536], 4)), "tensor 't'", "dims [65536, 65536] have more elements than an array can hold");

    [Fact]
    public void NegativeDimsAreAFormatError() =>
        Refusal.Load<OnnxFormatException>(WithInitializer(Float("t", [2, -3], 24)), "tensor 't'", "dimension 1 is -3");

    [Fact]
    public void DimsExceedingTheRawDataAreAFormatError()
    {
        Refusal.Load<OnnxFormatException>(WithInitializer(Float("t", [1000, 1000], 16)), "initializer: tensor 't' of type float and shape [1000, 1000] needs 4000000 bytes of data, it has 16");
        Refusal.Load<OnnxFormatException>(WithInitializer(Float("t", [2], 12)), "shape [2] needs 8 bytes of data, it has 12");
        var b = new TensorProto { Name = "m", DataType = (int)OnnxElementType.Bool, Dims = { 5 }, RawData = ByteString.CopyFrom(1, 0) };
        Refusal.Load<OnnxFormatException>(WithInitializer(b), "tensor 'm' of type bool and shape [5] needs 5 bytes of data, it has 2");
    }

    [Fact]
    public void DimsExceedingTheTypedDataAreAFormatError()
    {
        var f = new TensorProto { Name = "f", DataType = (int)OnnxElementType.Float, Dims = { 1 << 30 }, FloatData = { 1, 2, 3 } };
        Refusal.Load<OnnxFormatException>(WithInitializer(f), "tensor 'f' of type float and shape [1073741824] needs 1073741824 values, it has 3");
        var i = new TensorProto { Name = "i", DataType = (int)OnnxElementType.Int64, Dims = { 2, 2 }, Int64Data = { 1, 2, 3 } };
        Refusal.Load<OnnxFormatException>(WithInitializer(i), "tensor 'i' of type int64 and shape [2, 2] needs 4 values, it has 3");
        var s = new TensorProto { Name = "s", DataType = (int)OnnxElementType.String, Dims = { int.MaxValue / 2 }, StringData = { ByteString.CopyFromUtf8("x") } };
        Refusal.Load<OnnxFormatException>(WithInitializer(s), "tensor 's' of type string", "needs 1073741823 values, it has 1");
    }

    [Fact]
    public void StringTensorWithRawDataIsAFormatError()
    {
        var s = new TensorProto { Name = "s", DataType = (int)OnnxElementType.String, Dims = { 1 }, RawData = ByteString.CopyFromUtf8("x") };
        Refusal.Load<OnnxFormatException>(WithInitializer(s), "tensor 's' is a string tensor with raw_data");
    }

    [Theory]
    [InlineData(14)]
    [InlineData(15)]
    [InlineData(17)]
    [InlineData(23)]
    public void ComplexOrNewerDataTypeIsUnsupported(int type)
    {
        var t = new TensorProto { Name = "t", DataType = type, Dims = { 1 }, RawData = ByteString.CopyFrom(new byte[8]) };
        Refusal.Load<OnnxUnsupportedException>(WithInitializer(t), "tensor 't' has unsupported data type");
    }

    [Theory]
    [InlineData(0, "undefined")]
    [InlineData(-1, "not an ONNX data type")]
    [InlineData(99, "not an ONNX data type")]
    public void UndefinedOrUnknownDataTypeIsAFormatError(int type, string why)
    {
        var t = new TensorProto { Name = "t", DataType = type, Dims = { 1 }, RawData = ByteString.CopyFrom(new byte[8]) };
        Refusal.Load<OnnxFormatException>(WithInitializer(t), $"tensor 't' has data type {type}, which is {why}");
    }

    [Fact]
    public void SegmentedTensorIsUnsupported()
    {
        var t = Float("t", [1], 4);
        t.Segment = new TensorProto.Types.Segment { Begin = 0, End = 1 };
        Refusal.Load<OnnxUnsupportedException>(WithInitializer(t), "tensor 't' is segmented");
    }

    [Fact]
    public void TensorFileErrorsNameTheFile()
    {
        var good = TensorProtoConverterRoundTrip();
        for (int length = 0; length < good.Length; length++)
        {
            byte[] cut = good[..length];
            // A cut at a field boundary is a valid, smaller TensorProto whose data no longer matches its dims.
            var e = Refusal.Throws<OnnxFormatException>(() => TensorProtoFile.Read(cut, "input_0.pb"));
            Assert.Contains("input_0.pb", e.Message);
        }
        var dims = new TensorProto { DataType = (int)OnnxElementType.Float, Dims = { 1L << 33 }, RawData = ByteString.CopyFrom(new byte[4]) };
        var d = Refusal.Throws<OnnxFormatException>(() => TensorProtoFile.Read(dims.ToByteArray(), "input_1.pb"));
        Assert.Contains("input_1.pb", d.Message);
        Assert.Contains("dimension 0 is 8589934592", d.Message);
        var external = Float("t", [1], 4);
        external.DataLocation = TensorProto.Types.DataLocation.External;
        external.ExternalData.Add(new StringStringEntryProto { Key = "location", Value = "t.bin" });
        var x = Refusal.Throws<OnnxFormatException>(() => TensorProtoFile.Read(external.ToByteArray(), "input_2.pb"));
        Assert.Contains("input_2.pb", x.Message);
        Assert.Contains("external data", x.Message);
    }

    private static byte[] TensorProtoConverterRoundTrip()
    {
        var proto = new TensorProto { Name = "in", DataType = (int)OnnxElementType.Float, Dims = { 2, 3 }, RawData = ByteString.CopyFrom(new byte[24]) };
        return proto.ToByteArray();
    }
}
