using System.Reflection;
using Module = NeuralSharp.Nn.Module;
using System.Text.Json.Nodes;
using Google.Protobuf;
using NeuralSharp.Nn;
using NeuralSharp.Onnx.Protos;
using NeuralSharp.Serialization;

namespace NeuralSharp.Onnx.Export;

/// <summary>
/// Writes a NeuralSharp model as an ONNX model (IR version 8, opset 13..17, producer "NeuralSharp") that PyTorch users
/// recognise: the graph input "input" [batch, ..features] and output "output" (or the names given), weights as
/// initializers named by the state-dict keys (<c>0.weight</c>, <c>0.bias</c>), nodes named <c>/0/Gemm</c> as
/// <c>torch.onnx.export</c> names them, and the same decompositions PyTorch uses at opset 17 (exact GELU as
/// Div/Erf/Add/Mul/Mul, SiLU as x·Sigmoid, ReLU6 as Clip).
/// The graph computes the model in evaluation mode (dropout is the identity, batch norm uses its running statistics),
/// whatever mode the module is in.
/// <para>Supported modules: Sequential, Linear, every <see cref="ActivationModule"/> (ReLU, LeakyReLU, Sigmoid, Tanh,
/// GELU exact and tanh, SiLU, Softplus, ReLU6, ELU, SELU, CELU, Mish, Hardsigmoid, Hardswish, Softsign, LogSigmoid),
/// PReLU, Softmax, LogSoftmax, Softmin, SoftmaxWithTemperature, GLU, Dropout, Flatten, LayerNorm, RMSNorm, BatchNorm1d
/// (with running statistics), FeedForward and GatedFeedForward. Anything else raises <see cref="NotSupportedException"/>
/// naming the module and its path.</para>
/// </summary>
/// <example>
/// <code>
/// OnnxExporter.Save(model, "mlp.onnx", new OnnxExportOptions { InputShape = [784] });
/// var reloaded = OnnxModel.Load("mlp.onnx");
/// </code>
/// </example>
public static class OnnxExporter
{
    /// <summary>The IR version written (ONNX 1.10+, the version opset 15..17 models use).</summary>
    public const int IrVersion = 8;

    /// <summary>The producer name written into the model.</summary>
    public const string ProducerName = "NeuralSharp";

    /// <summary>Serializes <paramref name="model"/> as ONNX bytes.</summary>
    /// <exception cref="NotSupportedException">A module has no ONNX export (the message names it and its path).</exception>
    /// <exception cref="ArgumentException">Bad options (opset outside 13..17, empty or equal names), an input shape that does not
    /// fit the first layer, an input shape that cannot be inferred, or an unfitted preprocessor.</exception>
    public static byte[] Export(Module model, OnnxExportOptions? options = null) => ToModelProto(model, options).ToByteArray();

    /// <summary>Writes <paramref name="model"/> to <paramref name="path"/> as ONNX, atomically (a failed export leaves no file).</summary>
    /// <exception cref="NotSupportedException">A module has no ONNX export.</exception>
    /// <exception cref="ArgumentException">Bad options or input shape (see <see cref="Export"/>).</exception>
    public static void Save(Module model, string path, OnnxExportOptions? options = null)
    {
        var bytes = Export(model, options);
        AtomicFile.WriteAllBytes(path, bytes);
    }

    /// <summary>
    /// Writes a saved model to <paramref name="path"/> as ONNX: its input shape, its preprocessing folded into the graph
    /// (so the ONNX model takes raw features), its class names in metadata_props ("class_names", a JSON array).
    /// Options given in <paramref name="options"/> other than InputShape, Preprocessor and Metadata are kept.
    /// </summary>
    /// <exception cref="NotSupportedException">A module or the preprocessor has no ONNX export.</exception>
    /// <exception cref="ArgumentException">Bad options (see <see cref="Export"/>).</exception>
    public static void Save(SavedModel model, string path, OnnxExportOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        options ??= new OnnxExportOptions();
        var metadata = new Dictionary<string, string>(options.Metadata ?? new Dictionary<string, string>());
        if (model.ClassNames != null) metadata["class_names"] = new JsonArray(model.ClassNames.Select(n => (JsonNode)n).ToArray()).ToJsonString();
        metadata["num_classes"] = model.ClassCount.ToString(System.Globalization.CultureInfo.InvariantCulture);
        if (model.Description != null) metadata["description"] = model.Description;
        var merged = new OnnxExportOptions
        {
            Opset = options.Opset, InputName = options.InputName, OutputName = options.OutputName, BatchDimensionName = options.BatchDimensionName,
            GraphName = options.GraphName, InputShape = model.InputShape, Preprocessor = model.Preprocessor, Metadata = metadata,
        };
        Save(model.Model, path, merged);
    }

