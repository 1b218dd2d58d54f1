using NeuralSharp.Data;

namespace NeuralSharp.Tests.Data;

public class InMemoryDatasetTests
{
    /// <summary>n samples of 2 features (i, -i), labels i % classes.</summary>
    internal static InMemoryDataset Numbered(int n, int classes = 3)
    {
        var features = new float[2 * n];
        var labels = new int[n];
        for (int i = 0; i < n; i++)
        {
            features[2 * i] = i;
            features[2 * i + 1] = -i;
            labels[i] = i % classes;
        }
        return new InMemoryDataset(features, labels, [2], classes);
    }

    [Fact]
    public void LabelOutOfRangeNamesTheRow()
    {
        var labels = new int[60];
        labels[57] = 12;
        var e = Assert.Throws<ArgumentException>(() => new InMemoryDataset(new float[60], labels, [1], 10));
        Assert.Contains("label 12 in row 57 is outside [0, 10)", e.Message);
        labels[57] = -1;
        Assert.Contains("label -1 in row 57", Assert.Throws<ArgumentException>(() => new InMemoryDataset(new float[60], labels, [1], 10)).Message);
        Assert.Throws<ArgumentException>(() => new InMemoryDataset(new float[59], new int[60], [1], 10));
        Assert.Throws<ArgumentException>(() => new InMemoryDataset(new float[60], new int[60], [1], 2, ["only one"]));
        Assert.Equal(60, new InMemoryDataset(new float[60], labels, [1], 0).Count); // no classes: labels unchecked
    }

    [Fact]
    public void AccessorsAndSubset()
    {
        var d = Numbered(10);
        Assert.Equal(2, d.FeatureCount);
        var row = new float[2];
        d.CopyFeatures(4, row);
        Assert.Equal(new float[] { 4, -4 }, row);
        Assert.Equal(1, d.GetLabel(4));
        Assert.Equal(new float[] { 4, -4 }, d.GetFeatures(4).ToArray());
        Assert.Throws<ArgumentOutOfRangeException>(() => d.GetLabel(10));
        Assert.Throws<ArgumentException>(() => d.CopyFeatures(0, new float[1]));

        var s = d.Subset([7, 2, 7]);
        Assert.Equal(new float[] { 7, -7, 2, -2, 7, -7 }, s.Features.ToArray());
        Assert.Equal(new[] { 1, 2, 1 }, s.Labels.ToArray());
        Assert.Throws<ArgumentOutOfRangeException>(() => d.Subset([10]));
    }

    [Fact]
    public void SplitIsDeterministicDisjointAndComplete()
    {
        var d = Numbered(101);
        var (train, test) = d.Split(0.25, seed: 42);
        Assert.Equal(25, test.Count); // round(25.25)
        Assert.Equal(76, train.Count);
        var ids = train.Features.ToArray().Where((_, k) => k % 2 == 0).Concat(test.Features.ToArray().Where((_, k) => k % 2 == 0)).Select(f => (int)f).Order();
        Assert.Equal(Enumerable.Range(0, 101), ids);

        var (train2, test2) = d.Split(0.25, seed: 42);
        Assert.Equal(test.Features.ToArray(), test2.Features.ToArray());
        Assert.Equal(train.Features.ToArray(), train2.Features.ToArray());
        var (_, other) = d.Split(0.25, seed: 43);
        Assert.NotEqual(test.Features.ToArray(), other.Features.ToArray());

        // Both parts keep the original order.
        var testIds = test.Features.ToArray().Where((_, k) => k % 2 == 0).ToArray();
        Assert.Equal(testIds.Order(), testIds);

        Assert.Throws<ArgumentOutOfRangeException>(() => d.Split(1.5, 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => d.Split(double.NaN, 0));
        Assert.Equal(0, d.Split(0, 0).Test.Count);
    }

    [Fact]
    public void StratifiedSplitKeepsClassProportions()
    {
        // Unbalanced: class 0 has 50, class 1 has 30, class 2 has 7 samples.
        var labels = Enumerable.Repeat(0, 50).Concat(Enumerable.Repeat(1, 30)).Concat(Enumerable.Repeat(2, 7)).ToArray();
        var features = Enumerable.Range(0, labels.Length).Select(i => (float)i).ToArray();
        var d = new InMemoryDataset(features, labels, [1], 3);
        var (train, test) = d.StratifiedSplit(0.2, seed: 9);
        Assert.Equal(17, test.Count); // round(87 * 0.2 = 17.4)
        Assert.Equal(70, train.Count);
        // floor: 10, 6, 1 = 17 already.
        Assert.Equal(new[] { 10, 6, 1 }, test.CountPerClass());
        Assert.Equal(new[] { 40, 24, 6 }, train.CountPerClass());
        Assert.Equal(Enumerable.Range(0, 87).Select(i => (float)i), train.Features.ToArray().Concat(test.Features.ToArray()).Order());

        var (_, again) = d.StratifiedSplit(0.2, seed: 9);
        Assert.Equal(test.Features.ToArray(), again.Features.ToArray());

        // Largest remainders get the extra samples: 0.3 * (50, 30, 7) = 15, 9, 2.1 -> total round(26.1) = 26.
        Assert.Equal(new[] { 15, 9, 2 }, d.StratifiedSplit(0.3, 1).Test.CountPerClass());
        // 0.25 * (50, 30, 7) = 12.5, 7.5, 1.75 -> total round(21.75) = 22: floors 12, 7, 1 and remainders .5, .5, .75.
        Assert.Equal(new[] { 13, 7, 2 }, d.StratifiedSplit(0.25, 1).Test.CountPerClass());

        Assert.Throws<InvalidOperationException>(() => new InMemoryDataset(new float[2], [5, 6], [1], 0).StratifiedSplit(0.5, 0));
    }
}
