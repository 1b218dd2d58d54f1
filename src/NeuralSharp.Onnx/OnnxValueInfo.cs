namespace NeuralSharp.Onnx;

/// <summary>A graph input or output as the model declares it.</summary>
/// <param name="Name">The value's name in the graph.</param>
/// <param name="ElementType">Its element type.</param>
/// <param name="Shape">Its dimensions, -1 where the size is symbolic or unknown; null when the rank is unknown.</param>
/// <param name="DimensionNames">The symbolic name of each dimension (e.g. "batch_size"), null where the size is fixed or unnamed.</param>
public sealed record OnnxValueInfo(string Name, OnnxElementType ElementType, int[]? Shape, string?[]? DimensionNames)
{
    /// <inheritdoc />
    public override string ToString()
    {
        if (Shape == null) return $"{Name}: {OnnxElementTypes.Name(ElementType)}[?]";
        var dims = Shape.Select((d, i) => d >= 0 ? d.ToString() : DimensionNames?[i] ?? "?");
        return $"{Name}: {OnnxElementTypes.Name(ElementType)}[{string.Join(", ", dims)}]";
    }
}
