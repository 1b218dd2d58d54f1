using System.CommandLine;
using System.Globalization;
using NeuralSharp.Onnx.Import;
using NeuralSharp.Onnx;
using NeuralSharp.Onnx.Protos;
using NeuralSharp.Serialization;

namespace NeuralSharp.Cli.Commands;

/// <summary><c>neuralsharp info FILE</c>: what a saved model folder, .safetensors or .onnx file holds.</summary>
internal static class InfoCommand
{
    public static Command Create(TextWriter output)
    {
        var file = new Argument<string>("file") { Description = "A saved model folder (or its config.json), a .safetensors file or an .onnx file." };
        var command = new Command("info", "Describe a model: for a saved model or .safetensors the layers, parameter counts and input shape; " +
            "for .onnx the opset, IR version, producer, inputs and outputs, operator counts and parameter count.") { file };
        command.SetAction(parse =>
        {
            string path = parse.GetValue(file)!;
            if (Directory.Exists(path) || Path.GetFileName(path) == SavedModel.ConfigFileName) SavedModelInfo(path, output);
            else if (!File.Exists(path)) throw new FileNotFoundException($"'{path}' does not exist (expected a saved model folder, a .safetensors or an .onnx file).", path);
            else if (path.EndsWith(".safetensors", StringComparison.OrdinalIgnoreCase)) SafeTensorsInfo(path, output);
            else if (path.EndsWith(".onnx", StringComparison.OrdinalIgnoreCase)) OnnxInfo(path, output);
            else throw new ArgumentException($"'{path}': unknown kind of file; expected a saved model folder, a .safetensors or an .onnx file.");
            return 0;
        });
        return command;
    }

    private static string N(long n) => n.ToString("N0", CultureInfo.InvariantCulture);

    /// <summary>Long metadata values (a preprocessor's per-feature arrays) cut to one line.</summary>
    private static string Short(string value) => value.Length <= 160 ? value : value[..160] + $"... ({value.Length} characters)";

    private static string Dims(IEnumerable<int> shape) => "[" + string.Join(", ", shape) + "]";

    private static void SavedModelInfo(string path, TextWriter output)
    {
        var saved = SavedModel.Load(path);
        output.WriteLine($"NeuralSharp saved model: {Path.GetFullPath(path)}");
        if (saved.Description != null) output.WriteLine($"description: {saved.Description}");
        output.WriteLine($"input shape: [batch, {string.Join(", ", saved.InputShape)}] ({saved.FeatureCount} features)");
        output.WriteLine($"classes: {saved.ClassCount}{(saved.ClassNames != null ? " (" + string.Join(", ", saved.ClassNames) + ")" : "")}");
        output.WriteLine($"preprocessing: {saved.Preprocessor?.GetType().Name ?? "none"}");
        output.WriteLine("architecture:");
        foreach (var line in saved.Model.ToString().Split('\n')) output.WriteLine("  " + line.TrimEnd('\r'));
        WriteTensors(saved.Model.StateDict().Select(p => (p.Key, p.Value.ShapeArray, "F32")), output);
        output.WriteLine($"parameters: {N(saved.Model.ParameterCount())} trainable");
    }

    private static void SafeTensorsInfo(string path, TextWriter output)
    {
        using var file = SafeTensors.Load(path);
        output.WriteLine($"safetensors: {Path.GetFullPath(path)}");
        foreach (var (key, value) in file.Metadata.OrderBy(p => p.Key, StringComparer.Ordinal))
            output.WriteLine($"metadata {key}: {Short(value)}");
        var tensors = file.Names.Select(n => (n, file.Shape(n), file.DType(n).ToString())).ToList();
        WriteTensors(tensors, output);
        output.WriteLine($"parameters: {N(tensors.Sum(t => Count(t.Item2)))}");
        // The first layer's [out, in] weight tells the input width of a feed-forward network.
        var first = tensors.Where(t => t.Item2.Length == 2 && t.n.EndsWith("weight", StringComparison.Ordinal))
            .OrderBy(t => Layer(t.n), NaturalComparer.Instance).FirstOrDefault();
        if (first.n != null) output.WriteLine($"input shape: [batch, {first.Item2[1]}] (from '{first.n}', an [out, in] weight)");
    }

