using System.Text;

namespace NeuralSharp.Data;

/// <summary>
/// A data file (IDX, CSV, ...) is malformed. The message starts with where the problem is — the file,
/// and the byte offset or the 1-based line and column — followed by what was wrong; the same location is
/// available in <see cref="FilePath"/>, <see cref="ByteOffset"/>, <see cref="Line"/> and <see cref="Column"/>.
/// It is an <see cref="IOException"/> (as are <see cref="FileNotFoundException"/> and
/// <see cref="DirectoryNotFoundException"/>), so one catch covers missing and malformed files.
/// (<see cref="InvalidDataException"/>, the natural base, is sealed.)
/// </summary>
public class DataFormatException : IOException
{
    /// <summary>Creates an exception with no location.</summary>
    public DataFormatException() { }

    /// <summary>Creates an exception with a message and no location.</summary>
    public DataFormatException(string message) : base(message) { }

    /// <summary>Creates an exception with a message, an inner exception and no location.</summary>
    public DataFormatException(string message, Exception? innerException) : base(message, innerException) { }

    /// <summary>
    /// Creates an exception whose message is "<paramref name="filePath"/>, line L, column C, offset O: <paramref name="problem"/>"
    /// (the parts that are null are left out).
    /// </summary>
    /// <param name="problem">What was wrong, e.g. "bad magic number 0x12345678".</param>
    /// <param name="filePath">The file (or other source name) being read.</param>
    /// <param name="byteOffset">The 0-based byte offset of the problem (in the decompressed data for gzip files).</param>
    /// <param name="line">The 1-based line of the problem (text formats).</param>
    /// <param name="column">The 1-based column (field number) of the problem (text formats).</param>
    /// <param name="innerException">The underlying exception, if any.</param>
    public DataFormatException(string problem, string? filePath, long? byteOffset = null, int? line = null, int? column = null, Exception? innerException = null)
        : base(Compose(problem, filePath, byteOffset, line, column), innerException)
    {
        FilePath = filePath;
        ByteOffset = byteOffset;
        Line = line;
        Column = column;
    }

    /// <summary>The file (or source name) that is malformed, when known.</summary>
    public string? FilePath { get; }

    /// <summary>The 0-based byte offset of the problem, when known (in the decompressed data for gzip files).</summary>
    public long? ByteOffset { get; }

    /// <summary>The 1-based line of the problem, for text formats.</summary>
    public int? Line { get; }

    /// <summary>The 1-based column (field number) of the problem, for delimited text formats.</summary>
    public int? Column { get; }

    private static string Compose(string problem, string? filePath, long? byteOffset, int? line, int? column)
    {
        var sb = new StringBuilder();
        if (filePath != null) sb.Append(filePath);
        void Part(string text)
        {
            if (sb.Length > 0) sb.Append(", ");
            sb.Append(text);
        }
        if (line is int l) Part($"line {l}");
        if (column is int c) Part($"column {c}");
        if (byteOffset is long o) Part($"offset {o}");
        if (sb.Length > 0) sb.Append(": ");
        return sb.Append(problem).ToString();
    }
}
