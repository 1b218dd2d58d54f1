namespace NeuralSharp.Onnx.Import;

/// <summary>
/// What the compiler knows about a value before running: element type, shape (null = unknown rank; a
/// dimension of -1 = unknown size, e.g. a symbolic batch dimension) and, for initializers and folded
/// constants, the value itself.
/// </summary>
internal sealed record ValueInfo(OnnxElementType Type, int[]? Shape, OnnxTensor? Constant = null)
{
    /// <summary>The rank, or -1 when unknown.</summary>
    public int Rank => Shape?.Length ?? -1;

    /// <summary>A value known only by type.</summary>
    public static ValueInfo Unknown(OnnxElementType type) => new(type, null);

    /// <summary>The info of a constant tensor.</summary>
    public static ValueInfo Of(OnnxTensor constant) => new(constant.ElementType, constant.ShapeArray, constant);

    /// <summary>The shape as text, "?" for unknown dimensions.</summary>
    public string ShapeText => Shape == null ? "[?]" : $"[{string.Join(", ", Shape.Select(d => d < 0 ? "?" : d.ToString()))}]";
}
