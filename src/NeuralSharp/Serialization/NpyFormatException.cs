namespace NeuralSharp.Serialization;

/// <summary>
/// A NumPy <c>.npy</c> file, or an <c>.npz</c> archive or one of its members, is malformed. The message names
/// the file, the member (for <c>.npz</c>), the byte offset where the problem was found (from the start of the
/// <c>.npy</c> data; unknown for errors in the zip structure) and what is wrong. An <see cref="IOException"/>
/// (<see cref="InvalidDataException"/>, the natural base, is sealed).
/// </summary>
public sealed class NpyFormatException : IOException
{
    /// <summary>
    /// Creates the exception; the message is "<c>file</c>[, member '<c>m</c>']: invalid .npy data at byte
    /// <c>offset</c>: <c>problem</c>", or "<c>file</c>: invalid .npz archive: <c>problem</c>" when there is no offset.
    /// </summary>
    /// <param name="filePath">The file path or stream name, or null when unknown.</param>
    /// <param name="member">The .npz member's name (with ".npy"), or null for a plain .npy file.</param>
    /// <param name="byteOffset">Offset from the start of the .npy data (of the member, for .npz), or null when unknown.</param>
    /// <param name="problem">What is wrong, and what was expected.</param>
    /// <param name="innerException">The underlying error, if any (for example the zip reader's).</param>
    public NpyFormatException(string? filePath, string? member, long? byteOffset, string problem, Exception? innerException = null)
        : base(Compose(filePath, member, byteOffset, problem), innerException)
    {
        FilePath = filePath;
        Member = member;
        ByteOffset = byteOffset;
        Problem = problem;
    }

    /// <summary>The file path or stream name given to the reader, or null.</summary>
    public string? FilePath { get; }

    /// <summary>The .npz member the problem is in, or null (a plain .npy file, or the zip structure itself).</summary>
    public string? Member { get; }

    /// <summary>Offset in bytes from the start of the .npy data (0 = the magic string), or null when unknown.</summary>
    public long? ByteOffset { get; }

    /// <summary>The description of the problem, without the file name and offset.</summary>
    public string Problem { get; }

    private static string Compose(string? filePath, string? member, long? byteOffset, string problem)
    {
        string where = (filePath ?? "(stream)") + (member != null ? $", member '{member}'" : "");
        return byteOffset is long offset
            ? $"{where}: invalid .npy data at byte {offset}: {problem}"
            : $"{where}: invalid .npz archive: {problem}";
    }
}