    private static void OnnxInfo(string path, TextWriter output)
    {
        var proto = ProtobufParsing.Parse(ModelProto.Parser, File.ReadAllBytes(path), path, "ONNX model");
        if (proto.Graph == null) throw new OnnxFormatException($"{path}: not an ONNX model (no graph)");
        var graph = proto.Graph;
        output.WriteLine($"ONNX model: {Path.GetFullPath(path)}");
        output.WriteLine($"IR version: {proto.IrVersion}");
        output.WriteLine("opset: " + string.Join(", ", proto.OpsetImport.Select(o => $"{(o.Domain is "" or "ai.onnx" ? "ai.onnx" : o.Domain)} {o.Version}")));
        output.WriteLine($"producer: {(proto.ProducerName.Length > 0 ? proto.ProducerName : "(none)")}{(proto.ProducerVersion.Length > 0 ? " " + proto.ProducerVersion : "")}");
        output.WriteLine($"graph: {graph.Name}");
        foreach (var p in proto.MetadataProps) output.WriteLine($"metadata {p.Key}: {Short(p.Value)}");
        var initializers = graph.Initializer.Select(i => i.Name).ToHashSet(StringComparer.Ordinal);
        foreach (var input in graph.Input.Where(i => !initializers.Contains(i.Name))) output.WriteLine($"input  {Describe(input)}");
        foreach (var o in graph.Output) output.WriteLine($"output {Describe(o)}");
        output.WriteLine("operators:");
        foreach (var group in graph.Node.GroupBy(n => (n.Domain is "" or "ai.onnx" ? "" : n.Domain + ".") + n.OpType).OrderByDescending(g => g.Count()).ThenBy(g => g.Key, StringComparer.Ordinal))
            output.WriteLine($"  {group.Key,-24} {group.Count(),5}");
        output.WriteLine($"nodes: {graph.Node.Count}");
        output.WriteLine($"parameters: {N(graph.Initializer.Sum(i => i.Dims.Aggregate(1L, (a, d) => a * Math.Max(d, 0))))} in {graph.Initializer.Count} initializers");
        try
        {
            var model = OnnxModel.Load(path);
            output.WriteLine($"runs in NeuralSharp: yes ({model.StepCount} steps after fusion)");
        }
        catch (OnnxUnsupportedException e)
        {
            output.WriteLine($"runs in NeuralSharp: no ({e.Message})");
        }
    }

    private static string Describe(ValueInfoProto value)
    {
        var t = value.Type?.TensorType;
        if (t == null) return $"{value.Name}: (not a tensor)";
        string type = Enum.IsDefined((OnnxElementType)t.ElemType) ? OnnxElementTypes.Name((OnnxElementType)t.ElemType) : $"type {t.ElemType}";
        if (t.Shape == null) return $"{value.Name}: {type}[?]";
        var dims = t.Shape.Dim.Select(d => d.ValueCase switch
        {
            TensorShapeProto.Types.Dimension.ValueOneofCase.DimValue => d.DimValue.ToString(CultureInfo.InvariantCulture),
            TensorShapeProto.Types.Dimension.ValueOneofCase.DimParam => d.DimParam,
            _ => "?",
        });
        return $"{value.Name}: {type}[{string.Join(", ", dims)}]";
    }

    private static long Count(int[] shape) => shape.Aggregate(1L, (a, d) => a * d);

    private static string Layer(string key) => key.LastIndexOf('.') is int dot and > 0 ? key[..dot] : "";

    /// <summary>Prints tensors grouped by layer (the key without its last part), in natural order (2 before 10).</summary>
    private static void WriteTensors(IEnumerable<(string Name, int[] Shape, string DType)> tensors, TextWriter output)
    {
        output.WriteLine("layers:");
        foreach (var layer in tensors.GroupBy(t => Layer(t.Name)).OrderBy(g => g.Key, NaturalComparer.Instance))
        {
            output.WriteLine($"  {(layer.Key.Length == 0 ? "(root)" : layer.Key)}: {N(layer.Sum(t => Count(t.Shape)))} parameters");
            foreach (var (name, shape, dtype) in layer)
                output.WriteLine($"    {name,-32} {dtype,-5} {Dims(shape)}");
        }
    }

    /// <summary>Orders dotted keys with numeric parts compared as numbers ("2.weight" before "10.weight").</summary>
    private sealed class NaturalComparer : IComparer<string>
    {
        public static readonly NaturalComparer Instance = new();

        public int Compare(string? x, string? y)
        {
            var a = (x ?? "").Split('.');
            var b = (y ?? "").Split('.');
            for (int i = 0; i < Math.Min(a.Length, b.Length); i++)
            {
                int c = int.TryParse(a[i], out int p) && int.TryParse(b[i], out int q) ? p.CompareTo(q) : string.CompareOrdinal(a[i], b[i]);
                if (c != 0) return c;
            }
            return a.Length.CompareTo(b.Length);
        }
    }
}
