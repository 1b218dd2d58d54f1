namespace NeuralSharp.Data;

/// <summary>
/// A dataset held in two arrays: the features, row-major [Count, FeatureCount], and one label per sample.
/// Immutable once built: the methods that filter, split or transform it return new datasets.
/// </summary>
public sealed class InMemoryDataset : IDataset
{
    private readonly float[] _features;
    private readonly int[] _labels;
    private readonly int[] _featureShape;

    /// <summary>
    /// Creates a dataset over <paramref name="features"/> and <paramref name="labels"/>. The arrays are used
    /// as they are, not copied: do not modify them afterwards.
    /// </summary>
    /// <param name="features">Row-major features, [labels.Length, product of <paramref name="featureShape"/>].</param>
    /// <param name="labels">One label per sample, each in [0, <paramref name="classCount"/>) (unchecked when classCount is 0).</param>
    /// <param name="featureShape">The shape of one sample, e.g. [64]; every dimension positive.</param>
    /// <param name="classCount">The number of classes; 0 when the labels are not class indices.</param>
    /// <param name="classNames">Optional names of the classes, exactly <paramref name="classCount"/> of them.</param>
    /// <exception cref="ArgumentException">When the lengths disagree, or a label is out of range
    /// (the message names the 0-based row, e.g. "label 12 in row 57 is outside [0, 10)").</exception>
    public InMemoryDataset(float[] features, int[] labels, int[] featureShape, int classCount, IReadOnlyList<string>? classNames = null)
    {
        ArgumentNullException.ThrowIfNull(features);
        ArgumentNullException.ThrowIfNull(labels);
        const string op = "InMemoryDataset";
        FeatureCount = DatasetChecks.FeatureCountOf(featureShape, op);
        if (classCount < 0) throw new ArgumentOutOfRangeException(nameof(classCount), $"{op}: the class count must not be negative, got {classCount}.");
        if ((long)labels.Length * FeatureCount != features.Length)
            throw new ArgumentException($"{op}: {features.Length} feature values given for {labels.Length} samples of {FeatureCount} features (expected {(long)labels.Length * FeatureCount}).");
        if (classNames != null && classNames.Count != classCount)
            throw new ArgumentException($"{op}: {classNames.Count} class names given for {classCount} classes.");
        int bad = DatasetChecks.FirstLabelOutOfRange(labels, classCount);
        if (bad >= 0) throw new ArgumentException($"{op}: {DatasetChecks.LabelOutOfRange(labels[bad], bad, classCount)}.");
        _features = features;
        _labels = labels;
        _featureShape = (int[])featureShape.Clone();
        ClassCount = classCount;
        ClassNames = classNames;
    }

    /// <inheritdoc/>
    public int Count => _labels.Length;

    /// <inheritdoc/>
    public int[] FeatureShape => (int[])_featureShape.Clone();

    /// <inheritdoc/>
    public int FeatureCount { get; }

    /// <inheritdoc/>
    public int ClassCount { get; }

    /// <inheritdoc/>
    public IReadOnlyList<string>? ClassNames { get; }

    /// <summary>All features, row-major [Count, FeatureCount].</summary>
    public ReadOnlySpan<float> Features => _features;

    /// <summary>All labels, one per sample.</summary>
    public ReadOnlySpan<int> Labels => _labels;

    /// <summary>The features of sample <paramref name="index"/> (a view, no copy).</summary>
    /// <exception cref="ArgumentOutOfRangeException">When <paramref name="index"/> is not in [0, Count).</exception>
    public ReadOnlySpan<float> GetFeatures(int index)
    {
        CheckIndex(index, "InMemoryDataset.GetFeatures");
        return new ReadOnlySpan<float>(_features, index * FeatureCount, FeatureCount);
    }

    /// <inheritdoc/>
    public void CopyFeatures(int index, Span<float> destination)
    {
        CheckIndex(index, "InMemoryDataset.CopyFeatures");
        if (destination.Length < FeatureCount)
            throw new ArgumentException($"InMemoryDataset.CopyFeatures: destination has {destination.Length} elements, {FeatureCount} needed.", nameof(destination));
        new ReadOnlySpan<float>(_features, index * FeatureCount, FeatureCount).CopyTo(destination);
    }

    /// <inheritdoc/>
    public int GetLabel(int index)
    {
        CheckIndex(index, "InMemoryDataset.GetLabel");
        return _labels[index];
    }

    /// <summary>A new dataset of the samples at <paramref name="indices"/>, in that order (repeats allowed).</summary>
    /// <exception cref="ArgumentOutOfRangeException">When an index is not in [0, Count).</exception>
    public InMemoryDataset Subset(ReadOnlySpan<int> indices)
    {
        int f = FeatureCount;
        var features = new float[(long)indices.Length * f];
        var labels = new int[indices.Length];
        for (int i = 0; i < indices.Length; i++)
        {
            int src = indices[i];
            CheckIndex(src, "InMemoryDataset.Subset");
            Array.Copy(_features, (long)src * f, features, (long)i * f, f);
            labels[i] = _labels[src];
        }
        return new InMemoryDataset(features, labels, _featureShape, ClassCount, ClassNames);
    }

    /// <summary>
    /// Splits the samples at random into a training and a test set. The test set gets
    /// round(Count * <paramref name="testFraction"/>) samples (halves rounded away from zero) chosen by a
    /// Fisher–Yates shuffle of a <see cref="RandomSource"/> seeded with <paramref name="seed"/>; the rest go to
    /// training. Both parts keep the original sample order. Same seed, same split.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">When <paramref name="testFraction"/> is not in [0, 1].</exception>
    public (InMemoryDataset Train, InMemoryDataset Test) Split(double testFraction, ulong seed)
    {
        CheckFraction(testFraction, "InMemoryDataset.Split");
        var order = Identity(Count);
        new RandomSource(seed).Shuffle(order.AsSpan());
        int testCount = RoundCount(Count * testFraction);
        return SplitByMask(order.AsSpan(0, testCount));
    }

