using NeuralSharp.Serialization;

namespace NeuralSharp.Data;

/// <summary>
/// Builds an <see cref="InMemoryDataset"/> from NumPy arrays: features [N, ...] of any numeric dtype (converted to
/// float32) and labels [N] holding class indices (any integer or bool dtype, or floats holding whole numbers).
/// </summary>
public static class NpyDataset
{
    /// <summary>
    /// Loads features and labels from two .npy files, e.g. ones written by <c>np.save("x.npy", X)</c> and
    /// <c>np.save("y.npy", y)</c>. See <see cref="FromArrays"/> for the shapes and the class count.
    /// </summary>
    /// <param name="featuresPath">The features file, [N, ...].</param>
    /// <param name="labelsPath">The labels file, [N].</param>
    /// <param name="classCount">The number of classes; null to take the largest label + 1.</param>
    /// <param name="classNames">Optional class names (as many as classes).</param>
    /// <exception cref="NpyFormatException">When a file is malformed.</exception>
    /// <exception cref="DataFormatException">When the shapes do not fit or a label is not a class index (naming the file and row).</exception>
    public static InMemoryDataset Load(string featuresPath, string labelsPath, int? classCount = null, IReadOnlyList<string>? classNames = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(featuresPath);
        ArgumentException.ThrowIfNullOrEmpty(labelsPath);
        return Build(Npy.Read(featuresPath), Npy.Read(labelsPath), classCount, classNames, featuresPath, labelsPath);
    }

    /// <summary>
    /// A dataset over <paramref name="features"/> [N, d1, d2, ...] (FeatureShape [d1, d2, ...]; [1] for a 1-D array)
    /// and <paramref name="labels"/> [N]. With <paramref name="classCount"/> null the class count is the largest
    /// label + 1 (0 for no samples); every label must lie in [0, classCount).
    /// </summary>
    /// <exception cref="DataFormatException">When the features are 0-d or have a zero feature dimension, the labels are
    /// not 1-D with N entries, or a label is negative, not a whole number, or not below <paramref name="classCount"/>
    /// (the message names the row).</exception>
    public static InMemoryDataset FromArrays(NpyArray features, NpyArray labels, int? classCount = null, IReadOnlyList<string>? classNames = null)
    {
        ArgumentNullException.ThrowIfNull(features);
        ArgumentNullException.ThrowIfNull(labels);
        return Build(features, labels, classCount, classNames, "features", "labels");
    }

    private static InMemoryDataset Build(NpyArray features, NpyArray labels, int? classCount, IReadOnlyList<string>? classNames, string featuresName, string labelsName)
    {
        if (classCount is < 0) throw new ArgumentOutOfRangeException(nameof(classCount), $"NpyDataset: the class count must not be negative, got {classCount}.");
        if (features.Rank == 0)
            throw new DataFormatException($"the features must have a sample axis [N, ...], found a 0-d array", featuresName);
        int n = features.Dim(0);
        int[] featureShape = features.Rank == 1 ? [1] : features.Shape[1..];
        if (featureShape.Any(d => d == 0))
            throw new DataFormatException($"the features {NpyArray.FormatShape(features.Shape)} have a zero feature dimension", featuresName);
        if (labels.Rank != 1 || labels.Dim(0) != n)
            throw new DataFormatException($"expected {n} labels of shape ({n},) for the features {NpyArray.FormatShape(features.Shape)}, found shape {NpyArray.FormatShape(labels.Shape)}", labelsName);
        int[] y;
        try
        {
            y = labels.ToInt32Array();
        }
        catch (Exception e) when (e is InvalidCastException or OverflowException)
        {
            throw new DataFormatException($"the labels must be class indices: {e.Message}", labelsName, innerException: e);
        }
        int classes = classCount ?? (y.Length == 0 ? 0 : (int)Math.Min(y.Max() + 1L, int.MaxValue));
        for (int i = 0; i < y.Length; i++)
        {
            if (y[i] < 0 || (classCount != null && y[i] >= classes))
                throw new DataFormatException($"label {y[i]} in row {i} is outside [0, {classes})", labelsName);
        }
        return new InMemoryDataset(features.ToSingleArray(), y, featureShape, classes, classNames);
    }
}
