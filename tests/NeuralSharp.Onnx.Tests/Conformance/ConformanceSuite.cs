using Google.Protobuf;
using NeuralSharp.Onnx.Ops;
using NeuralSharp.Onnx.Protos;

namespace NeuralSharp.Onnx.Tests.Conformance;

/// <summary>
/// ONNX's own backend test data (Debian package libonnx-testdata): each case is a folder with model.onnx and
/// test_data_set_N/{input_K.pb, output_K.pb}. Every case must either be refused at load with
/// <see cref="OnnxUnsupportedException"/> or reproduce the expected outputs; and a float32 case whose operators
/// are all supported must not be refused (unless listed in <see cref="KnownRefusals"/> with the reason).
/// </summary>
internal static class ConformanceSuite
{
    public const string Root = "/usr/share/libonnx-testdata/data";

    public static readonly string[] Suites = ["node", "pytorch-converted", "pytorch-operator"];

    public static bool Present => Directory.Exists(Path.Combine(Root, "node"));

    /// <summary>Float32 cases of supported operators that we refuse on purpose, with why (the message must contain the reason).</summary>
    public static readonly Dictionary<string, string> KnownRefusals = new()
    {
        // Training-mode Dropout is random (the expected outputs come from numpy's generator); these cases feed
        // training_mode as a graph input, so whether a run would be random is unknown at load.
        ["test_training_dropout"] = TrainingDropout,
        ["test_training_dropout_default"] = TrainingDropout,
        ["test_training_dropout_default_mask"] = TrainingDropout,
        ["test_training_dropout_mask"] = TrainingDropout,
        ["test_training_dropout_zero_ratio"] = TrainingDropout,
        ["test_training_dropout_zero_ratio_mask"] = TrainingDropout,
    };

    private const string TrainingDropout = "training-mode dropout is not supported";

    public static IEnumerable<(string Suite, string Name)> Cases() =>
        Present
            ? Suites.Where(s => Directory.Exists(Path.Combine(Root, s)))
                .SelectMany(s => Directory.GetDirectories(Path.Combine(Root, s)).Select(d => (Suite: s, Name: Path.GetFileName(d))).Order())
            : [];

    public enum Outcome { Passed, Refused, Failed }

    public sealed record Result(Outcome Outcome, bool MustRun, string Detail);

    /// <summary>Runs one case; never throws (a crash is a Failed result with the exception).</summary>
    public static Result Run(string suite, string name)
    {
        string dir = Path.Combine(Root, suite, name);
        string modelPath = Path.Combine(dir, "model.onnx");
        bool mustRun;
        try
        {
            mustRun = IsFloat32CaseOfSupportedOperators(modelPath);
        }
        catch (Exception e)
        {
            return new Result(Outcome.Failed, false, $"cannot classify: {e.Message}");
        }
        OnnxModel model;
        try
        {
            model = OnnxModel.Load(modelPath);
        }
        catch (OnnxUnsupportedException e)
        {
            if (mustRun && !(KnownRefusals.TryGetValue(name, out var why) && e.Message.Contains(why, StringComparison.Ordinal)))
                return new Result(Outcome.Failed, mustRun, $"refused a float32 case of supported operators: {e.Message}");
            return new Result(Outcome.Refused, mustRun, e.Message);
        }
        catch (Exception e)
        {
            return new Result(Outcome.Failed, mustRun, $"load threw {e.GetType().Name}: {e.Message}");
        }

        foreach (var dataSet in Directory.GetDirectories(dir, "test_data_set_*").Order())
        {
            try
            {
                var inputs = Directory.GetFiles(dataSet, "input_*.pb").OrderBy(IndexOf).Select(TensorProtoFile.Read).ToArray();
                var expected = Directory.GetFiles(dataSet, "output_*.pb").OrderBy(IndexOf).Select(TensorProtoFile.Read).ToArray();
                var actual = model.Run(inputs);
                if (actual.Length < expected.Length)
                    return new Result(Outcome.Failed, mustRun, $"{Path.GetFileName(dataSet)}: {actual.Length} outputs, expected {expected.Length}");
                for (int i = 0; i < expected.Length; i++)
                {
                    string? diff = Compare(expected[i], actual[i]);
                    if (diff != null)
                        return new Result(Outcome.Failed, mustRun, $"{Path.GetFileName(dataSet)} output {i} ({model.Outputs[i].Name}): {diff}");
                }
            }
            catch (Exception e)
            {
                return new Result(Outcome.Failed, mustRun, $"{Path.GetFileName(dataSet)}: run threw {e.GetType().Name}: {e.Message}");
            }
        }
        return new Result(Outcome.Passed, mustRun, "");
    }

