using System.Text;

namespace NeuralSharp.Serialization;

/// <summary>
/// Replaces a file atomically: the content goes to a uniquely named temporary file in the same
/// directory, is flushed to disk, then renamed over the target (an atomic replace on the same file
/// system). Readers see either the old file or the complete new one, never a partial write; on any
/// exception the temporary file is deleted and the old file is left untouched. (The directory entry
/// itself is not fsynced: after a power loss the rename may be lost, but the file is never torn.)
/// </summary>
public static class AtomicFile
{
    private static readonly UTF8Encoding Utf8NoBom = new(encoderShouldEmitUTF8Identifier: false);

    /// <summary>Writes the file at <paramref name="path"/> with <paramref name="write"/>, creating its directory when missing.</summary>
    /// <param name="path">The file to create or replace.</param>
    /// <param name="write">Writes the whole content to the stream it gets; it may dispose the stream.</param>
    /// <exception cref="ArgumentException">When <paramref name="path"/> is empty or names a directory.</exception>
    public static void Write(string path, Action<Stream> write)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(write);
        string fullPath = Path.GetFullPath(path);
        string fileName = Path.GetFileName(fullPath);
        string? directory = Path.GetDirectoryName(fullPath);
        if (fileName.Length == 0 || directory == null)
            throw new ArgumentException($"AtomicFile.Write: '{path}' names a directory, not a file.", nameof(path));
        Directory.CreateDirectory(directory);

        // Hidden, unique, and short enough to stay within the 255-byte name limit.
        string stem = fileName.Length > 200 ? fileName[..200] : fileName;
        string tempPath = Path.Combine(directory, $".{stem}.{Guid.NewGuid():N}.tmp");
        try
        {
            using (var stream = new FileStream(tempPath, FileMode.CreateNew, FileAccess.Write, FileShare.None, bufferSize: 1 << 16))
            {
                write(stream);
                if (stream.CanWrite) stream.Flush(flushToDisk: true);
                else FlushToDisk(tempPath); // the writer disposed the stream: fsync through a new handle
            }
            File.Move(tempPath, fullPath, overwrite: true);
        }
        catch
        {
            try { File.Delete(tempPath); }
            catch (IOException) { } // keep the original exception
            catch (UnauthorizedAccessException) { }
            throw;
        }
    }

    /// <summary>Writes <paramref name="contents"/> atomically, encoded with <paramref name="encoding"/>
    /// (default UTF-8 without a byte-order mark; an encoding's preamble is written, as by File.WriteAllText).</summary>
    public static void WriteAllText(string path, string contents, Encoding? encoding = null)
    {
        ArgumentNullException.ThrowIfNull(contents);
        var enc = encoding ?? Utf8NoBom;
        byte[] preamble = enc.GetPreamble();
        byte[] bytes = enc.GetBytes(contents);
        Write(path, stream =>
        {
            stream.Write(preamble);
            stream.Write(bytes);
        });
    }

    /// <summary>Writes <paramref name="bytes"/> atomically.</summary>
    public static void WriteAllBytes(string path, byte[] bytes)
    {
        ArgumentNullException.ThrowIfNull(bytes);
        Write(path, stream => stream.Write(bytes));
    }

    private static void FlushToDisk(string path)
    {
        // fsync through a new handle flushes the file's data whichever handle wrote it.
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Write, FileShare.None, bufferSize: 1);
        stream.Flush(flushToDisk: true);
    }
}
