using Google.Protobuf;
using NeuralSharp.Onnx.Import;
using NeuralSharp.Onnx.Protos;

namespace NeuralSharp.Onnx.Tests;

/// <summary>Builds small ONNX models in memory for tests: one node over graph inputs and constant initializers.</summary>
internal static class OnnxTestModels
{
    /// <summary>A graph input declaration: name, element type, shape (-1 = symbolic "N").</summary>
    public static ValueInfoProto Input(string name, OnnxElementType type, params int[] shape)
    {
        var tensorType = new TypeProto.Types.Tensor { ElemType = (int)type, Shape = new TensorShapeProto() };
        foreach (int d in shape)
            tensorType.Shape.Dim.Add(d < 0 ? new TensorShapeProto.Types.Dimension { DimParam = "N" } : new TensorShapeProto.Types.Dimension { DimValue = d });
        return new ValueInfoProto { Name = name, Type = new TypeProto { TensorType = tensorType } };
    }

    /// <summary>An output declaration with only a name and type (shape left to inference).</summary>
    public static ValueInfoProto Output(string name, OnnxElementType type = OnnxElementType.Float) =>
        new() { Name = name, Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = (int)type } } };

    public static AttributeProto Attr(string name, long value) => new() { Name = name, Type = AttributeProto.Types.AttributeType.Int, I = value };
    public static AttributeProto Attr(string name, float value) => new() { Name = name, Type = AttributeProto.Types.AttributeType.Float, F = value };
    public static AttributeProto Attr(string name, string value) => new() { Name = name, Type = AttributeProto.Types.AttributeType.String, S = ByteString.CopyFromUtf8(value) };
    public static AttributeProto Attr(string name, long[] values) { var a = new AttributeProto { Name = name, Type = AttributeProto.Types.AttributeType.Ints }; a.Ints.Add(values); return a; }

    public static NodeProto Node(string opType, string[] inputs, string[] outputs, params AttributeProto[] attributes)
    {
        var node = new NodeProto { OpType = opType, Name = $"{opType.ToLowerInvariant()}_{string.Join("_", outputs)}" };
        node.Input.Add(inputs);
        node.Output.Add(outputs);
        node.Attribute.Add(attributes);
        return node;
    }

    /// <summary>A model of <paramref name="nodes"/> with the given inputs, initializers and outputs at <paramref name="opset"/>.</summary>
    public static ModelProto Model(IEnumerable<NodeProto> nodes, IEnumerable<ValueInfoProto> inputs, IEnumerable<ValueInfoProto> outputs,
        IReadOnlyDictionary<string, OnnxTensor>? initializers = null, int opset = 17)
    {
        var graph = new GraphProto { Name = "test" };
        graph.Node.Add(nodes);
        graph.Input.Add(inputs);
        graph.Output.Add(outputs);
        foreach (var (name, tensor) in initializers ?? new Dictionary<string, OnnxTensor>())
            graph.Initializer.Add(TensorProtoConverter.ToProto(tensor, name));
        var model = new ModelProto { IrVersion = 8, ProducerName = "NeuralSharp.Onnx.Tests", Graph = graph };
        model.OpsetImport.Add(new OperatorSetIdProto { Domain = "", Version = opset });
        return model;
    }

    /// <summary>Serializes and loads <paramref name="model"/> through the public loader.</summary>
    public static OnnxModel Load(ModelProto model) => OnnxModel.Load(model.ToByteArray(), "test.onnx");
}
