using NeuralSharp.Onnx.Import;
using NeuralSharp.Onnx.Protos;

namespace NeuralSharp.Onnx.Ops;

/// <summary>
/// What an <see cref="OpFactory"/> sees of a node at load time: its attributes, the opset version of its domain,
/// and the type, inferred shape and (for constants) value of each input.
/// </summary>
internal sealed class OpContext
{
    private readonly NodeProto _node;
    private readonly ValueInfo?[] _inputs;
    private readonly string? _baseDirectory;

    public OpContext(NodeProto node, int opset, ValueInfo?[] inputs, string? baseDirectory)
    {
        _node = node;
        Opset = opset;
        _inputs = inputs;
        _baseDirectory = baseDirectory;
    }

    /// <summary>The operator's name (<c>op_type</c>).</summary>
    public string OpType => _node.OpType;

    /// <summary>The opset version of the node's domain that the model imports.</summary>
    public int Opset { get; }

    /// <summary>The number of inputs the node lists (including omitted optional ones written as "").</summary>
    public int InputCount => _inputs.Length;

    /// <summary>The number of outputs the node lists.</summary>
    public int OutputCount => _node.Output.Count;

    /// <summary>True when input <paramref name="i"/> is given (listed and not the empty name).</summary>
    public bool HasInput(int i) => i < _inputs.Length && _inputs[i] != null;

    /// <summary>True when output <paramref name="i"/> is listed and not the empty name (optional outputs).</summary>
    public bool HasOutput(int i) => i < _node.Output.Count && _node.Output[i].Length > 0;

    /// <summary>Input <paramref name="i"/>'s info; throws when the input is missing.</summary>
    public ValueInfo Input(int i) =>
        HasInput(i) ? _inputs[i]! : throw Fail($"input {i} is required");

    /// <summary>Input <paramref name="i"/>'s constant value, or null when it is computed at run time or absent.</summary>
    public OnnxTensor? Constant(int i) => HasInput(i) ? _inputs[i]!.Constant : null;

    /// <summary>A node description for messages: <c>Gemm node 'fc1' (opset 13)</c>.</summary>
    public string Where => $"{_node.OpType} node '{(_node.Name.Length > 0 ? _node.Name : string.Join(",", _node.Output))}' (opset {Opset})";

    /// <summary>An error for a malformed node, naming it.</summary>
    public OnnxFormatException Fail(string message) => new($"{Where}: {message}");

    /// <summary>An error for a node using something we do not support, naming it.</summary>
    public OnnxUnsupportedException Unsupported(string message) => new($"{Where}: {message}");

    /// <summary>Checks the number of inputs and outputs the node lists.</summary>
    public void RequireArity(int minInputs, int maxInputs, int minOutputs = 1, int maxOutputs = 1)
    {
        if (_inputs.Length < minInputs || _inputs.Length > maxInputs)
            throw Fail($"has {_inputs.Length} inputs, expected {(minInputs == maxInputs ? $"{minInputs}" : $"{minInputs} to {maxInputs}")}");
        if (_node.Output.Count < minOutputs || _node.Output.Count > maxOutputs)
            throw Fail($"has {_node.Output.Count} outputs, expected {(minOutputs == maxOutputs ? $"{minOutputs}" : $"{minOutputs} to {maxOutputs}")}");
    }

    /// <summary>Checks that input <paramref name="i"/> has one of <paramref name="allowed"/> types, else throws "unsupported data type".</summary>
    public OnnxElementType RequireType(int i, params OnnxElementType[] allowed)
    {
        var type = Input(i).Type;
        if (Array.IndexOf(allowed, type) < 0)
            throw Unsupported($"unsupported data type {OnnxElementTypes.Name(type)} for input {i} (supported: {string.Join(", ", allowed.Select(OnnxElementTypes.Name))})");
        return type;
    }

