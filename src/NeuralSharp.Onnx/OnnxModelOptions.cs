namespace NeuralSharp.Onnx;

/// <summary>Limits that <see cref="OnnxModel.Load(byte[], string, string?, OnnxModelOptions?)"/> enforces on what a model may make it compute.</summary>
/// <remarks>
/// A file's own data is bounded by its size, but a tiny file can describe a huge computed value: a constant of
/// dims [2147483647, 0] (no data) multiplied by another constant, or a ConstantOfShape/Expand to a constant shape.
/// The loader folds constant subgraphs and infers static shapes, so it checks every value whose shape it knows
/// against <see cref="MaxTensorElements"/> before computing it.
/// </remarks>
public sealed record OnnxModelOptions
{
    /// <summary>The options <see cref="OnnxModel.Load(string, OnnxModelOptions?)"/> uses when given none.</summary>
    public static OnnxModelOptions Default { get; } = new();

    /// <summary>
    /// The most elements a value computed by the graph may have when its shape is known at load time (constant
    /// folding, static shapes); a model that needs more is refused with <see cref="OnnxFormatException"/> naming the
    /// node, the shape and this limit. Default 2^28 (1 GiB of float32). Values whose shape depends on a symbolic
    /// input dimension are only limited by <see cref="Array.MaxLength"/> at run time.
    /// </summary>
    public long MaxTensorElements { get; init; } = 1L << 28;
}