    /// <summary>The library version without the source-revision suffix, so the same model exports to the same bytes from any build of a release.</summary>
    private static string ProducerVersionText()
    {
        string version = typeof(OnnxExporter).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "";
        int plus = version.IndexOf('+');
        return plus >= 0 ? version[..plus] : version;
    }

    /// <summary>Builds the ModelProto (internal: the protobuf types are not part of the public API).</summary>
    internal static ModelProto ToModelProto(Module model, OnnxExportOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        options ??= new OnnxExportOptions();
        if (options.Opset is < OnnxExportOptions.MinOpset or > OnnxExportOptions.MaxOpset)
            throw new ArgumentException($"OnnxExporter: opset {options.Opset} is not supported; the exporter writes opset {OnnxExportOptions.MinOpset} to {OnnxExportOptions.MaxOpset}.", nameof(options));
        if (string.IsNullOrEmpty(options.InputName) || string.IsNullOrEmpty(options.OutputName) || options.InputName == options.OutputName)
            throw new ArgumentException($"OnnxExporter: the input and output names must be non-empty and different, got '{options.InputName}' and '{options.OutputName}'.", nameof(options));
        if (string.IsNullOrEmpty(options.BatchDimensionName))
            throw new ArgumentException("OnnxExporter: the batch dimension name must be non-empty.", nameof(options));

        int[] sample = options.InputShape is { } given ? (int[])given.Clone() : ModuleExporter.InferInputShape(model)
            ?? throw new ArgumentException($"OnnxExporter: cannot tell the input shape of {model.GetType().Name} from its first layer; set OnnxExportOptions.InputShape (the shape of one sample, without the batch dimension).", nameof(options));
        if (sample.Any(d => d <= 0))
            throw new ArgumentException($"OnnxExporter: the input shape [{string.Join(", ", sample)}] must have positive dimensions.", nameof(options));

        var builder = new GraphBuilder(options.Opset);
        builder.Reserve(options.InputName);
        var input = new GraphValue(options.InputName, [GraphBuilder.Batch, .. sample]);
        var x = input;
        if (options.Preprocessor != null) x = PreprocessorExporter.Emit(builder, options.Preprocessor, x);
        var y = new ModuleExporter(builder).Emit(model, "", x);

        // The last value becomes the graph output: rename the node that computes it, or copy a pass-through with Identity.
        if (builder.IsNodeOutput(y.Name)) builder.Rename(y.Name, options.OutputName);
        else
        {
            builder.Reserve(options.OutputName);
            builder.Nodes.Add(new NodeProto { OpType = "Identity", Name = "/Identity", Input = { y.Name }, Output = { options.OutputName } });
        }

        var graph = new GraphProto { Name = options.GraphName };
        graph.Node.Add(builder.Nodes);
        graph.Initializer.Add(builder.Initializers);
        graph.Input.Add(GraphBuilder.ValueInfo(options.InputName, input.Shape, options.BatchDimensionName));
        graph.Output.Add(GraphBuilder.ValueInfo(options.OutputName, y.Shape, options.BatchDimensionName));
        var proto = new ModelProto
        {
            IrVersion = IrVersion,
            ProducerName = ProducerName,
            ProducerVersion = ProducerVersionText(),
            Graph = graph,
        };
        proto.OpsetImport.Add(new OperatorSetIdProto { Domain = "", Version = options.Opset });
        foreach (var (key, value) in options.Metadata ?? new Dictionary<string, string>())
            proto.MetadataProps.Add(new StringStringEntryProto { Key = key, Value = value });
        return proto;
    }
}