    /// <summary>Checks that inputs <paramref name="i"/> and <paramref name="j"/> have the same element type.</summary>
    public void RequireSameType(int i, int j)
    {
        if (Input(i).Type != Input(j).Type)
            throw Fail($"inputs {i} and {j} have different types ({OnnxElementTypes.Name(Input(i).Type)}, {OnnxElementTypes.Name(Input(j).Type)})");
    }

    private AttributeProto? Attribute(string name) => _node.Attribute.FirstOrDefault(a => a.Name == name);

    /// <summary>True when the node sets attribute <paramref name="name"/>.</summary>
    public bool HasAttribute(string name) => Attribute(name) != null;

    /// <summary>An integer attribute, or <paramref name="fallback"/> when absent.</summary>
    public long Int(string name, long fallback)
    {
        var a = Attribute(name);
        if (a == null) return fallback;
        Expect(a, AttributeProto.Types.AttributeType.Int);
        return a.I;
    }

    /// <summary>A float attribute, or <paramref name="fallback"/> when absent.</summary>
    public float Float(string name, float fallback)
    {
        var a = Attribute(name);
        if (a == null) return fallback;
        Expect(a, AttributeProto.Types.AttributeType.Float);
        return a.F;
    }

    /// <summary>A string attribute, or <paramref name="fallback"/> when absent.</summary>
    public string String(string name, string fallback)
    {
        var a = Attribute(name);
        if (a == null) return fallback;
        Expect(a, AttributeProto.Types.AttributeType.String);
        return a.S.ToStringUtf8();
    }

    /// <summary>An integer-list attribute, or null when absent.</summary>
    public long[]? Ints(string name)
    {
        var a = Attribute(name);
        if (a == null) return null;
        Expect(a, AttributeProto.Types.AttributeType.Ints);
        return a.Ints.ToArray();
    }

    /// <summary>A float-list attribute, or null when absent.</summary>
    public float[]? Floats(string name)
    {
        var a = Attribute(name);
        if (a == null) return null;
        Expect(a, AttributeProto.Types.AttributeType.Floats);
        return a.Floats.ToArray();
    }

    /// <summary>A string-list attribute, or null when absent.</summary>
    public string[]? Strings(string name)
    {
        var a = Attribute(name);
        if (a == null) return null;
        Expect(a, AttributeProto.Types.AttributeType.Strings);
        return a.Strings.Select(s => s.ToStringUtf8()).ToArray();
    }

    /// <summary>A tensor attribute, or null when absent.</summary>
    public OnnxTensor? TensorAttribute(string name)
    {
        var a = Attribute(name);
        if (a == null) return null;
        Expect(a, AttributeProto.Types.AttributeType.Tensor);
        if (a.T == null) throw Fail($"attribute '{a.Name}' has no tensor");
        return TensorProtoConverter.ToTensor(a.T, Where, _baseDirectory);
    }

    /// <summary>The names of the attributes the node sets.</summary>
    public IEnumerable<string> AttributeNames => _node.Attribute.Select(a => a.Name);

    /// <summary>Refuses attributes other than <paramref name="known"/> (an attribute we ignored could change the answer).</summary>
    public void RequireKnownAttributes(params string[] known)
    {
        foreach (var name in AttributeNames)
            if (Array.IndexOf(known, name) < 0)
                throw Unsupported($"unsupported attribute '{name}'");
    }

    private void Expect(AttributeProto a, AttributeProto.Types.AttributeType type)
    {
        // Models from before IR version 3 leave the type unset; the field that is present tells.
        if (a.Type != type && a.Type != AttributeProto.Types.AttributeType.Undefined)
            throw Fail($"attribute '{a.Name}' is {a.Type}, expected {type}");
    }

    /// <summary>Normalises an axis in [-rank, rank) to [0, rank), or throws naming the node.</summary>
    public int Axis(long axis, int rank, string what = "axis")
    {
        if (axis < -rank || axis >= rank)
            throw Fail($"{what} {axis} is out of range for rank {rank}");
        return (int)(axis < 0 ? axis + rank : axis);
    }
}
