using System.Numerics.Tensors;
using System.Text.Json.Nodes;

namespace NeuralSharp.Data;

/// <summary>
/// Scales each feature to [0, 1] over the training data: x' = (x - min_j) / (max_j - min_j). A constant
/// feature (max_j = min_j) uses a range of 1, so it becomes 0. Data outside the training range maps outside
/// [0, 1] (no clipping). JSON: {"type": "MinMaxScaler", "min": [...], "max": [...]}.
/// </summary>
public sealed class MinMaxScaler : IPreprocessor
{
    /// <summary>The JSON "type" value of this preprocessor.</summary>
    public const string TypeName = "MinMaxScaler";

    private float[] _min = [];
    private float[] _max = [];
    private float[] _range = [];

    /// <summary>Creates an unfitted scaler.</summary>
    public MinMaxScaler() { }

    /// <summary>Creates a fitted scaler from known per-feature bounds (copied).</summary>
    /// <exception cref="ArgumentException">When the lengths differ or are 0, a bound is not finite, or max &lt; min.</exception>
    public MinMaxScaler(ReadOnlySpan<float> min, ReadOnlySpan<float> max)
    {
        if (min.Length != max.Length || min.Length == 0)
            throw new ArgumentException($"MinMaxScaler: min has {min.Length} values and max {max.Length}; they must be equal and non-zero.");
        for (int j = 0; j < min.Length; j++)
            if (!float.IsFinite(min[j]) || !float.IsFinite(max[j]) || max[j] < min[j])
                throw new ArgumentException($"MinMaxScaler: feature {j} has min {min[j]} and max {max[j]}; both must be finite with min <= max.");
        Set(min.ToArray(), max.ToArray());
    }

    /// <inheritdoc/>
    public bool IsFitted => _min.Length > 0;

    /// <inheritdoc/>
    public int FeatureCount => _min.Length;

    /// <summary>The per-feature minimum of the training data (empty before fitting).</summary>
    public ReadOnlySpan<float> Min => _min;

    /// <summary>The per-feature maximum of the training data (empty before fitting).</summary>
    public ReadOnlySpan<float> Max => _max;

    /// <inheritdoc/>
    public void Fit(IDataset dataset) => Fit(PreprocessorHelpers.Gather(dataset, "MinMaxScaler.Fit"), dataset.FeatureCount);

    /// <inheritdoc/>
    public void Fit(ReadOnlySpan<float> features, int featureCount)
    {
        const string op = "MinMaxScaler.Fit";
        int rows = PreprocessorHelpers.CheckFitInput(features, featureCount, op);
        var min = features[..featureCount].ToArray();
        var max = features[..featureCount].ToArray();
        for (int r = 1; r < rows; r++)
        {
            var row = features.Slice(r * featureCount, featureCount);
            TensorPrimitives.Min(min, row, min);
            TensorPrimitives.Max(max, row, max);
        }
        // Min and Max propagate NaN and keep infinities: non-finite bounds mean a non-finite input.
        if (!float.IsFinite(TensorPrimitives.Sum<float>(min) - TensorPrimitives.Sum<float>(max)))
            PreprocessorHelpers.ThrowIfNonFinite(features, featureCount, op);
        Set(min, max);
    }

    private void Set(float[] min, float[] max)
    {
        var range = new float[min.Length];
        for (int j = 0; j < range.Length; j++)
        {
            float r = max[j] - min[j];
            range[j] = r > 0 && float.IsFinite(r) ? r : 1f;
        }
        (_min, _max, _range) = (min, max, range);
    }

    /// <inheritdoc/>
    public void Transform(Span<float> features)
    {
        if (IsFitted && features.Length != FeatureCount)
            throw new ArgumentException($"MinMaxScaler.Transform: {features.Length} features given, fitted to {FeatureCount}.", nameof(features));
        TransformBatch(features, 1);
    }

    /// <inheritdoc/>
    public void TransformBatch(Span<float> batch, int rows)
    {
        PreprocessorHelpers.CheckTransform(IsFitted, FeatureCount, batch.Length, rows, "MinMaxScaler.TransformBatch");
        int f = FeatureCount;
        for (int r = 0; r < rows; r++)
        {
            var row = batch.Slice(r * f, f);
            TensorPrimitives.Subtract(row, _min, row);
            TensorPrimitives.Divide(row, _range, row);
        }
    }

    /// <inheritdoc/>
    public JsonObject ToJson()
    {
        var json = new JsonObject { ["type"] = TypeName };
        if (IsFitted)
        {
            json["min"] = PreprocessorHelpers.ToJsonArray(_min);
            json["max"] = PreprocessorHelpers.ToJsonArray(_max);
        }
        return json;
    }

    /// <summary>Restores a scaler from <see cref="ToJson"/>'s output (unfitted when "min" is absent).</summary>
    /// <exception cref="FormatException">When the type is not "MinMaxScaler" or the arrays are missing or malformed.</exception>
    public static MinMaxScaler FromJson(JsonObject json)
    {
        ArgumentNullException.ThrowIfNull(json);
        const string op = "MinMaxScaler.FromJson";
        if (PreprocessorHelpers.TypeOf(json) != TypeName) throw new FormatException($"{op}: \"type\" is not \"{TypeName}\".");
        if (json["min"] is null) return new MinMaxScaler();
        var min = PreprocessorHelpers.FromJsonArray(json, "min", op);
        var max = PreprocessorHelpers.FromJsonArray(json, "max", op);
        try { return new MinMaxScaler(min, max); }
        catch (ArgumentException e) { throw new FormatException($"{op}: {e.Message}", e); }
    }
}
