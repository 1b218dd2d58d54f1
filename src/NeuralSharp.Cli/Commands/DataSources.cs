using System.Globalization;
using NeuralSharp.Data;

namespace NeuralSharp.Cli.Commands;

/// <summary>Turns a --data argument into train and test sets.</summary>
internal static class DataSources
{
    public const string EmbeddedDigits = "digits (embedded UCI optical digits)";

    /// <summary>A labelled dataset pair and how it was found.</summary>
    public sealed record Loaded(InMemoryDataset Train, InMemoryDataset Test, string Description);

    /// <summary>
    /// null: the embedded digits set with its fixed split; a folder: IDX files (train-* and t10k-*);
    /// a file: CSV, split into train and test with <paramref name="testFraction"/>.
    /// </summary>
    public static Loaded Load(string? path, string? labelColumn, double testFraction, ulong seed)
    {
        if (string.IsNullOrEmpty(path))
        {
            var (train, test) = EmbeddedDatasets.DigitsTrainTest();
            return new Loaded(train, test, EmbeddedDigits);
        }
        if (Directory.Exists(path))
            return new Loaded(MnistDataset.Load(path, train: true), MnistDataset.Load(path, train: false), $"IDX folder {path}");
        if (!File.Exists(path)) throw new FileNotFoundException($"--data: no file or folder '{path}'.", path);
        var all = LoadCsv(path, labelColumn);
        var (csvTrain, csvTest) = all.StratifiedSplit(testFraction, seed);
        return new Loaded(csvTrain, csvTest, $"CSV {path}");
    }

    /// <summary>Loads a labelled evaluation set: the embedded digits' test split, an IDX folder's t10k files, or a whole CSV file.</summary>
    public static InMemoryDataset LoadForEvaluation(string? path, string? labelColumn)
    {
        if (string.IsNullOrEmpty(path) || path == "digits") return EmbeddedDatasets.DigitsTrainTest().Test;
        if (Directory.Exists(path)) return MnistDataset.Load(path, train: false);
        if (!File.Exists(path)) throw new FileNotFoundException($"--data: no file or folder '{path}'.", path);
        return LoadCsv(path, labelColumn);
    }

    private static InMemoryDataset LoadCsv(string path, string? labelColumn)
    {
        if (labelColumn == null) return CsvDataset.Load(path);
        return int.TryParse(labelColumn, NumberStyles.Integer, CultureInfo.InvariantCulture, out int index)
            ? CsvDataset.Load(path, labelIndex: index)
            : CsvDataset.Load(path, labelColumn: labelColumn);
    }
}
