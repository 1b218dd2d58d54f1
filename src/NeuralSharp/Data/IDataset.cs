namespace NeuralSharp.Data;

/// <summary>
/// A finite, indexable collection of labelled samples: sample i has <see cref="FeatureCount"/> float
/// features (row-major over <see cref="FeatureShape"/>) and an integer class label.
/// Implementations must be safe for concurrent reads.
/// </summary>
public interface IDataset
{
    /// <summary>The number of samples.</summary>
    int Count { get; }

    /// <summary>The shape of one sample's features, e.g. [64] or [784] (a copy; modifying it has no effect).</summary>
    int[] FeatureShape { get; }

    /// <summary>The number of features of one sample: the product of <see cref="FeatureShape"/>.</summary>
    int FeatureCount { get; }

    /// <summary>The number of classes (labels lie in [0, ClassCount)); 0 when the labels are not class indices.</summary>
    int ClassCount { get; }

    /// <summary>Names of the classes, indexed by label, or null when the labels have no names.</summary>
    IReadOnlyList<string>? ClassNames { get; }

    /// <summary>Copies the features of sample <paramref name="index"/> into <paramref name="destination"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">When <paramref name="index"/> is not in [0, Count).</exception>
    /// <exception cref="ArgumentException">When <paramref name="destination"/> is shorter than <see cref="FeatureCount"/>.</exception>
    void CopyFeatures(int index, Span<float> destination);

    /// <summary>The label of sample <paramref name="index"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">When <paramref name="index"/> is not in [0, Count).</exception>
    int GetLabel(int index);
}
