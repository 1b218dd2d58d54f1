using System.Text;

namespace NeuralSharp.Data;

/// <summary>
/// Datasets shipped inside the library, so that examples and tests run without downloads.
/// </summary>
public static class EmbeddedDatasets
{
    /// <summary>The manifest resource name of the digits data (gzip-compressed CSV).</summary>
    public const string DigitsResourceName = "NeuralSharp.Data.digits.csv.gz";

    /// <summary>The seed of the fixed split of <see cref="DigitsTrainTest"/>.</summary>
    public const ulong DigitsSplitSeed = 0;

    /// <summary>The test fraction of the fixed split of <see cref="DigitsTrainTest"/>.</summary>
    public const double DigitsTestFraction = 0.2;

    /// <summary>
    /// The UCI "Optical Recognition of Handwritten Digits" test set (E. Alpaydin, C. Kaynak, 1998; CC BY 4.0,
    /// https://archive.ics.uci.edu/dataset/80): 1797 samples of 8x8 images, FeatureShape [64], raw integer
    /// pixel values 0..16 (not scaled — fit a <see cref="Standardizer"/> or <see cref="MinMaxScaler"/> on the
    /// training part), labels 0-9 (ClassCount 10, ClassNames "0".."9"). Parsed afresh on every call (a few milliseconds).
    /// </summary>
    /// <exception cref="InvalidOperationException">When the resource is missing from the assembly.</exception>
    public static InMemoryDataset Digits()
    {
        using var resource = typeof(EmbeddedDatasets).Assembly.GetManifestResourceStream(DigitsResourceName)
            ?? throw new InvalidOperationException($"EmbeddedDatasets.Digits: resource '{DigitsResourceName}' is missing from {typeof(EmbeddedDatasets).Assembly.GetName().Name}.");
        using var stream = DataStreams.Decompress(resource, leaveOpen: false, out _);
        using var reader = new StreamReader(stream, Encoding.UTF8);
        var names = new string[10];
        for (int i = 0; i < names.Length; i++) names[i] = i.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return CsvDataset.Parse(reader, DigitsResourceName, hasHeader: false, separator: ',', classCount: 10).WithClassNames(names);
    }

    /// <summary>
    /// <see cref="Digits"/> split by <see cref="InMemoryDataset.StratifiedSplit"/> with test fraction
    /// <see cref="DigitsTestFraction"/> (0.2) and seed <see cref="DigitsSplitSeed"/> (0): 1438 training and 359 test
    /// samples, each class in proportion, the same on every machine and run.
    /// </summary>
    public static (InMemoryDataset Train, InMemoryDataset Test) DigitsTrainTest() =>
        Digits().StratifiedSplit(DigitsTestFraction, DigitsSplitSeed);
}
