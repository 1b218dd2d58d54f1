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
        {
            var names = ClassNamesFor(path);
            return new Loaded(MnistDataset.Load(path, train: true, names), MnistDataset.Load(path, train: false, names), $"IDX folder {path}");
        }
        if (!File.Exists(path)) throw new FileNotFoundException($"--data: no file or folder '{path}'.", path);
        var all = LoadCsv(path, labelColumn);
        var (csvTrain, csvTest) = all.StratifiedSplit(testFraction, seed);
        return new Loaded(csvTrain, csvTest, $"CSV {path}");
    }

    /// <summary>
    /// Loads a labelled evaluation set: the embedded digits' test split, an IDX folder's t10k files, or a whole
    /// CSV file whose labels are mapped with the model's classes (string labels by the model's class names).
    /// </summary>
    public static InMemoryDataset LoadForEvaluation(string? path, string? labelColumn, int classCount, IReadOnlyList<string>? classNames)
    {
        if (string.IsNullOrEmpty(path)) return EmbeddedDatasets.DigitsTrainTest().Test;
        if (Directory.Exists(path)) return MnistDataset.Load(path, train: false, classNames);
        if (!File.Exists(path)) throw new FileNotFoundException($"--data: no file or folder '{path}'.", path);
        return LoadCsv(path, labelColumn, classNames == null ? classCount : null, classNames);
    }

    /// <summary>Fashion-MNIST's class names for a folder whose name says it is Fashion-MNIST; digits otherwise.</summary>
    private static IReadOnlyList<string>? ClassNamesFor(string folder) =>
        Path.GetFileName(Path.TrimEndingDirectorySeparator(Path.GetFullPath(folder))).Contains("fashion", StringComparison.OrdinalIgnoreCase)
            ? MnistDataset.FashionMnistClassNames
            : null;

    private static InMemoryDataset LoadCsv(string path, string? labelColumn, int? classCount = null, IReadOnlyList<string>? classNames = null)
    {
        if (labelColumn == null) return CsvDataset.Load(path, classCount: classCount, classNames: classNames);
        return int.TryParse(labelColumn, NumberStyles.Integer, CultureInfo.InvariantCulture, out int index)
            ? CsvDataset.Load(path, labelIndex: index, classCount: classCount, classNames: classNames)
            : CsvDataset.Load(path, labelColumn: labelColumn, classCount: classCount, classNames: classNames);
    }
}
