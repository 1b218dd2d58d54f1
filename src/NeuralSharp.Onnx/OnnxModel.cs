using Google.Protobuf;
using NeuralSharp.Onnx.Import;
using NeuralSharp.Onnx.Protos;

namespace NeuralSharp.Onnx;

/// <summary>
/// An ONNX model loaded for inference: the graph compiled to an execution plan on NeuralSharp's kernels
/// (linear layers fused with their activations). Everything is checked at load — structure, operators, data types,
/// shapes — so an unsupported or malformed model fails there, with a message that names the node. <see cref="Run(OnnxTensor[])"/>
/// is thread-safe: concurrent calls share only immutable state.
/// </summary>
/// <remarks>
/// <para>Exception contract, for any file content (checked by seeded mutation tests over thousands of corrupted models):</para>
/// <list type="bullet">
/// <item><c>Load</c> throws <see cref="OnnxFormatException"/> for a malformed or inconsistent model (bad or truncated protobuf,
/// nesting beyond protobuf's limit of 100, dims that are negative, overflow or do not match the data present, external data
/// outside its file, missing, or outside the model's folder, a cycle, a value read but undefined or defined twice, an
/// output never computed, a computed value above <see cref="OnnxModelOptions.MaxTensorElements"/>), and
/// <see cref="OnnxUnsupportedException"/> for a well-formed model using an operator, opset, attribute or data type
/// NeuralSharp does not run — each naming the file and the node or tensor. File-system errors reading the .onnx file
/// itself surface as the usual <see cref="IOException"/>s.</item>
/// <item><c>Run</c> throws <see cref="ArgumentException"/> (<see cref="ArgumentNullException"/> for null) when the inputs do not
/// match the declared ones, or when a shape only known at run time does not fit a node (naming the node).</item>
/// <item>Nothing else: a malformed file never surfaces as IndexOutOfRange, NullReference, InvalidCast, Overflow or
/// OutOfMemory. Loading allocates at most a small multiple of the file's size (plus external data), and each value the
/// loader computes while folding constants is bounded by <see cref="OnnxModelOptions.MaxTensorElements"/>. At run time a
/// node whose output shape depends on the run's inputs or on runtime values may allocate what that shape needs.</item>
/// </list>
/// </remarks>
/// <example>
/// <code>
/// var model = OnnxModel.Load("mlp.onnx");
/// OnnxTensor logits = model.Run(OnnxTensor.FromArray(pixels, 1, 784))[0];
/// </code>
/// </example>
public sealed class OnnxModel
{
    private readonly ExecutionPlan _plan;

    private OnnxModel(ModelProto proto, GraphCompiler compiler, ExecutionPlan plan)
    {
        _plan = plan;
        Inputs = compiler.Inputs;
        Outputs = compiler.Outputs;
        OperatorCounts = compiler.OperatorCounts;
        ParameterCount = compiler.ParameterCount;
        Opset = compiler.Opset;
        IrVersion = proto.IrVersion;
        ProducerName = proto.ProducerName;
        ProducerVersion = proto.ProducerVersion;
        GraphName = proto.Graph.Name;
    }

    /// <summary>The graph's inputs in order (initializers excluded).</summary>
    public IReadOnlyList<OnnxValueInfo> Inputs { get; }

    /// <summary>The graph's outputs in order.</summary>
    public IReadOnlyList<OnnxValueInfo> Outputs { get; }

    /// <summary>How many nodes of each operator the graph has, as stored (before fusion).</summary>
    public IReadOnlyDictionary<string, int> OperatorCounts { get; }

    /// <summary>Elements in the initializers (the weights).</summary>
    public long ParameterCount { get; }

    /// <summary>The opset version of the ai.onnx domain the model imports.</summary>
    public int Opset { get; }

    /// <summary>The ONNX IR version of the file.</summary>
    public long IrVersion { get; }

    /// <summary>The tool that wrote the model (e.g. "pytorch").</summary>
    public string ProducerName { get; }

    /// <summary>The version of that tool.</summary>
    public string ProducerVersion { get; }

    /// <summary>The graph's name.</summary>
    public string GraphName { get; }

    /// <summary>The number of steps the compiled plan runs (after fusion and constant folding).</summary>
    public int StepCount => _plan.Steps.Count;

    /// <summary>Loads an .onnx file; external data files are looked up next to it (relative paths inside its folder only).</summary>
    /// <param name="path">The .onnx file.</param>
    /// <param name="options">Load-time limits (null: <see cref="OnnxModelOptions.Default"/>).</param>
    /// <exception cref="OnnxFormatException">The file is not a valid ONNX model: malformed or truncated protobuf, dims that
    /// do not match the data present, external data outside its file or missing, a cyclic graph, a value read but never
    /// defined or defined twice, a graph output never computed, or a value larger than
    /// <see cref="OnnxModelOptions.MaxTensorElements"/>. The message names the file and the node or tensor.</exception>
    /// <exception cref="OnnxUnsupportedException">The model is well-formed but uses an operator
    /// ("unsupported operator X (ai.onnx, opset N)"), attribute, opset or data type NeuralSharp does not run.</exception>
    /// <exception cref="FileNotFoundException">The file does not exist (other <see cref="IOException"/>s and
    /// <see cref="UnauthorizedAccessException"/> when it cannot be read).</exception>
    /// <remarks>No other exception escapes for any content of the file: malformed input never surfaces as
    /// IndexOutOfRange, NullReference, Overflow or OutOfMemory. Memory is bounded by the file's size (plus its external
    /// data) and <see cref="OnnxModelOptions.MaxTensorElements"/> per folded constant.</remarks>
    public static OnnxModel Load(string path, OnnxModelOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(path);
        byte[] bytes = File.ReadAllBytes(path);
        return Load(bytes, path, Path.GetDirectoryName(Path.GetFullPath(path)), options);
    }

