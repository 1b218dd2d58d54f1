using Google.Protobuf;
using NeuralSharp.Onnx.Protos;

namespace NeuralSharp.Onnx.Tests.Hostile;

/// <summary>
/// Seeded semantic corruption of a well-formed <see cref="ModelProto"/>: the protobuf stays valid but the graph
/// does not — rewired inputs (undefined values, cycles, self-loops), values defined twice, extreme dims and data
/// types, missing or extra data, wrong attribute types, foreign or internal domains, odd opsets, dropped nodes.
/// These reach the compiler's checks that random bytes rarely get past the parser to.
/// </summary>
internal static class ModelMutator
{
    private static readonly long[] Dims = [0, 1, 2, 3, -1, -2, int.MaxValue, (long)int.MaxValue + 1, 1L << 32, long.MaxValue, long.MinValue, 1 << 20, 65536, 46341];

    private static readonly string[] OpTypes =
        ["Gemm", "MatMul", "Relu", "Add", "Erf", "Mul", "Div", "Sigmoid", "FusedLinear", "Gelu", "NoSuchOp", "", "Loop", "If"];

    private static readonly string[] Domains = ["", "ai.onnx", "com.neuralsharp", "com.microsoft", "ai.onnx.ml", "x"];

    /// <summary>A mutated copy of <paramref name="source"/> (1 to 3 mutations) and what was done.</summary>
    public static (ModelProto Model, string What) Mutate(ModelProto source, Random rng)
    {
        var model = source.Clone();
        var what = new List<string>();
        int count = 1 + rng.Next(3);
        for (int i = 0; i < count; i++) what.Add(MutateOnce(model, rng));
        return (model, string.Join("; ", what));
    }

