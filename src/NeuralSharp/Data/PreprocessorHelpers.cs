using System.Text.Json.Nodes;

namespace NeuralSharp.Data;

/// <summary>Plumbing shared by the per-feature preprocessors.</summary>
internal static class PreprocessorHelpers
{
    /// <summary>Returns the features of a dataset as one row-major span (copied unless it is in memory).</summary>
    public static ReadOnlySpan<float> Gather(IDataset dataset, string op)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        if (dataset is InMemoryDataset m) return m.Features;
        int f = dataset.FeatureCount;
        var all = new float[(long)dataset.Count * f];
        for (int i = 0; i < dataset.Count; i++) dataset.CopyFeatures(i, all.AsSpan(i * f, f));
        return all;
    }

    /// <summary>Validates the arguments of Fit and returns the number of rows.</summary>
    public static int CheckFitInput(ReadOnlySpan<float> features, int featureCount, string op)
    {
        if (featureCount <= 0) throw new ArgumentOutOfRangeException(nameof(featureCount), $"{op}: the feature count must be positive, got {featureCount}.");
        if (features.Length == 0) throw new ArgumentException($"{op}: cannot fit to an empty dataset.");
        if (features.Length % featureCount != 0)
            throw new ArgumentException($"{op}: {features.Length} values are not a whole number of rows of {featureCount} features.");
        return features.Length / featureCount;
    }

    /// <summary>Called when the fitted statistics are not finite: finds the non-finite input and names it.</summary>
    public static void ThrowIfNonFinite(ReadOnlySpan<float> features, int featureCount, string op)
    {
        for (int i = 0; i < features.Length; i++)
            if (!float.IsFinite(features[i]))
                throw new ArgumentException($"{op}: value {features[i]} in row {i / featureCount}, feature {i % featureCount} is not finite.");
    }

    /// <summary>Validates the arguments of TransformBatch.</summary>
    public static void CheckTransform(bool fitted, int featureCount, int length, int rows, string op)
    {
        if (!fitted) throw new InvalidOperationException($"{op}: not fitted; call Fit first.");
        if (rows < 0) throw new ArgumentOutOfRangeException(nameof(rows), $"{op}: rows must not be negative, got {rows}.");
        if ((long)rows * featureCount > length)
            throw new ArgumentException($"{op}: {rows} rows of {featureCount} features need {(long)rows * featureCount} elements, the span has {length}.");
    }

    /// <summary>The string "type" field, or null when absent or not a string.</summary>
    public static string? TypeOf(JsonObject json) =>
        json["type"] is JsonValue v && v.TryGetValue(out string? s) ? s : null;

    public static JsonArray ToJsonArray(float[] values)
    {
        var array = new JsonArray();
        foreach (float v in values) array.Add((JsonNode)JsonValue.Create(v));
        return array;
    }

    public static float[] FromJsonArray(JsonObject json, string name, string op)
    {
        if (json[name] is not JsonArray array) throw new FormatException($"{op}: the JSON object has no \"{name}\" array.");
        var values = new float[array.Count];
        for (int i = 0; i < values.Length; i++)
        {
            // Parse as float directly (not via double) so the shortest round-trip text gives back the same bits.
            if (array[i] is JsonValue v && v.TryGetValue(out float f)) values[i] = f;
            else if (array[i] is JsonValue w && w.TryGetValue(out double d)) values[i] = (float)d;
            else throw new FormatException($"{op}: \"{name}\"[{i}] is not a number.");
        }
        return values;
    }
}
