namespace NeuralSharp.Onnx;

/// <summary>
/// An ONNX file or tensor file is malformed or inconsistent: bad protobuf, truncated data, offsets outside the
/// file, dimensions that do not match the data, cyclic graphs, undefined inputs. The message names the file or
/// the node and what was expected.
/// </summary>
public class OnnxFormatException : IOException
{
    /// <summary>Creates the exception with a message.</summary>
    public OnnxFormatException(string message) : base(message) { }

    /// <summary>Creates the exception with a message and the error that caused it.</summary>
    public OnnxFormatException(string message, Exception inner) : base(message, inner) { }
}
