namespace NeuralSharp.Serialization;

/// <summary>
/// Reads and writes NumPy's <c>.npy</c> format: the magic string "\x93NUMPY", a version byte pair (1.0, 2.0 or
/// 3.0), the header length (2 bytes little-endian in 1.0, 4 bytes in 2.0/3.0), a header that is a Python dict
/// literal <c>{'descr': '&lt;f4', 'fortran_order': False, 'shape': (2, 3), }</c> (Latin-1 in 1.0/2.0, UTF-8 in 3.0)
/// padded with spaces and '\n', then the elements. See <see cref="NpyDType"/> for the element types.
/// </summary>
public static class Npy
{
    /// <summary>Reads the .npy file at <paramref name="path"/>; see <see cref="Read(Stream, string)"/>.</summary>
    /// <exception cref="NpyFormatException">When the file is malformed (the message names the file and byte offset).</exception>
    /// <exception cref="IOException">When the file cannot be read (for example <see cref="FileNotFoundException"/>).</exception>
    public static NpyArray Read(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1 << 16, FileOptions.SequentialScan);
        return NpyReader.Read(stream, stream.Length, lengthIsExact: true, path, null);
    }

    /// <summary>
    /// Reads a .npy array from <paramref name="stream"/> (left open), which starts at its current position and must
    /// end where the array's data ends. The header is parsed strictly (never evaluated); the size its shape claims
    /// is checked against the bytes available before the data is allocated (for a non-seekable stream the buffer
    /// grows only as data arrives). Big-endian data is converted to little-endian and Fortran-order data to C
    /// order. 0-d arrays (shape ()) and empty arrays are supported.
    /// </summary>
    /// <param name="stream">The readable stream.</param>
    /// <param name="sourceName">The name used in error messages and <see cref="NpyFormatException.FilePath"/>.</param>
    /// <exception cref="NpyFormatException">When the data is malformed: wrong magic or version, a header that is
    /// not a valid dict of exactly descr/fortran_order/shape, an unsupported dtype (structured, string, complex,
    /// object...), a dimension above int.MaxValue, more than Array.MaxLength bytes, or a byte count that does not
    /// match the data present.</exception>
    public static NpyArray Read(Stream stream, string sourceName)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(sourceName);
        if (!stream.CanRead) throw new ArgumentException("Npy.Read: the stream is not readable.", nameof(stream));
        return stream.CanSeek
            ? NpyReader.Read(stream, stream.Length - stream.Position, lengthIsExact: true, sourceName, null)
            : NpyReader.Read(stream, long.MaxValue, lengthIsExact: false, sourceName, null);
    }

    /// <summary>
    /// Writes <paramref name="array"/> to <paramref name="path"/> atomically (see <see cref="AtomicFile"/>), byte for
    /// byte as NumPy's <c>np.save</c> does: format 1.0 (2.0 when the header exceeds 65535 bytes), C order,
    /// little-endian, the data aligned to 64 bytes.
    /// </summary>
    public static void Write(string path, NpyArray array)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(array);
        AtomicFile.Write(path, stream => Write(stream, array));
    }

    /// <summary>Writes the tensor as a float32 .npy file at <paramref name="path"/> atomically; see <see cref="Write(string, NpyArray)"/>.</summary>
    /// <exception cref="ObjectDisposedException">When the tensor has been disposed.</exception>
    public static void Write(string path, Tensor tensor) => Write(path, NpyArray.FromTensor(tensor));

    /// <summary>Writes <paramref name="array"/> to <paramref name="stream"/> (left open) as np.save does; see <see cref="Write(string, NpyArray)"/>.</summary>
    /// <exception cref="ArgumentException">When the stream is not writable.</exception>
    public static void Write(Stream stream, NpyArray array)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(array);
        if (!stream.CanWrite) throw new ArgumentException("Npy.Write: the stream is not writable.", nameof(stream));
        stream.Write(NpyHeader.Build(array.DType, array.Shape));
        stream.Write(array.Data);
    }
}
