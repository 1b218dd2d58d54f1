using System.Globalization;
using System.Text;

namespace NeuralSharp.Data;

/// <summary>
/// Loads a classification dataset from delimited text (CSV): numeric feature columns and one label column.
/// <list type="bullet">
/// <item>Separator: ',' unless ';' or tab occurs more often in the first line (or as given).</item>
/// <item>Header: detected when a feature field of the first row is not a number (or as given). A first row whose
/// only non-numeric field is the label, while every other row's label is a number, is also taken as a header.</item>
/// <item>Fields may be quoted ("a,b", "say ""hi"""); blank lines are skipped; LF, CRLF and CR end lines;
/// gzip-compressed files are detected by their magic bytes.</item>
/// <item>Features are parsed with the invariant culture (decimal point '.') and must be finite floats.</item>
/// <item>Labels: when every label is a non-negative integer ("3" or "3.0") it is the class index and ClassCount is
/// max + 1 (or the classCount given); otherwise the distinct label strings, sorted ordinally, become the
/// ClassNames and the labels their indices (or the classNames given are used, e.g. those of a training set).</item>
/// </list>
/// Errors are <see cref="DataFormatException"/>s naming the file, the 1-based line and column (field number)
/// and the problem.
/// </summary>
public static class CsvDataset
{
    /// <summary>Loads the CSV file at <paramref name="path"/> (gzip-compressed or not). See <see cref="CsvDataset"/>.</summary>
    /// <param name="path">The file to read.</param>
    /// <param name="labelColumn">The name of the label column (the file must have a header).</param>
    /// <param name="labelIndex">The 0-based index of the label column; default the last column.</param>
    /// <param name="hasHeader">Whether the first row is a header; default detect.</param>
    /// <param name="separator">The field separator; default detect among ',', ';' and tab.</param>
    /// <param name="classCount">The number of classes for integer labels; default max label + 1.</param>
    /// <param name="classNames">The class names for string labels, indexed by class; default the distinct labels sorted ordinally.</param>
    /// <exception cref="DataFormatException">When the file is empty, a row has the wrong number of fields, a feature is
    /// not a finite number, a quote is malformed, or a label is out of range or not among <paramref name="classNames"/>.</exception>
    /// <exception cref="ArgumentException">When the options contradict each other or the file (e.g. no column named
    /// <paramref name="labelColumn"/>).</exception>
    public static InMemoryDataset Load(string path, string? labelColumn = null, int? labelIndex = null, bool? hasHeader = null,
        char? separator = null, int? classCount = null, IReadOnlyList<string>? classNames = null)
    {
        ArgumentNullException.ThrowIfNull(path);
        using var stream = DataStreams.OpenRead(path, out _);
        using var reader = new StreamReader(stream, Encoding.UTF8, detectEncodingFromByteOrderMarks: true);
        return Parse(reader, path, labelColumn, labelIndex, hasHeader, separator, classCount, classNames);
    }

