using System.IO.Compression;

namespace NeuralSharp.Serialization;

/// <summary>
/// Reads and writes NumPy's <c>.npz</c> archives (<c>np.savez</c>, <c>np.savez_compressed</c>): a zip file
/// whose members "<c>name</c>.npy" are .npy arrays (see <see cref="Npy"/>), stored or deflated.
/// </summary>
public static class Npz
{
    /// <summary>Deflate cannot expand data by more than about 1032:1; a member claiming more is rejected unread.</summary>
    private const long MaxDeflateRatio = 1032;

    /// <summary>Reads every array of the .npz file at <paramref name="path"/>; see <see cref="Read(Stream, string)"/>.</summary>
    /// <exception cref="NpyFormatException">When the archive or a member is malformed.</exception>
    /// <exception cref="IOException">When the file cannot be read (for example <see cref="FileNotFoundException"/>).</exception>
    public static IReadOnlyDictionary<string, NpyArray> Read(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1 << 16);
        return ReadArchive(stream, path);
    }

    /// <summary>
    /// Reads every array of a .npz archive from <paramref name="stream"/> (left open; a non-seekable stream is first
    /// copied into memory, as zip needs its central directory at the end). Returns name → array in archive order, the
    /// names without ".npy" (np.savez's "arr_0", "arr_1", ... or its keyword names). Each member's declared size is
    /// checked against its compressed size and against the size its .npy header claims, and no more decompressed
    /// data than claimed is read (a zip bomb is rejected, not expanded).
    /// </summary>
    /// <param name="stream">The readable stream.</param>
    /// <param name="sourceName">The name used in error messages and <see cref="NpyFormatException.FilePath"/>.</param>
    /// <exception cref="NpyFormatException">When the zip structure is invalid (<see cref="NpyFormatException.Member"/>
    /// and <see cref="NpyFormatException.ByteOffset"/> null), a member is not a ".npy" file, two members have the same
    /// name, or a member is malformed (the message names it and the byte offset within it).</exception>
    public static IReadOnlyDictionary<string, NpyArray> Read(Stream stream, string sourceName)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(sourceName);
        if (!stream.CanRead) throw new ArgumentException("Npz.Read: the stream is not readable.", nameof(stream));
        if (stream.CanSeek) return ReadArchive(stream, sourceName);
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        copy.Position = 0;
        return ReadArchive(copy, sourceName);
    }

    /// <summary>
    /// Writes <paramref name="arrays"/> to <paramref name="path"/> atomically as a .npz archive, each as member
    /// "<c>name</c>.npy" (see <see cref="Npy.Write(Stream, NpyArray)"/>), in the order given, stored or (with
    /// <paramref name="compress"/>) deflated, every member dated 1980-01-01 as NumPy's are (same arrays, same bytes).
    /// </summary>
    /// <exception cref="ArgumentException">On a null, empty or duplicate name, or a null array.</exception>
    public static void Write(string path, IEnumerable<KeyValuePair<string, NpyArray>> arrays, bool compress = false)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(arrays);
        var list = arrays.ToList();
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (name, array) in list)
        {
            if (string.IsNullOrEmpty(name)) throw new ArgumentException("Npz.Write: an array name is null or empty.", nameof(arrays));
            if (!names.Add(name)) throw new ArgumentException($"Npz.Write: the name '{name}' appears twice.", nameof(arrays));
            if (array is null) throw new ArgumentException($"Npz.Write: array '{name}' is null.", nameof(arrays));
        }
        AtomicFile.Write(path, stream =>
        {
            using var zip = new ZipArchive(stream, ZipArchiveMode.Create, leaveOpen: true);
            foreach (var (name, array) in list)
            {
                var entry = zip.CreateEntry(name + ".npy", compress ? CompressionLevel.Optimal : CompressionLevel.NoCompression);
                entry.LastWriteTime = new DateTimeOffset(1980, 1, 1, 0, 0, 0, TimeSpan.Zero);
                using var member = entry.Open();
                Npy.Write(member, array);
            }
        });
    }

    private static Dictionary<string, NpyArray> ReadArchive(Stream stream, string? file)
    {
        string? member = null; // the member being read, for the message of a zip-level error
        try
        {
            using var zip = new ZipArchive(stream, ZipArchiveMode.Read, leaveOpen: true);
            var result = new Dictionary<string, NpyArray>(StringComparer.Ordinal);
            foreach (var entry in zip.Entries) // enumerating reads the central directory: it may throw too
            {
                member = entry.FullName;
                if (member.EndsWith('/') && entry.Length == 0) continue; // a directory entry
                if (!member.EndsWith(".npy", StringComparison.Ordinal))
                    throw new NpyFormatException(file, member, null, "the member is not a .npy file (an .npz archive holds only \"<name>.npy\" members).");
                string name = member[..^4];
                if (result.ContainsKey(name))
                    throw new NpyFormatException(file, member, null, $"the archive holds two members named '{member}'.");
                if (entry.Length > entry.CompressedLength * MaxDeflateRatio + 1024)
                    throw new NpyFormatException(file, member, null, $"the member's declared size {entry.Length} is impossible for its compressed size {entry.CompressedLength}.");
                using var data = entry.Open();
                result.Add(name, NpyReader.Read(data, entry.Length, lengthIsExact: false, file, member));
            }
            return result;
        }
        catch (InvalidDataException e)
        {
            throw new NpyFormatException(file, member, null,
                member == null ? $"not a valid zip archive ({e.Message})" : $"the zip data of the member is invalid ({e.Message})", e);
        }
    }
}
