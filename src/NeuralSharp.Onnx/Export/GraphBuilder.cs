using Google.Protobuf;
using NeuralSharp.Onnx.Import;
using NeuralSharp.Onnx.Protos;

namespace NeuralSharp.Onnx.Export;

/// <summary>
/// A value flowing through the graph being built: its name and shape, where <see cref="GraphBuilder.Batch"/> marks the
/// dynamic batch dimension and <see cref="GraphBuilder.Unknown"/> a size only known at run time.
/// </summary>
internal readonly record struct GraphValue(string Name, int[] Shape)
{
    public int Rank => Shape.Length;

    public GraphValue With(string name) => new(name, Shape);
}

/// <summary>
/// Accumulates nodes and initializers of an ONNX graph. Nodes are named as PyTorch names them (<c>/0/Gemm</c>,
/// <c>/1/w1/Gemm</c>: the module path, then the operator) and their outputs <c>/0/Gemm_output_0</c>; names are made
/// unique with a <c>_1</c>, <c>_2</c> suffix.
/// </summary>
internal sealed class GraphBuilder
{
    /// <summary>Shape entry of the dynamic batch dimension.</summary>
    public const int Batch = -1;

    /// <summary>Shape entry of a dimension whose size is only known at run time (not the batch).</summary>
    public const int Unknown = -2;

    private readonly HashSet<string> _names = new(StringComparer.Ordinal);

    public GraphBuilder(int opset) => Opset = opset;

    /// <summary>The opset version the graph is written for.</summary>
    public int Opset { get; }

    public List<NodeProto> Nodes { get; } = new();

    public List<TensorProto> Initializers { get; } = new();

    /// <summary>Reserves a value name (graph inputs); throws when it is taken.</summary>
    public void Reserve(string name)
    {
        if (!_names.Add(name)) throw new ArgumentException($"OnnxExporter: the name '{name}' is used twice in the graph.");
    }

    /// <summary>Adds a node with one output; <paramref name="scope"/> is the module path ("1.w1", "" at the root).</summary>
    public string Node(string op, string scope, IEnumerable<string> inputs, params AttributeProto[] attributes) =>
        NodeN(op, scope, inputs, 1, attributes)[0];

    /// <summary>Adds a node with <paramref name="outputs"/> outputs and returns their names.</summary>
    public string[] NodeN(string op, string scope, IEnumerable<string> inputs, int outputs, params AttributeProto[] attributes)
    {
        string baseName = "/" + (scope.Length == 0 ? "" : scope.Replace('.', '/') + "/") + op;
        string name = baseName;
        for (int i = 1; _names.Contains(name + "_output_0"); i++) name = $"{baseName}_{i}";
        var node = new NodeProto { OpType = op, Name = name };
        node.Input.Add(inputs);
        var names = new string[outputs];
        for (int o = 0; o < outputs; o++)
        {
            names[o] = $"{name}_output_{o}";
            _names.Add(names[o]);
        }
        node.Output.Add(names);
        node.Attribute.Add(attributes);
        Nodes.Add(node);
        return names;
    }

    /// <summary>Adds an initializer named exactly <paramref name="name"/> (a state-dict key) holding a copy of <paramref name="tensor"/>.</summary>
    public string Initializer(string name, Tensor tensor) =>
        Initializer(name, OnnxTensor.FromArray(tensor.ToArray(), tensor.ShapeArray));

    /// <summary>Adds an initializer named exactly <paramref name="name"/>.</summary>
    public string Initializer(string name, OnnxTensor tensor)
    {
        Reserve(name);
        Initializers.Add(TensorProtoConverter.ToProto(tensor, name));
        return name;
    }

    /// <summary>A constant initializer named after the scope and <paramref name="what"/> (<c>/1/sqrt2</c>), made unique.</summary>
    public string Constant(string scope, string what, OnnxTensor tensor)
    {
        string baseName = "/" + (scope.Length == 0 ? "" : scope.Replace('.', '/') + "/") + what;
        string name = baseName;
        for (int i = 1; _names.Contains(name); i++) name = $"{baseName}_{i}";
        return Initializer(name, tensor);
    }

    /// <summary>A float scalar constant (rank 0).</summary>
    public string Scalar(string scope, string what, float value) => Constant(scope, what, OnnxTensor.FromArray(new[] { value }));

    /// <summary>An int64 vector constant (axes, shapes).</summary>
    public string Int64s(string scope, string what, params long[] values) => Constant(scope, what, OnnxTensor.FromArray(values, values.Length));

    /// <summary>Renames value <paramref name="from"/> to <paramref name="to"/> wherever a node writes or reads it.</summary>
    public void Rename(string from, string to)
    {
        Reserve(to);
        foreach (var node in Nodes)
        {
            for (int i = 0; i < node.Output.Count; i++) if (node.Output[i] == from) node.Output[i] = to;
            for (int i = 0; i < node.Input.Count; i++) if (node.Input[i] == from) node.Input[i] = to;
        }
    }

    /// <summary>True when a node computes <paramref name="name"/>.</summary>
    public bool IsNodeOutput(string name) => Nodes.Any(n => n.Output.Contains(name));

    public static AttributeProto Attr(string name, long value) => new() { Name = name, Type = AttributeProto.Types.AttributeType.Int, I = value };

    public static AttributeProto Attr(string name, float value) => new() { Name = name, Type = AttributeProto.Types.AttributeType.Float, F = value };

    public static AttributeProto Attr(string name, string value) =>
        new() { Name = name, Type = AttributeProto.Types.AttributeType.String, S = ByteString.CopyFromUtf8(value) };

    public static AttributeProto Attr(string name, long[] values)
    {
        var a = new AttributeProto { Name = name, Type = AttributeProto.Types.AttributeType.Ints };
        a.Ints.Add(values);
        return a;
    }

    /// <summary>A graph input/output declaration: float, with "batch" (or the given name) for <see cref="Batch"/> dims.</summary>
    public static ValueInfoProto ValueInfo(string name, int[] shape, string batchName)
    {
        var tensorType = new TypeProto.Types.Tensor { ElemType = (int)OnnxElementType.Float, Shape = new TensorShapeProto() };
        foreach (int d in shape)
            tensorType.Shape.Dim.Add(d switch
            {
                Batch => new TensorShapeProto.Types.Dimension { DimParam = batchName },
                Unknown => new TensorShapeProto.Types.Dimension(),
                _ => new TensorShapeProto.Types.Dimension { DimValue = d },
            });
        return new ValueInfoProto { Name = name, Type = new TypeProto { TensorType = tensorType } };
    }
}