    /// <summary>
    /// Parses CSV text from <paramref name="reader"/>; <paramref name="sourceName"/> names it in errors. The options
    /// are those of <see cref="Load"/>.
    /// </summary>
    /// <exception cref="DataFormatException">See <see cref="Load"/>.</exception>
    /// <exception cref="ArgumentException">See <see cref="Load"/>.</exception>
    public static InMemoryDataset Parse(TextReader reader, string sourceName, string? labelColumn = null, int? labelIndex = null,
        bool? hasHeader = null, char? separator = null, int? classCount = null, IReadOnlyList<string>? classNames = null)
    {
        ArgumentNullException.ThrowIfNull(reader);
        ArgumentNullException.ThrowIfNull(sourceName);
        const string op = "CsvDataset";
        if (labelColumn != null && labelIndex != null) throw new ArgumentException($"{op}: give either labelColumn or labelIndex, not both.");
        if (labelColumn != null && hasHeader == false) throw new ArgumentException($"{op}: labelColumn '{labelColumn}' needs a header, but hasHeader is false.");
        if (classCount is < 1) throw new ArgumentOutOfRangeException(nameof(classCount), $"{op}: classCount must be positive, got {classCount}.");
        if (classNames != null && classCount != null && classNames.Count != classCount)
            throw new ArgumentException($"{op}: {classNames.Count} class names given for classCount {classCount}.");
        if (separator is '"' or '\r' or '\n') throw new ArgumentException($"{op}: the separator cannot be a quote or a line break.");

        var records = new CsvRecordReader(reader, sourceName);
        records.Separator = separator ?? records.DetectSeparator();
        if (!records.ReadRecord()) throw new DataFormatException("empty file: no rows", sourceName, line: 1);

        int fieldCount = records.FieldCount;
        int firstLine = records.RecordLine;
        var firstRow = new string[fieldCount];
        for (int i = 0; i < fieldCount; i++) firstRow[i] = records.Field(i).ToString();
        if (fieldCount < 2)
            throw new DataFormatException($"found {fieldCount} column (separator '{Printable(records.Separator)}'); at least one feature column and the label column are needed", sourceName, line: firstLine);

        int label;
        bool header;
        if (labelColumn != null)
        {
            header = true;
            label = Array.IndexOf(firstRow, labelColumn);
            if (label < 0)
                throw new ArgumentException($"{op}: {sourceName} has no column named '{labelColumn}' (columns: {string.Join(", ", firstRow.Select(n => $"'{n}'"))}).");
        }
        else
        {
            label = labelIndex ?? fieldCount - 1;
            if ((uint)label >= (uint)fieldCount)
                throw new ArgumentOutOfRangeException(nameof(labelIndex), $"{op}: label index {label} is outside the {fieldCount} columns of {sourceName}.");
            header = hasHeader ?? Enumerable.Range(0, fieldCount).Any(i => i != label && !TryParseNumber(firstRow[i], out _));
        }

        var builder = new Builder(sourceName, fieldCount, firstLine, label, header ? firstRow : null);
        if (!header) builder.AddRow(records);
        while (records.ReadRecord()) builder.AddRow(records);

        // A first row that differs from the others only by a non-numeric label is a header of numeric names.
        if (!header && hasHeader == null && builder.FirstLabelIsOnlyNonNumber()) builder.DropFirstRow(firstRow);
        return builder.Build(classCount, classNames);
    }

