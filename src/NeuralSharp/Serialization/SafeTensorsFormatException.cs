namespace NeuralSharp.Serialization;

/// <summary>
/// A safetensors file (or stream) is malformed: its message names the file, the byte offset from the
/// start of the file where the problem was found, and what is wrong. An <see cref="IOException"/>
/// (<see cref="InvalidDataException"/>, the natural base, is sealed).
/// </summary>
public sealed class SafeTensorsFormatException : IOException
{
    /// <summary>Creates the exception; the message becomes "<c>file</c>: invalid safetensors file at byte <c>offset</c>: <c>problem</c>".</summary>
    /// <param name="filePath">The file path or stream name, or null when unknown.</param>
    /// <param name="byteOffset">Offset from the start of the file where the problem was found.</param>
    /// <param name="problem">What is wrong, and what was expected.</param>
    /// <param name="innerException">The underlying error, if any (for example the JSON reader's).</param>
    public SafeTensorsFormatException(string? filePath, long byteOffset, string problem, Exception? innerException = null)
        : base($"{filePath ?? "(stream)"}: invalid safetensors file at byte {byteOffset}: {problem}", innerException)
    {
        FilePath = filePath;
        ByteOffset = byteOffset;
        Problem = problem;
    }

    /// <summary>The file path or stream name given to the loader, or null.</summary>
    public string? FilePath { get; }

    /// <summary>Offset in bytes from the start of the file (0 = the header-length prefix, 8 = the JSON header).</summary>
    public long ByteOffset { get; }

    /// <summary>The description of the problem, without the file name and offset.</summary>
    public string Problem { get; }
}
