using NeuralSharp.Data;

namespace NeuralSharp.Tests.Training;

/// <summary>The embedded digits split, standardised with statistics of the training part (parsed once per test run).</summary>
internal static class DigitsData
{
    private static readonly Lazy<(InMemoryDataset Train, InMemoryDataset Test, Standardizer Standardizer)> Data = new(() =>
    {
        var (train, test) = EmbeddedDatasets.DigitsTrainTest();
        var standardizer = new Standardizer();
        standardizer.Fit(train);
        return (train.Transform(standardizer), test.Transform(standardizer), standardizer);
    });

    public static InMemoryDataset Train => Data.Value.Train;

    public static InMemoryDataset Test => Data.Value.Test;

    public static Standardizer Standardizer => Data.Value.Standardizer;
}