    internal static bool TryParseNumber(ReadOnlySpan<char> text, out double value) =>
        double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out value);

    private static string Printable(char c) => c == '\t' ? "\\t" : c.ToString();

    /// <summary>Accumulates rows: features as floats, labels interned by their text.</summary>
    private sealed class Builder(string source, int fieldCount, int firstLine, int labelColumn, string[]? header)
    {
        private readonly int _featureCount = fieldCount - 1;
        private float[] _features = new float[1024];
        private int _rows;
        private readonly List<int> _labelIds = [];
        private readonly List<int> _lines = [];
        private readonly Dictionary<string, int> _labelTexts = new(StringComparer.Ordinal);
        private readonly List<string> _distinct = [];
        private string[]? _header = header;

        public void AddRow(CsvRecordReader r)
        {
            if (r.FieldCount != fieldCount)
                throw new DataFormatException($"expected {fieldCount} fields (as in line {firstLine}), found {r.FieldCount}",
                    source, line: r.RecordLine, column: Math.Min(r.FieldCount, fieldCount) + 1);
            long needed = (long)(_rows + 1) * _featureCount;
            if (needed > _features.Length)
            {
                if (needed > Array.MaxLength) throw new DataFormatException("too many values for one array", source, line: r.RecordLine);
                Array.Resize(ref _features, (int)Math.Min(Array.MaxLength, Math.Max(needed, 2L * _features.Length)));
            }
            int k = _rows * _featureCount;
            for (int i = 0; i < fieldCount; i++)
            {
                if (i == labelColumn) continue;
                var text = r.Field(i);
                if (!TryParseNumber(text, out double v))
                    throw new DataFormatException($"{Describe(text)} in feature column{ColumnName(i)} is not a number", source, line: r.RecordLine, column: i + 1);
                float f = (float)v;
                if (!float.IsFinite(f))
                    throw new DataFormatException($"{Describe(text)} in feature column{ColumnName(i)} is not a finite float", source, line: r.RecordLine, column: i + 1);
                _features[k++] = f;
            }
            var lookup = _labelTexts.GetAlternateLookup<ReadOnlySpan<char>>();
            var labelText = r.Field(labelColumn);
            if (!lookup.TryGetValue(labelText, out int id))
            {
                id = _distinct.Count;
                string s = labelText.ToString();
                _labelTexts.Add(s, id);
                _distinct.Add(s);
            }
            _labelIds.Add(id);
            _lines.Add(r.RecordLine);
            _rows++;
        }

        private string ColumnName(int i) => _header != null ? $" '{_header[i]}'" : "";

        private static string Describe(ReadOnlySpan<char> text) =>
            text.Length == 0 ? "an empty field" : $"'{(text.Length > 40 ? text[..40].ToString() + "..." : text.ToString())}'";

        private static bool IsClassIndex(string text, out int index)
        {
            index = -1;
            if (!TryParseNumber(text, out double v) || v < 0 || v != Math.Floor(v) || v >= int.MaxValue) return false;
            index = (int)v;
            return true;
        }

        public bool FirstLabelIsOnlyNonNumber()
        {
            if (_rows < 2) return false;
            int firstId = _labelIds[0];
            if (IsClassIndex(_distinct[firstId], out _)) return false;
            for (int r = 1; r < _rows; r++)
                if (_labelIds[r] == firstId) return false;
            for (int id = 0; id < _distinct.Count; id++)
                if (id != firstId && !IsClassIndex(_distinct[id], out _)) return false;
            return true;
        }

        public void DropFirstRow(string[] header)
        {
            _header = header;
            Array.Copy(_features, _featureCount, _features, 0, (long)(_rows - 1) * _featureCount);
            _labelTexts.Remove(_distinct[_labelIds[0]]);
            _labelIds.RemoveAt(0);
            _lines.RemoveAt(0);
            _rows--;
        }

        public InMemoryDataset Build(int? classCount, IReadOnlyList<string>? classNames)
        {
            if (_rows == 0) throw new DataFormatException("no data rows (only a header)", source, line: _header != null ? 2 : 1);
            // The class index of each distinct label text.
            var classOf = new int[_distinct.Count];
            int count;
            IReadOnlyList<string>? names = null;
            bool used(int id) => _labelTexts.ContainsKey(_distinct[id]);
            bool numeric = true;
            for (int id = 0; id < _distinct.Count && numeric; id++)
                numeric = !used(id) || IsClassIndex(_distinct[id], out _);

            if (classNames != null)
            {
                var index = new Dictionary<string, int>(StringComparer.Ordinal);
                for (int c = 0; c < classNames.Count; c++) index.TryAdd(classNames[c], c);
                for (int id = 0; id < _distinct.Count; id++)
                    classOf[id] = used(id) && index.TryGetValue(_distinct[id], out int c) ? c : -1;
                count = classNames.Count;
                names = classNames;
                int bad = FirstRow(r => classOf[_labelIds[r]] < 0);
                if (bad >= 0)
                    throw new DataFormatException($"label '{_distinct[_labelIds[bad]]}' in row {bad} is not one of the {count} class names given",
                        source, line: _lines[bad], column: labelColumn + 1);
            }
            else if (numeric)
            {
                int max = -1;
                for (int id = 0; id < _distinct.Count; id++)
                    if (used(id)) { IsClassIndex(_distinct[id], out classOf[id]); max = Math.Max(max, classOf[id]); }
                count = classCount ?? max + 1;
                int bad = FirstRow(r => classOf[_labelIds[r]] >= count);
                if (bad >= 0)
                    throw new DataFormatException(DatasetChecks.LabelOutOfRange(classOf[_labelIds[bad]], bad, count),
                        source, line: _lines[bad], column: labelColumn + 1);
            }
            else
            {
                var sorted = Enumerable.Range(0, _distinct.Count).Where(used).Select(id => _distinct[id]).ToArray();
                Array.Sort(sorted, StringComparer.Ordinal);
                for (int c = 0; c < sorted.Length; c++) classOf[_labelTexts[sorted[c]]] = c;
                count = sorted.Length;
                if (classCount != null && classCount != count)
                    throw new DataFormatException($"found {count} distinct non-numeric labels but classCount is {classCount}; pass classNames to fix the mapping", source);
                names = sorted;
            }

            var labels = new int[_rows];
            for (int r = 0; r < _rows; r++) labels[r] = classOf[_labelIds[r]];
            var features = _features.Length == _rows * _featureCount ? _features : _features.AsSpan(0, _rows * _featureCount).ToArray();
            return new InMemoryDataset(features, labels, [_featureCount], count, names);
        }

        private int FirstRow(Func<int, bool> bad)
        {
            for (int r = 0; r < _rows; r++) if (bad(r)) return r;
            return -1;
        }
    }
}
