using System.Text;

namespace NeuralSharp.Data;

/// <summary>
/// Reads unlabelled feature rows from delimited text (for prediction): every row has exactly the
/// expected number of numeric fields; a first row with a non-numeric field is a header and skipped.
/// Separator, quoting, line endings and gzip detection as in <see cref="CsvDataset"/>.
/// </summary>
public static class CsvFeatures
{
    /// <summary>Loads the rows of <paramref name="path"/> as a row-major [rows, featureCount] array.</summary>
    /// <exception cref="DataFormatException">Naming the file, line and column of a wrong field count or a non-numeric value, or an empty file.</exception>
    public static (float[] Values, int Rows) Load(string path, int featureCount)
    {
        ArgumentNullException.ThrowIfNull(path);
        using var stream = DataStreams.OpenRead(path, out _);
        using var reader = new StreamReader(stream, Encoding.UTF8, detectEncodingFromByteOrderMarks: true);
        return Parse(reader, path, featureCount);
    }

    /// <summary>Parses feature rows from <paramref name="reader"/>; <paramref name="sourceName"/> names it in errors.</summary>
    /// <exception cref="DataFormatException">See <see cref="Load"/>.</exception>
    public static (float[] Values, int Rows) Parse(TextReader reader, string sourceName, int featureCount)
    {
        if (featureCount <= 0) throw new ArgumentOutOfRangeException(nameof(featureCount), $"CsvFeatures: featureCount must be positive, got {featureCount}.");
        var records = new CsvRecordReader(reader, sourceName);
        records.Separator = records.DetectSeparator();
        var values = new List<float>(featureCount * 16);
        int rows = 0;
        bool first = true;
        while (records.ReadRecord())
        {
            if (records.FieldCount != featureCount)
                throw new DataFormatException($"expected {featureCount} features per row (the model's input), found {records.FieldCount} fields", sourceName, line: records.RecordLine);
            if (first)
            {
                first = false;
                bool header = false;
                for (int i = 0; i < featureCount && !header; i++) header = !CsvDataset.TryParseNumber(records.Field(i), out _);
                if (header) continue;
            }
            for (int i = 0; i < featureCount; i++)
            {
                if (!CsvDataset.TryParseNumber(records.Field(i), out double v) || !double.IsFinite(v))
                    throw new DataFormatException($"'{records.Field(i).ToString()}' is not a finite number", sourceName, line: records.RecordLine, column: i + 1);
                values.Add((float)v);
            }
            rows++;
        }
        if (rows == 0) throw new DataFormatException("no feature rows", sourceName, line: 1);
        return (values.ToArray(), rows);
    }
}
