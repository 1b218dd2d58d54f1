namespace NeuralSharp.Serialization;

/// <summary>
/// Reads and writes the Hugging Face safetensors format: an 8-byte little-endian u64 header length N,
/// N bytes of UTF-8 JSON (<c>{"__metadata__": {string: string}, "name": {"dtype": "F32", "shape": [..],
/// "data_offsets": [begin, end]}, ...}</c>, padded with spaces to a multiple of 8 bytes), then the data
/// buffer: each tensor row-major and little-endian at [begin, end) relative to the buffer's start, the
/// tensors covering the buffer contiguously without holes.
/// </summary>
public static class SafeTensors
{
    /// <summary>
    /// Writes <paramref name="tensors"/> to <paramref name="path"/> atomically (see <see cref="AtomicFile"/>):
    /// the file is either the complete new one or the untouched old one. See
    /// <see cref="Save(Stream, IEnumerable{KeyValuePair{string, Tensor}}, IReadOnlyDictionary{string, string}?, SafeTensorsDType)"/>
    /// for the layout.
    /// </summary>
    /// <exception cref="ArgumentException">On a null, duplicate or reserved ("__metadata__") name, a null
    /// tensor or metadata value, an unpaired surrogate in a string, or a dtype other than F32, F64, F16, BF16.</exception>
    /// <exception cref="ObjectDisposedException">When a tensor has been disposed.</exception>
    public static void Save(string path, IEnumerable<KeyValuePair<string, Tensor>> tensors,
        IReadOnlyDictionary<string, string>? metadata = null, SafeTensorsDType dtype = SafeTensorsDType.F32)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        // Validate and build the header before touching the file system.
        var writer = SafeTensorsWriter.Prepare(tensors, metadata, dtype);
        AtomicFile.Write(path, writer.WriteTo);
    }

    /// <summary>
    /// Writes <paramref name="tensors"/> to <paramref name="stream"/> (left open) as a safetensors file.
    /// Tensors are laid out in the order given (the Python library instead sorts by dtype size, then by
    /// name: pass names in ordinal order to get its bytes exactly); the header lists "__metadata__" first
    /// (only when <paramref name="metadata"/> is not null), then the tensors, as compact JSON written like
    /// the reference serde_json writer, padded with spaces to a multiple of 8 bytes. Every tensor is
    /// stored as <paramref name="dtype"/>: F32 and F64 exactly, F16 and BF16 rounded to nearest, ties to even.
    /// </summary>
    /// <exception cref="ArgumentException">As for the path overload, or when the stream is not writable.</exception>
    /// <exception cref="ObjectDisposedException">When a tensor has been disposed.</exception>
    public static void Save(Stream stream, IEnumerable<KeyValuePair<string, Tensor>> tensors,
        IReadOnlyDictionary<string, string>? metadata = null, SafeTensorsDType dtype = SafeTensorsDType.F32)
    {
        ArgumentNullException.ThrowIfNull(stream);
        if (!stream.CanWrite) throw new ArgumentException("SafeTensors.Save: the stream is not writable.", nameof(stream));
        SafeTensorsWriter.Prepare(tensors, metadata, dtype).WriteTo(stream);
    }

    /// <summary>Loads every tensor of the safetensors file at <paramref name="path"/>; see <see cref="Load(Stream, string)"/>.</summary>
    /// <exception cref="SafeTensorsFormatException">When the file is malformed (the message names the file and byte offset).</exception>
    /// <exception cref="IOException">When the file cannot be read (for example <see cref="FileNotFoundException"/>).</exception>
    public static SafeTensorsFile Load(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1, FileOptions.SequentialScan);
        return SafeTensorsReader.Read(stream, path);
    }

    /// <summary>
    /// Loads every tensor of a safetensors file from <paramref name="stream"/>, which starts at its current
    /// position and must end where the file ends (a non-seekable stream is first copied into memory).
    /// Tensors may appear in the header in any order. Every dtype is converted to float32: F16, BF16, F8,
    /// BOOL (0 or 1) and 8/16-bit integers exactly, F64 and 32/64-bit integers rounded to the nearest
    /// float32. The file is validated first (sizes against the stream length before any allocation, header
    /// JSON, dtypes, shapes, offsets, full coverage of the buffer without holes or overlaps, no duplicate keys).
    /// </summary>
    /// <param name="stream">The readable stream; it is left open.</param>
    /// <param name="sourceName">The name used in error messages and <see cref="SafeTensorsFormatException.FilePath"/>.</param>
    /// <exception cref="SafeTensorsFormatException">When the data is malformed, or a tensor has more elements
    /// (or a dimension larger) than a NeuralSharp tensor can hold.</exception>
    public static SafeTensorsFile Load(Stream stream, string sourceName)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(sourceName);
        if (!stream.CanRead) throw new ArgumentException("SafeTensors.Load: the stream is not readable.", nameof(stream));
        if (stream.CanSeek) return SafeTensorsReader.Read(stream, sourceName);
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        copy.Position = 0;
        return SafeTensorsReader.Read(copy, sourceName);
    }

    /// <summary>
    /// Writes typed arrays (any dtype, e.g. I8 quantised weights with an F32 scale) to <paramref name="path"/>
    /// atomically; each array is stored with its own dtype, bytes unchanged. Layout and header as
    /// <see cref="Save(Stream, IEnumerable{KeyValuePair{string, Tensor}}, IReadOnlyDictionary{string, string}?, SafeTensorsDType)"/>
    /// (tensors in the order given: pass them in the Python library's order — dtype U64, I64, F64, F32, BF16, F16,
    /// U32, I32, ..., U8, BOOL, then name — to get its bytes exactly).
    /// </summary>
    /// <exception cref="ArgumentException">On a null, duplicate or reserved ("__metadata__") name, a null array or
    /// metadata value, or an unpaired surrogate in a string.</exception>
    public static void SaveArrays(string path, IEnumerable<KeyValuePair<string, SafeTensorsArray>> arrays, IReadOnlyDictionary<string, string>? metadata = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        AtomicFile.Write(path, SafeTensorsWriter.PrepareArrays(arrays, metadata));
    }

    /// <summary>Writes typed arrays to <paramref name="stream"/> (left open); see <see cref="SaveArrays(string, IEnumerable{KeyValuePair{string, SafeTensorsArray}}, IReadOnlyDictionary{string, string}?)"/>.</summary>
    /// <exception cref="ArgumentException">As for the path overload, or when the stream is not writable.</exception>
    public static void SaveArrays(Stream stream, IEnumerable<KeyValuePair<string, SafeTensorsArray>> arrays, IReadOnlyDictionary<string, string>? metadata = null)
    {
        ArgumentNullException.ThrowIfNull(stream);
        if (!stream.CanWrite) throw new ArgumentException("SafeTensors.SaveArrays: the stream is not writable.", nameof(stream));
        SafeTensorsWriter.PrepareArrays(arrays, metadata)(stream);
    }

    /// <summary>Loads every tensor of the file at <paramref name="path"/> as stored (no conversion); see <see cref="LoadArrays(Stream, string)"/>.</summary>
    /// <exception cref="SafeTensorsFormatException">When the file is malformed (the message names the file and byte offset).</exception>
    /// <exception cref="IOException">When the file cannot be read.</exception>
    public static IReadOnlyDictionary<string, SafeTensorsArray> LoadArrays(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1 << 16, FileOptions.SequentialScan);
        return SafeTensorsReader.ReadArrays(stream, path);
    }

    /// <summary>
    /// Loads every tensor of a safetensors file from <paramref name="stream"/> as its stored dtype and bytes (for
    /// example I8 weights as <see cref="SafeTensorsArray.ToSByteArray"/>), name → array in header order. The file is
    /// validated as by <see cref="Load(Stream, string)"/>; the metadata is not returned.
    /// </summary>
    /// <exception cref="SafeTensorsFormatException">When the data is malformed, or a tensor takes more bytes than an array can hold.</exception>
    public static IReadOnlyDictionary<string, SafeTensorsArray> LoadArrays(Stream stream, string sourceName)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(sourceName);
        if (!stream.CanRead) throw new ArgumentException("SafeTensors.LoadArrays: the stream is not readable.", nameof(stream));
        if (stream.CanSeek) return SafeTensorsReader.ReadArrays(stream, sourceName);
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        copy.Position = 0;
        return SafeTensorsReader.ReadArrays(copy, sourceName);
    }
}
