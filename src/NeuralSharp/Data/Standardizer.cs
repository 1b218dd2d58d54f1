using System.Numerics.Tensors;
using System.Text.Json.Nodes;

namespace NeuralSharp.Data;

/// <summary>
/// Z-score standardisation per feature: x' = (x - mean_j) / std_j, where mean_j and the population standard
/// deviation std_j = sqrt(mean((x_j - mean_j)^2)) are computed in double (two passes) over the training data,
/// then stored as float. A constant feature (std_j = 0) gets std_j = 1, so it becomes 0 rather than NaN.
/// JSON: {"type": "Standardizer", "mean": [...], "std": [...]}.
/// </summary>
public sealed class Standardizer : IPreprocessor
{
    /// <summary>The JSON "type" value of this preprocessor.</summary>
    public const string TypeName = "Standardizer";

    private float[] _mean = [];
    private float[] _std = [];

    /// <summary>Creates an unfitted standardizer.</summary>
    public Standardizer() { }

    /// <summary>Creates a fitted standardizer from known statistics (copied).</summary>
    /// <exception cref="ArgumentException">When the lengths differ, are 0, or a std is not positive and finite.</exception>
    public Standardizer(ReadOnlySpan<float> mean, ReadOnlySpan<float> std)
    {
        if (mean.Length != std.Length || mean.Length == 0)
            throw new ArgumentException($"Standardizer: mean has {mean.Length} values and std {std.Length}; they must be equal and non-zero.");
        foreach (float s in std)
            if (!(s > 0) || !float.IsFinite(s)) throw new ArgumentException($"Standardizer: std {s} is not positive and finite.");
        _mean = mean.ToArray();
        _std = std.ToArray();
    }

    /// <inheritdoc/>
    public bool IsFitted => _mean.Length > 0;

    /// <inheritdoc/>
    public int FeatureCount => _mean.Length;

    /// <summary>The per-feature means (empty before fitting).</summary>
    public ReadOnlySpan<float> Mean => _mean;

    /// <summary>The per-feature standard deviations, 1 for constant features (empty before fitting).</summary>
    public ReadOnlySpan<float> Std => _std;

    /// <inheritdoc/>
    public void Fit(IDataset dataset) => Fit(PreprocessorHelpers.Gather(dataset, "Standardizer.Fit"), dataset.FeatureCount);

    /// <inheritdoc/>
    public void Fit(ReadOnlySpan<float> features, int featureCount)
    {
        const string op = "Standardizer.Fit";
        int rows = PreprocessorHelpers.CheckFitInput(features, featureCount, op);
        // Rows are widened to double and accumulated with the library's vectorised primitives.
        var row = new double[featureCount];
        var sum = new double[featureCount];
        for (int r = 0; r < rows; r++)
        {
            TensorPrimitives.ConvertChecked<float, double>(features.Slice(r * featureCount, featureCount), row);
            TensorPrimitives.Add(sum, row, sum);
        }
        // A sum of finite floats cannot overflow a double: a non-finite sum means a non-finite input.
        if (!double.IsFinite(TensorPrimitives.Sum<double>(sum))) PreprocessorHelpers.ThrowIfNonFinite(features, featureCount, op);
        var mean = new double[featureCount];
        TensorPrimitives.Divide(sum, rows, mean);
        var squares = new double[featureCount];
        for (int r = 0; r < rows; r++)
        {
            TensorPrimitives.ConvertChecked<float, double>(features.Slice(r * featureCount, featureCount), row);
            TensorPrimitives.Subtract(row, mean, row);
            TensorPrimitives.Multiply(row, row, row); // not fused, so every machine rounds alike
            TensorPrimitives.Add(squares, row, squares);
        }
        var meanF = new float[featureCount];
        var stdF = new float[featureCount];
        for (int j = 0; j < featureCount; j++)
        {
            meanF[j] = (float)mean[j];
            float std = (float)Math.Sqrt(squares[j] / rows);
            stdF[j] = std > 0 ? std : 1f;
        }
        _mean = meanF;
        _std = stdF;
    }

    /// <inheritdoc/>
    public void Transform(Span<float> features)
    {
        if (IsFitted && features.Length != FeatureCount)
            throw new ArgumentException($"Standardizer.Transform: {features.Length} features given, fitted to {FeatureCount}.", nameof(features));
        TransformBatch(features, 1);
    }

    /// <inheritdoc/>
    public void TransformBatch(Span<float> batch, int rows)
    {
        PreprocessorHelpers.CheckTransform(IsFitted, FeatureCount, batch.Length, rows, "Standardizer.TransformBatch");
        int f = FeatureCount;
        for (int r = 0; r < rows; r++)
        {
            var row = batch.Slice(r * f, f);
            TensorPrimitives.Subtract(row, _mean, row);
            TensorPrimitives.Divide(row, _std, row);
        }
    }

    /// <inheritdoc/>
    public JsonObject ToJson()
    {
        var json = new JsonObject { ["type"] = TypeName };
        if (IsFitted)
        {
            json["mean"] = PreprocessorHelpers.ToJsonArray(_mean);
            json["std"] = PreprocessorHelpers.ToJsonArray(_std);
        }
        return json;
    }

    /// <summary>Restores a standardizer from <see cref="ToJson"/>'s output (unfitted when "mean" is absent).</summary>
    /// <exception cref="FormatException">When the type is not "Standardizer" or the arrays are missing or malformed.</exception>
    public static Standardizer FromJson(JsonObject json)
    {
        ArgumentNullException.ThrowIfNull(json);
        const string op = "Standardizer.FromJson";
        if (PreprocessorHelpers.TypeOf(json) != TypeName) throw new FormatException($"{op}: \"type\" is not \"{TypeName}\".");
        if (json["mean"] is null) return new Standardizer();
        var mean = PreprocessorHelpers.FromJsonArray(json, "mean", op);
        var std = PreprocessorHelpers.FromJsonArray(json, "std", op);
        try { return new Standardizer(mean, std); }
        catch (ArgumentException e) { throw new FormatException($"{op}: {e.Message}", e); }
    }
}
