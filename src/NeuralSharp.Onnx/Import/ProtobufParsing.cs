using Google.Protobuf;

namespace NeuralSharp.Onnx.Import;

/// <summary>Parses untrusted protobuf bytes, turning every parser failure into <see cref="OnnxFormatException"/>.</summary>
internal static class ProtobufParsing
{
    /// <summary>
    /// Parses <paramref name="bytes"/> as a <typeparamref name="T"/>. Google.Protobuf reports malformed input with
    /// <see cref="InvalidProtocolBufferException"/> (truncated data, bad wire types, nesting beyond its recursion limit of
    /// 100), but a length prefix near 2^31 overflows its limit arithmetic (3.25.1): it then reads past the buffer and throws
    /// <see cref="IndexOutOfRangeException"/> or <see cref="ArgumentOutOfRangeException"/> (reads stay bounds-checked and
    /// allocations stay bounded by the buffer). Every parser failure is reported the same way.
    /// </summary>
    /// <exception cref="OnnxFormatException">The bytes are not a valid <paramref name="what"/> (names <paramref name="source"/>).</exception>
    public static T Parse<T>(MessageParser<T> parser, byte[] bytes, string source, string what) where T : IMessage<T>
    {
        try
        {
            return parser.ParseFrom(bytes);
        }
        catch (InvalidProtocolBufferException e)
        {
            throw new OnnxFormatException($"{source}: not a valid {what} ({bytes.Length} bytes): {e.Message}", e);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            throw new OnnxFormatException($"{source}: not a valid {what} ({bytes.Length} bytes): a length or offset lies outside the data", e);
        }
    }
}
