namespace NeuralSharp.Data;

/// <summary>Validation shared by the datasets and the loaders.</summary>
internal static class DatasetChecks
{
    /// <summary>The first row whose label is outside [0, classCount), or -1. Nothing is checked when classCount is 0.</summary>
    public static int FirstLabelOutOfRange(ReadOnlySpan<int> labels, int classCount)
    {
        if (classCount == 0) return -1;
        for (int i = 0; i < labels.Length; i++)
            if ((uint)labels[i] >= (uint)classCount) return i;
        return -1;
    }

    public static string LabelOutOfRange(int label, int row, int classCount) =>
        $"label {label} in row {row} is outside [0, {classCount})";

    public static int FeatureCountOf(int[] featureShape, string op)
    {
        ArgumentNullException.ThrowIfNull(featureShape);
        long size = 1;
        foreach (int d in featureShape)
        {
            if (d <= 0) throw new ArgumentException($"{op}: feature shape [{string.Join(", ", featureShape)}] has a dimension that is not positive.");
            size *= d;
            if (size > Array.MaxLength) throw new ArgumentException($"{op}: feature shape [{string.Join(", ", featureShape)}] is too large.");
        }
        return (int)size;
    }
}
