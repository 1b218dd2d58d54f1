using Google.Protobuf;

namespace NeuralSharp.Onnx.Tests.Hostile;

/// <summary>
/// Loads a (possibly corrupted) model and, when it loads, runs it on random inputs that match its declared inputs;
/// reports anything outside OnnxModel's exception contract: at load only <see cref="OnnxFormatException"/> and
/// <see cref="OnnxUnsupportedException"/>, at run also <see cref="ArgumentException"/> — and no exception in the
/// cause chain that betrays a bug (IndexOutOfRange, NullReference, ArgumentOutOfRange from a slice, Overflow...).
/// </summary>
internal static class HostileHarness
{
    /// <summary>The limit the mutation test loads with, so that a folded constant cannot legitimately allocate much.</summary>
    public static readonly OnnxModelOptions Options = new() { MaxTensorElements = 1 << 16 };

    /// <summary>Inputs larger than this are not fed (a declared shape may legitimately be huge).</summary>
    private const long MaxInputElements = 1 << 14;

    public enum Stage { Loaded, Refused, RunFailed, Ran }

    /// <summary>Null when the outcome is within the contract, else a description of the violation.</summary>
    public static string? Check(byte[] bytes, string? baseDirectory, Random rng, out Stage stage)
    {
        stage = Stage.Refused;
        OnnxModel model;
        try
        {
            model = OnnxModel.Load(bytes, "mutant.onnx", baseDirectory, Options);
        }
        catch (Exception e) when (e is OnnxFormatException or OnnxUnsupportedException)
        {
            return Suspicious(e, "load") ?? EmptyMessage(e, "load");
        }
        catch (Exception e)
        {
            return $"load threw {Describe(e)}";
        }
        stage = Stage.Loaded;
        var inputs = new OnnxTensor[model.Inputs.Count];
        for (int i = 0; i < inputs.Length; i++)
        {
            var info = model.Inputs[i];
            int[] shape = info.Shape?.Select(d => d < 0 ? rng.Next(1, 4) : d).ToArray()
                ?? Enumerable.Range(0, rng.Next(0, 4)).Select(_ => rng.Next(1, 4)).ToArray();
            long count = 1;
            foreach (int d in shape) count = Math.Min(count * d, long.MaxValue / 4);
            if (count > MaxInputElements) return null;
            var t = OnnxTensor.Zeros(info.ElementType, shape);
            if (info.ElementType == OnnxElementType.Float)
            {
                var span = t.AsSpan<float>();
                for (int k = 0; k < span.Length; k++) span[k] = (float)(rng.NextDouble() * 4 - 2);
            }
            inputs[i] = t;
        }
        try
        {
            var outputs = model.Run(inputs);
            stage = Stage.Ran;
            if (outputs.Length != model.Outputs.Count) return $"run returned {outputs.Length} outputs for {model.Outputs.Count} declared";
            for (int i = 0; i < outputs.Length; i++)
                if (outputs[i] == null) return $"run returned null for output {i}";
                else if (outputs[i].ElementType != model.Outputs[i].ElementType)
                    return $"output {i} is {outputs[i]}, declared {model.Outputs[i]}";
            return null;
        }
        catch (ArgumentException e)
        {
            stage = Stage.RunFailed;
            return Suspicious(e, "run") ?? EmptyMessage(e, "run");
        }
        catch (Exception e)
        {
            stage = Stage.RunFailed;
            return $"run threw {Describe(e)}";
        }
    }

    /// <summary>An allowed exception whose cause chain holds an exception that only a bug throws.</summary>
    private static string? Suspicious(Exception e, string when)
    {
        for (var inner = e.InnerException; inner != null; inner = inner.InnerException)
            if (inner is not (OnnxFormatException or OnnxUnsupportedException or InvalidProtocolBufferException)
                && inner.GetType() != typeof(ArgumentException) && !FromProtobufParser(inner))
                return $"{when} threw {e.GetType().Name} wrapping {Describe(inner)}";
        return e.GetType() == typeof(ArgumentException) || e is OnnxFormatException or OnnxUnsupportedException
            ? null
            : $"{when} threw {Describe(e)}";
    }

    /// <summary>
    /// Google.Protobuf 3.25.1 throws IndexOutOfRange or ArgumentOutOfRange for a length prefix near 2^31 (its limit
    /// arithmetic overflows); the loader reports that as OnnxFormatException, so a parser exception as the cause is expected.
    /// </summary>
    private static bool FromProtobufParser(Exception e) =>
        e is IndexOutOfRangeException or ArgumentOutOfRangeException
        && e.StackTrace?.TrimStart().StartsWith("at Google.Protobuf.", StringComparison.Ordinal) == true;

    private static string? EmptyMessage(Exception e, string when) =>
        string.IsNullOrWhiteSpace(e.Message) ? $"{when} threw {e.GetType().Name} without a message" : null;

    private static string Describe(Exception e) => $"{e.GetType().FullName}: {e.Message}\n{e.StackTrace}";
}
