using NeuralSharp.Data;

namespace NeuralSharp.Tests.Data;

public class EmbeddedDatasetsTests
{
    [Fact]
    public void DigitsHas1797SamplesOf64RawPixels()
    {
        var d = EmbeddedDatasets.Digits();
        Assert.Equal(1797, d.Count);
        Assert.Equal(new[] { 64 }, d.FeatureShape);
        Assert.Equal(10, d.ClassCount);
        Assert.Equal(Enumerable.Range(0, 10).Select(i => i.ToString()), d.ClassNames!);
        Assert.Equal(new[] { 178, 182, 177, 183, 181, 182, 181, 179, 174, 180 }, d.CountPerClass());
        Assert.Equal(0f, d.Features.ToArray().Min());
        Assert.Equal(16f, d.Features.ToArray().Max());
        Assert.All(d.Features.ToArray(), v => Assert.Equal(MathF.Round(v), v));
        // The first row of the file.
        Assert.Equal(new float[] { 0, 0, 5, 13, 9, 1, 0, 0 }, d.GetFeatures(0)[..8].ToArray());
        Assert.Equal(0, d.GetLabel(0));
        Assert.Equal(1, d.GetLabel(1));
    }

    [Fact]
    public void DigitsTrainTestIsAFixedStratifiedSplit()
    {
        var (train, test) = EmbeddedDatasets.DigitsTrainTest();
        Assert.Equal(1438, train.Count);
        Assert.Equal(359, test.Count);
        var all = EmbeddedDatasets.Digits().CountPerClass();
        var testCounts = test.CountPerClass();
        for (int c = 0; c < 10; c++)
        {
            Assert.InRange(testCounts[c], (int)Math.Floor(all[c] * 0.2), (int)Math.Ceiling(all[c] * 0.2));
            Assert.Equal(all[c], testCounts[c] + train.CountPerClass()[c]);
        }
        var (train2, test2) = EmbeddedDatasets.DigitsTrainTest();
        Assert.Equal(train.Features.ToArray(), train2.Features.ToArray());
        Assert.Equal(test.Labels.ToArray(), test2.Labels.ToArray());
    }
}
