using System.Text.Json.Nodes;

namespace NeuralSharp.Data;

/// <summary>
/// A per-feature transformation learned from training data (e.g. <see cref="Standardizer"/>,
/// <see cref="MinMaxScaler"/>): <see cref="Fit(IDataset)"/> it on the training set, then apply it to every
/// sample (training, validation, test and inference alike) with <see cref="Transform"/> or
/// <see cref="TransformBatch"/>, or to a whole dataset with <see cref="InMemoryDataset.Transform"/>.
/// Save it with <see cref="ToJson"/> and restore it with <see cref="Preprocessors.FromJson"/>.
/// Transforming is thread-safe once fitted; fitting is not.
/// </summary>
public interface IPreprocessor
{
    /// <summary>True once fitted (or restored from a fitted JSON object).</summary>
    bool IsFitted { get; }

    /// <summary>The number of features it was fitted to (0 before fitting).</summary>
    int FeatureCount { get; }

    /// <summary>Learns the statistics from every sample of <paramref name="dataset"/>.</summary>
    /// <exception cref="ArgumentException">When the dataset is empty or holds a non-finite value.</exception>
    void Fit(IDataset dataset);

    /// <summary>Learns the statistics from row-major <paramref name="features"/> [rows, <paramref name="featureCount"/>].</summary>
    /// <exception cref="ArgumentException">When there are no rows, the length is not a multiple of
    /// <paramref name="featureCount"/>, or a value is not finite.</exception>
    void Fit(ReadOnlySpan<float> features, int featureCount);

    /// <summary>Transforms one sample in place (length <see cref="FeatureCount"/>).</summary>
    /// <exception cref="InvalidOperationException">When not fitted.</exception>
    /// <exception cref="ArgumentException">When the length differs from <see cref="FeatureCount"/>.</exception>
    void Transform(Span<float> features);

    /// <summary>Transforms <paramref name="rows"/> samples in place, row-major [rows, <see cref="FeatureCount"/>]
    /// (only the first rows * FeatureCount elements are touched).</summary>
    /// <exception cref="InvalidOperationException">When not fitted.</exception>
    /// <exception cref="ArgumentException">When <paramref name="batch"/> holds fewer than rows * FeatureCount elements.</exception>
    void TransformBatch(Span<float> batch, int rows);

    /// <summary>The fitted state as JSON, with a "type" field naming the preprocessor (see <see cref="Preprocessors.FromJson"/>).</summary>
    JsonObject ToJson();
}
