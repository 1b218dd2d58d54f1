using Google.Protobuf;
using NeuralSharp.Onnx.Import;
using NeuralSharp.Onnx.Protos;
using NeuralSharp.Serialization;

namespace NeuralSharp.Onnx;

/// <summary>Reads and writes single tensors as serialized ONNX <c>TensorProto</c> messages (the <c>.pb</c> files of ONNX's test data).</summary>
public static class TensorProtoFile
{
    /// <summary>Reads a <c>.pb</c> file holding one TensorProto.</summary>
    /// <exception cref="OnnxFormatException">The file is not a valid TensorProto or its data does not match its dims (names the file).</exception>
    /// <exception cref="OnnxUnsupportedException">The tensor's data type has no runtime representation.</exception>
    public static OnnxTensor Read(string path) => Read(File.ReadAllBytes(path), path);

    /// <summary>Reads a serialized TensorProto from bytes; <paramref name="sourceName"/> names it in errors.</summary>
    /// <exception cref="OnnxFormatException">The bytes are not a valid TensorProto or its data does not match its dims.</exception>
    public static OnnxTensor Read(byte[] bytes, string sourceName)
    {
        ArgumentNullException.ThrowIfNull(bytes);
        var proto = ProtobufParsing.Parse(TensorProto.Parser, bytes, sourceName, "ONNX TensorProto");
        return TensorProtoConverter.ToTensor(proto, sourceName, baseDirectory: null);
    }

    /// <summary>Writes <paramref name="tensor"/> as a TensorProto named <paramref name="name"/>, atomically.</summary>
    public static void Write(string path, OnnxTensor tensor, string name = "")
    {
        var bytes = TensorProtoConverter.ToProto(tensor, name).ToByteArray();
        AtomicFile.WriteAllBytes(path, bytes);
    }
}