    /// <summary>Loads a model from bytes; <paramref name="baseDirectory"/> resolves external data (null: external data is refused).</summary>
    /// <param name="bytes">A serialized ModelProto.</param>
    /// <param name="sourceName">The name errors give for the model (e.g. its file name).</param>
    /// <param name="baseDirectory">The folder holding external data files, or null.</param>
    /// <param name="options">Load-time limits (null: <see cref="OnnxModelOptions.Default"/>).</param>
    /// <exception cref="OnnxFormatException">The bytes are not a valid ONNX model (as for <see cref="Load(string, OnnxModelOptions?)"/>),
    /// or external data cannot be read.</exception>
    /// <exception cref="OnnxUnsupportedException">The model uses something NeuralSharp does not run.</exception>
    /// <exception cref="ArgumentNullException"><paramref name="bytes"/> is null.</exception>
    public static OnnxModel Load(byte[] bytes, string sourceName = "<bytes>", string? baseDirectory = null, OnnxModelOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(bytes);
        sourceName ??= "<bytes>";
        var proto = ProtobufParsing.Parse(ModelProto.Parser, bytes, sourceName, "ONNX model");
        if (proto.Graph == null)
            throw new OnnxFormatException($"{sourceName}: not an ONNX model (no graph in {bytes.Length} bytes)");
        try
        {
            var compiler = new GraphCompiler(proto, sourceName, baseDirectory, options ?? OnnxModelOptions.Default);
            var plan = compiler.Compile();
            return new OnnxModel(proto, compiler, plan);
        }
        catch (ArgumentException e)
        {
            // A shape or value problem found while inferring shapes or folding constants: the file is inconsistent.
            throw new OnnxFormatException($"{sourceName}: {e.Message}", e);
        }
    }

    /// <summary>Runs the model on one tensor per graph input, in <see cref="Inputs"/> order; returns the outputs in <see cref="Outputs"/> order.</summary>
    /// <exception cref="ArgumentException">Wrong number of inputs, or an input whose type or shape does not match the declaration
    /// (names the input and both shapes); or a shape error inside the graph (names the node).</exception>
    /// <exception cref="ArgumentNullException"><paramref name="inputs"/> or one of its tensors is null.</exception>
    public OnnxTensor[] Run(params OnnxTensor[] inputs)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        if (inputs.Length != Inputs.Count)
            throw new ArgumentException($"OnnxModel.Run: the model has {Inputs.Count} inputs ({string.Join(", ", Inputs.Select(i => i.Name))}), {inputs.Length} were given");
        for (int i = 0; i < inputs.Length; i++) Check(Inputs[i], inputs[i]);
        return _plan.Run(inputs);
    }

    /// <summary>Runs the model on named inputs and returns the outputs by name.</summary>
    /// <exception cref="ArgumentException">An input is missing or unknown, or does not match its declaration.</exception>
    /// <exception cref="ArgumentNullException"><paramref name="inputs"/> or one of its tensors is null.</exception>
    /// <remarks>A graph that lists one output twice gives it once.</remarks>
    public IReadOnlyDictionary<string, OnnxTensor> Run(IReadOnlyDictionary<string, OnnxTensor> inputs)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        foreach (var name in inputs.Keys)
            if (!Inputs.Any(i => i.Name == name))
                throw new ArgumentException($"OnnxModel.Run: the model has no input '{name}' (inputs: {string.Join(", ", Inputs.Select(i => i.Name))})");
        var ordered = Inputs.Select(i => inputs.TryGetValue(i.Name, out var t) ? t
            : throw new ArgumentException($"OnnxModel.Run: input '{i.Name}' is missing")).ToArray();
        var outputs = Run(ordered);
        var result = new Dictionary<string, OnnxTensor>(StringComparer.Ordinal);
        for (int k = 0; k < outputs.Length; k++) result.TryAdd(Outputs[k].Name, outputs[k]);
        return result;
    }

    /// <summary>Runs a model with one float input and one float output on a <see cref="Tensor"/>.</summary>
    /// <exception cref="InvalidOperationException">The model does not have exactly one input and one output, or its output is not float.</exception>
    /// <exception cref="ArgumentException">The input does not match the model's (float) input.</exception>
    public Tensor Forward(Tensor input)
    {
        ArgumentNullException.ThrowIfNull(input);
        if (Inputs.Count != 1 || Outputs.Count != 1)
            throw new InvalidOperationException($"OnnxModel.Forward: the model has {Inputs.Count} inputs and {Outputs.Count} outputs; use Run");
        if (Outputs[0].ElementType != OnnxElementType.Float)
            throw new InvalidOperationException($"OnnxModel.Forward: the model's output {Outputs[0]} is not float; use Run");
        return Run(OnnxTensor.FromTensor(input))[0].ToTensor();
    }

    private static void Check(OnnxValueInfo declared, OnnxTensor? given)
    {
        if (given == null) throw new ArgumentNullException(declared.Name, $"OnnxModel.Run: input '{declared.Name}' is null");
        if (given.ElementType != declared.ElementType)
            throw new ArgumentException($"OnnxModel.Run: input '{declared.Name}' must be {OnnxElementTypes.Name(declared.ElementType)}, got {OnnxElementTypes.Name(given.ElementType)}");
        if (declared.Shape == null) return;
        bool ok = declared.Shape.Length == given.Rank;
        for (int d = 0; ok && d < declared.Shape.Length; d++)
            ok = declared.Shape[d] < 0 || declared.Shape[d] == given.Shape[d];
        if (!ok)
            throw new ArgumentException($"OnnxModel.Run: input '{declared.Name}' has shape [{string.Join(", ", given.ShapeArray)}], the model expects {declared}");
    }
}