    private static int IndexOf(string path)
    {
        string stem = Path.GetFileNameWithoutExtension(path);
        return int.Parse(stem[(stem.LastIndexOf('_') + 1)..]);
    }

    /// <summary>
    /// True when every node's operator is registered for the model's opset and the graph's inputs and outputs
    /// include float32 and no other floating-point type (integer and bool inputs such as indices are allowed).
    /// </summary>
    public static bool IsFloat32CaseOfSupportedOperators(string modelPath)
    {
        var proto = ModelProto.Parser.ParseFrom(File.ReadAllBytes(modelPath));
        int opset = (int)(proto.OpsetImport.FirstOrDefault(o => o.Domain is "" or "ai.onnx")?.Version ?? 1);
        foreach (var node in proto.Graph.Node)
            if (OperatorRegistry.Default.Find(OperatorRegistry.NormalizeDomain(node.Domain), node.OpType, opset) == null)
                return false;
        var types = proto.Graph.Input.Concat(proto.Graph.Output)
            .Select(v => v.Type?.TensorType == null ? OnnxElementType.Undefined : (OnnxElementType)v.Type.TensorType.ElemType).ToList();
        return types.Contains(OnnxElementType.Float)
            && types.All(t => t is OnnxElementType.Float or OnnxElementType.Int64 or OnnxElementType.Int32 or OnnxElementType.Bool);
    }

    /// <summary>Null when equal within ONNX's backend-test tolerance (rtol 1e-3, atol 1e-7; exact for non-floats), else what differs.</summary>
    public static string? Compare(OnnxTensor expected, OnnxTensor actual)
    {
        if (expected.ElementType != actual.ElementType)
            return $"type {OnnxElementTypes.Name(actual.ElementType)}, expected {OnnxElementTypes.Name(expected.ElementType)}";
        if (!expected.Shape.SequenceEqual(actual.Shape))
            return $"shape [{string.Join(", ", actual.ShapeArray)}], expected [{string.Join(", ", expected.ShapeArray)}]";
        switch (expected.ElementType)
        {
            case OnnxElementType.Float: return CompareFloats(expected.AsSpan<float>().ToArray().Select(v => (double)v).ToArray(), actual.AsSpan<float>().ToArray().Select(v => (double)v).ToArray());
            case OnnxElementType.Double: return CompareFloats(expected.AsSpan<double>().ToArray(), actual.AsSpan<double>().ToArray());
            case OnnxElementType.Float16: return CompareFloats(expected.AsSpan<Half>().ToArray().Select(v => (double)v).ToArray(), actual.AsSpan<Half>().ToArray().Select(v => (double)v).ToArray());
            default:
                var e = TensorProtoRoundTrip(expected); var a = TensorProtoRoundTrip(actual);
                return e.SequenceEqual(a) ? null : "values differ";
        }
    }

    private static byte[] TensorProtoRoundTrip(OnnxTensor t) => Import.TensorProtoConverter.ToProto(t, "").ToByteArray();

    private static string? CompareFloats(double[] e, double[] a)
    {
        for (int i = 0; i < e.Length; i++)
        {
            if (double.IsNaN(e[i]) && double.IsNaN(a[i])) continue;
            if (double.IsInfinity(e[i]) && e[i] == a[i]) continue;
            if (!(Math.Abs(a[i] - e[i]) <= 1e-7 + 1e-3 * Math.Abs(e[i])))
                return $"element {i}: {a[i]:R}, expected {e[i]:R}";
        }
        return null;
    }
}
