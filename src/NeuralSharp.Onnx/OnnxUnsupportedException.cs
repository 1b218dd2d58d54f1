namespace NeuralSharp.Onnx;

/// <summary>
/// A well-formed ONNX model uses something NeuralSharp does not run: an operator
/// ("unsupported operator X (domain, opset N)"), an attribute value or a data type. Thrown at load time, never
/// after a partial run, so that an unsupported model is refused rather than answered wrongly.
/// </summary>
public class OnnxUnsupportedException : NotSupportedException
{
    /// <summary>Creates the exception with a message.</summary>
    public OnnxUnsupportedException(string message) : base(message) { }
}
