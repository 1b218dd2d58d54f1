using NeuralSharp.Data;

namespace NeuralSharp.Onnx.Export;

/// <summary>Settings of <see cref="OnnxExporter"/>: opset, value names, the per-sample input shape and input preprocessing to fold in.</summary>
public sealed class OnnxExportOptions
{
    /// <summary>The lowest opset the exporter writes.</summary>
    public const int MinOpset = 13;

    /// <summary>The highest (and default) opset the exporter writes.</summary>
    public const int MaxOpset = 17;

    /// <summary>The ai.onnx opset version to write, <see cref="MinOpset"/>..<see cref="MaxOpset"/> (default 17, the first with LayerNormalization).</summary>
    public int Opset { get; init; } = MaxOpset;

    /// <summary>The graph input's name (default "input").</summary>
    public string InputName { get; init; } = "input";

    /// <summary>The graph output's name (default "output").</summary>
    public string OutputName { get; init; } = "output";

    /// <summary>The symbolic name of the leading (batch) dimension of the input and output (default "batch").</summary>
    public string BatchDimensionName { get; init; } = "batch";

    /// <summary>
    /// The shape of one sample, without the batch dimension (e.g. [784]). Null: taken from the first layer that fixes it
    /// (a Linear's in_features, a norm's width); an error when no layer does (e.g. the model starts with Flatten).
    /// </summary>
    public int[]? InputShape { get; init; }

    /// <summary>
    /// A fitted <see cref="Standardizer"/> or <see cref="MinMaxScaler"/> to fold into the graph as Sub and Div nodes at the
    /// input, so the exported model takes raw features (as <c>neuralsharp predict</c> does). Null: the graph takes the
    /// features already preprocessed.
    /// </summary>
    public IPreprocessor? Preprocessor { get; init; }

    /// <summary>The graph's name (default "main_graph", as PyTorch names it).</summary>
    public string GraphName { get; init; } = "main_graph";

    /// <summary>Extra key/value pairs stored in the model's metadata_props (e.g. class names).</summary>
    public IReadOnlyDictionary<string, string>? Metadata { get; init; }
}