    /// <summary>
    /// Like <see cref="Split"/>, but keeps each class's share equal in both parts. The test set gets
    /// round(Count * <paramref name="testFraction"/>) samples in total, allocated to the classes by largest
    /// remainder: each class c with n_c samples gets floor(n_c * fraction), and the samples still missing go one
    /// each to the classes with the largest fractional parts (ties to the lower class index). Within each class
    /// (in class order) the samples are chosen by a shuffle of one <see cref="RandomSource"/> seeded with
    /// <paramref name="seed"/>. Both parts keep the original sample order.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">When <paramref name="testFraction"/> is not in [0, 1].</exception>
    /// <exception cref="InvalidOperationException">When the dataset has no classes (ClassCount is 0).</exception>
    public (InMemoryDataset Train, InMemoryDataset Test) StratifiedSplit(double testFraction, ulong seed)
    {
        const string op = "InMemoryDataset.StratifiedSplit";
        CheckFraction(testFraction, op);
        if (ClassCount == 0) throw new InvalidOperationException($"{op}: the dataset has no classes (ClassCount is 0).");
        int k = ClassCount;
        var byClass = new List<int>[k];
        for (int c = 0; c < k; c++) byClass[c] = new List<int>();
        for (int i = 0; i < _labels.Length; i++) byClass[_labels[i]].Add(i);

        var take = new int[k];
        var remainder = new double[k];
        int total = RoundCount(Count * testFraction), assigned = 0;
        for (int c = 0; c < k; c++)
        {
            double exact = byClass[c].Count * testFraction;
            take[c] = (int)Math.Floor(exact);
            remainder[c] = exact - take[c];
            assigned += take[c];
        }
        var byRemainder = Identity(k);
        // Stable order: largest remainder first, then lower class index.
        Array.Sort(byRemainder, (a, b) => remainder[a] != remainder[b] ? remainder[b].CompareTo(remainder[a]) : a.CompareTo(b));
        for (int j = 0; assigned < total && j < k; j++)
        {
            int c = byRemainder[j];
            if (take[c] < byClass[c].Count) { take[c]++; assigned++; }
        }

        var random = new RandomSource(seed);
        var test = new List<int>(total);
        for (int c = 0; c < k; c++)
        {
            var members = byClass[c].ToArray();
            random.Shuffle(members.AsSpan());
            test.AddRange(members.AsSpan(0, take[c]));
        }
        return SplitByMask(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(test));
    }

    /// <summary>
    /// A new dataset whose features are this one's passed through <paramref name="preprocessor"/>
    /// (which must already be fitted, typically on the training set, so that the training statistics are
    /// applied to the test data). The labels are shared, the features copied.
    /// </summary>
    /// <exception cref="ArgumentException">When the preprocessor was fitted to another number of features.</exception>
    /// <exception cref="InvalidOperationException">When the preprocessor has not been fitted.</exception>
    public InMemoryDataset Transform(IPreprocessor preprocessor)
    {
        ArgumentNullException.ThrowIfNull(preprocessor);
        if (!preprocessor.IsFitted) throw new InvalidOperationException("InMemoryDataset.Transform: the preprocessor has not been fitted.");
        if (preprocessor.FeatureCount != FeatureCount)
            throw new ArgumentException($"InMemoryDataset.Transform: the preprocessor was fitted to {preprocessor.FeatureCount} features, the dataset has {FeatureCount}.");
        var features = (float[])_features.Clone();
        preprocessor.TransformBatch(features, Count);
        return new InMemoryDataset(features, _labels, _featureShape, ClassCount, ClassNames);
    }

    /// <summary>The same samples with other class names (no copy).</summary>
    internal InMemoryDataset WithClassNames(IReadOnlyList<string>? names) => new(_features, _labels, _featureShape, ClassCount, names);

    /// <summary>The number of samples of each class, indexed by label (length ClassCount).</summary>
    public int[] CountPerClass()
    {
        var counts = new int[ClassCount];
        foreach (int label in _labels) if ((uint)label < (uint)counts.Length) counts[label]++;
        return counts;
    }

    private (InMemoryDataset, InMemoryDataset) SplitByMask(ReadOnlySpan<int> testIndices)
    {
        var isTest = new bool[Count];
        foreach (int i in testIndices) isTest[i] = true;
        var train = new int[Count - testIndices.Length];
        var test = new int[testIndices.Length];
        int a = 0, b = 0;
        for (int i = 0; i < Count; i++)
        {
            if (isTest[i]) test[b++] = i;
            else train[a++] = i;
        }
        return (Subset(train), Subset(test));
    }

    private static int[] Identity(int n)
    {
        var order = new int[n];
        for (int i = 0; i < n; i++) order[i] = i;
        return order;
    }

    private static int RoundCount(double x) => (int)Math.Round(x, MidpointRounding.AwayFromZero);

    private static void CheckFraction(double fraction, string op)
    {
        if (!(fraction >= 0 && fraction <= 1))
            throw new ArgumentOutOfRangeException("testFraction", $"{op}: the test fraction must be in [0, 1], got {fraction}.");
    }

    private void CheckIndex(int index, string op)
    {
        if ((uint)index >= (uint)_labels.Length)
            throw new ArgumentOutOfRangeException(nameof(index), $"{op}: sample index {index} is outside [0, {_labels.Length}).");
    }
}