    private static string MutateOnce(ModelProto model, Random rng)
    {
        var g = model.Graph;
        var names = g.Node.SelectMany(n => n.Input.Concat(n.Output)).Concat(g.Input.Select(i => i.Name))
            .Concat(g.Initializer.Select(i => i.Name)).Concat(g.Output.Select(o => o.Name)).Distinct().ToList();
        string AnyName() => rng.Next(6) == 0 ? $"undefined_{rng.Next(100)}" : rng.Next(8) == 0 ? "" : names.Count == 0 ? "v" : names[rng.Next(names.Count)];
        NodeProto? AnyNode() => g.Node.Count == 0 ? null : g.Node[rng.Next(g.Node.Count)];
        TensorProto? AnyInit() => g.Initializer.Count == 0 ? null : g.Initializer[rng.Next(g.Initializer.Count)];

        switch (rng.Next(20))
        {
            case 0 when AnyNode() is { Input.Count: > 0 } n:
            {
                int k = rng.Next(n.Input.Count);
                n.Input[k] = AnyName();
                return $"node '{n.Name}' input {k} -> '{n.Input[k]}'";
            }
            case 1 when AnyNode() is { Output.Count: > 0 } n:
            {
                int k = rng.Next(n.Output.Count);
                n.Output[k] = AnyName();
                return $"node '{n.Name}' output {k} -> '{n.Output[k]}'";
            }
            case 2 when AnyNode() is { } n:
                if (rng.Next(2) == 0) { n.Input.Add(AnyName()); return $"node '{n.Name}' extra input"; }
                n.Output.Add(AnyName()); return $"node '{n.Name}' extra output";
            case 3 when AnyNode() is { } n:
                if (rng.Next(2) == 0 && n.Input.Count > 0) { n.Input.RemoveAt(rng.Next(n.Input.Count)); return $"node '{n.Name}' lost an input"; }
                if (n.Output.Count > 0) { n.Output.RemoveAt(rng.Next(n.Output.Count)); return $"node '{n.Name}' lost an output"; }
                return "nothing";
            case 4 when AnyNode() is { } n:
                n.OpType = OpTypes[rng.Next(OpTypes.Length)];
                return $"node '{n.Name}' op -> {n.OpType}";
            case 5 when AnyNode() is { } n:
                n.Domain = Domains[rng.Next(Domains.Length)];
                return $"node '{n.Name}' domain -> '{n.Domain}'";
            case 6 when AnyNode() is { } n:
                if (rng.Next(2) == 0) { g.Node.Remove(n); return $"node '{n.Name}' removed"; }
                g.Node.Insert(rng.Next(g.Node.Count + 1), n.Clone()); return $"node '{n.Name}' duplicated";
            case 7 when AnyNode() is { Attribute.Count: > 0 } n:
            {
                var a = n.Attribute[rng.Next(n.Attribute.Count)];
                a.Type = (AttributeProto.Types.AttributeType)rng.Next(15);
                return $"node '{n.Name}' attribute '{a.Name}' type -> {a.Type}";
            }
            case 8 when AnyNode() is { } n:
            {
                string[] attrNames = ["alpha", "beta", "transA", "transB", "broadcast", "activation", "axis", "value"];
                var a = new AttributeProto { Name = attrNames[rng.Next(attrNames.Length)], Type = (AttributeProto.Types.AttributeType)rng.Next(1, 6) };
                switch (rng.Next(5))
                {
                    case 0: a.I = (long)Dims[rng.Next(Dims.Length)]; break;
                    case 1: a.F = new[] { float.NaN, float.PositiveInfinity, 0f, -1f, 1e30f }[rng.Next(5)]; break;
                    case 2: a.S = ByteString.CopyFromUtf8(new[] { "Relu", "Nope", "", "Identity", "Softplus" }[rng.Next(5)]); break;
                    case 3: a.T = new TensorProto { DataType = rng.Next(20), Dims = { Dims[rng.Next(Dims.Length)] } }; break;
                    default: a.Ints.Add(Dims[rng.Next(Dims.Length)]); break;
                }
                n.Attribute.Add(a);
                return $"node '{n.Name}' attribute '{a.Name}' ({a.Type}) added";
            }
            case 9 when AnyInit() is { } t:
            {
                if (t.Dims.Count == 0 || rng.Next(3) == 0) t.Dims.Add(Dims[rng.Next(Dims.Length)]);
                else t.Dims[rng.Next(t.Dims.Count)] = Dims[rng.Next(Dims.Length)];
                return $"initializer '{t.Name}' dims -> [{string.Join(", ", t.Dims)}]";
            }
            case 10 when AnyInit() is { } t:
                t.DataType = rng.Next(3) == 0 ? rng.Next(-2, 30) : new[] { 1, 7, 9, 10, 11, 16, 8, 14 }[rng.Next(8)];
                return $"initializer '{t.Name}' data type -> {t.DataType}";
            case 11 when AnyInit() is { } t:
                switch (rng.Next(4))
                {
                    case 0: t.RawData = t.RawData.Length > 0 ? ByteString.CopyFrom(t.RawData.Span[..rng.Next(t.RawData.Length)]) : ByteString.CopyFrom(1, 2, 3); break;
                    case 1: t.ClearRawData(); t.FloatData.Add(1f); break;
                    case 2: t.Int64Data.Add(Dims[rng.Next(Dims.Length)]); break;
                    default: t.StringData.Add(ByteString.CopyFromUtf8("s")); break;
                }
                return $"initializer '{t.Name}' data changed";
            case 12 when AnyInit() is { } t:
                t.DataLocation = TensorProto.Types.DataLocation.External;
                t.ExternalData.Add(new StringStringEntryProto
                {
                    Key = new[] { "location", "offset", "length", "checksum", "nope" }[rng.Next(5)],
                    Value = new[] { "weights.bin", "../etc/passwd", "/etc/passwd", "-1", "99999999999", "0", "", "a\0b", "missing.bin" }[rng.Next(9)],
                });
                return $"initializer '{t.Name}' external data entry added";
            case 13 when AnyInit() is { } t:
                if (rng.Next(2) == 0) { g.Initializer.Remove(t); return $"initializer '{t.Name}' removed"; }
                t.Name = AnyName(); return $"initializer renamed '{t.Name}'";
            case 14 when g.Input.Count > 0:
            {
                var input = g.Input[rng.Next(g.Input.Count)];
                var tt = input.Type?.TensorType;
                if (tt == null || rng.Next(5) == 0) { input.Type = rng.Next(2) == 0 ? null : new TypeProto { SequenceType = new TypeProto.Types.Sequence() }; return $"input '{input.Name}' type changed"; }
                if (rng.Next(2) == 0) { tt.ElemType = rng.Next(-1, 20); return $"input '{input.Name}' elem type -> {tt.ElemType}"; }
                if (tt.Shape == null || rng.Next(4) == 0) { tt.Shape = rng.Next(2) == 0 ? null : new TensorShapeProto(); return $"input '{input.Name}' shape reset"; }
                var d = new TensorShapeProto.Types.Dimension();
                if (rng.Next(3) == 0) d.DimParam = "S"; else d.DimValue = Dims[rng.Next(Dims.Length)];
                if (tt.Shape.Dim.Count == 0 || rng.Next(3) == 0) tt.Shape.Dim.Add(d); else tt.Shape.Dim[rng.Next(tt.Shape.Dim.Count)] = d;
                return $"input '{input.Name}' dim changed";
            }
            case 15:
            {
                if (g.Output.Count > 0 && rng.Next(2) == 0) { g.Output[rng.Next(g.Output.Count)].Name = AnyName(); return "output renamed"; }
                if (g.Output.Count > 0 && rng.Next(2) == 0)
                {
                    var o = g.Output[rng.Next(g.Output.Count)];
                    o.Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = rng.Next(-1, 20) } };
                    return $"output '{o.Name}' type -> {o.Type.TensorType.ElemType}";
                }
                g.Output.Add(new ValueInfoProto { Name = AnyName() }); return "output added";
            }
            case 16:
            {
                if (model.OpsetImport.Count > 0 && rng.Next(3) > 0)
                {
                    var o = model.OpsetImport[rng.Next(model.OpsetImport.Count)];
                    o.Version = new long[] { 0, 1, 5, 6, 7, 9, 11, 13, 18, 19, 100, -1, long.MaxValue, long.MinValue }[rng.Next(14)];
                    return $"opset -> {o.Version}";
                }
                model.OpsetImport.Add(new OperatorSetIdProto { Domain = Domains[rng.Next(Domains.Length)], Version = rng.Next(-1, 5) });
                return "opset import added";
            }
            case 17:
                model.IrVersion = new long[] { 0, 1, 2, 3, 4, 8, 100, -1 }[rng.Next(8)];
                if (rng.Next(2) == 0) model.OpsetImport.Clear();
                return $"ir version -> {model.IrVersion}";
            case 18 when AnyNode() is { } n && AnyNode() is { } m:
            {
                // Wire one node's output into another's input (often makes a cycle or self-loop).
                if (n.Output.Count == 0 || m.Input.Count == 0) return "nothing";
                m.Input[rng.Next(m.Input.Count)] = n.Output[rng.Next(n.Output.Count)];
                return $"node '{m.Name}' reads output of '{n.Name}'";
            }
            case 19 when g.Input.Count > 0:
                g.Input.Add(g.Input[rng.Next(g.Input.Count)].Clone());
                return "graph input duplicated";
        }
        return "nothing";
    }
}
