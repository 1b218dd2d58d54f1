using System.Buffers.Binary;
using System.Text;

namespace NeuralSharp.Serialization;

/// <summary>
/// Reads one .npy array from a stream: the preamble and header are checked against the bytes available
/// before anything large is allocated; when the length is not known for certain (a non-seekable stream, a
/// zip member whose declared size may lie) the data buffer grows only as data actually arrives.
/// </summary>
internal static class NpyReader
{
    /// <summary>The longest header accepted (NumPy itself reads at most 10000 bytes unless told otherwise).</summary>
    public const int MaxHeaderLength = 1 << 16;

    private const int InitialChunk = 1 << 16;

    /// <summary>
    /// Reads an array from <paramref name="stream"/>'s current position. <paramref name="length"/> is the number of
    /// bytes the array takes: exact when <paramref name="lengthIsExact"/> (a seekable stream); otherwise an upper
    /// bound that is checked (long.MaxValue when unknown), and the stream must end right after the data.
    /// </summary>
    public static NpyArray Read(Stream stream, long length, bool lengthIsExact, string? file, string? member)
    {
        Span<byte> preamble = stackalloc byte[12];
        ReadExactly(stream, preamble[..8], 0, file, member, "the 8-byte magic string and version");
        if (preamble[0] != 0x93 || !preamble.Slice(1, 5).SequenceEqual("NUMPY"u8))
            throw new NpyFormatException(file, member, 0, $"not a .npy file: it starts with {Hex(preamble[..6])}, expected the magic string 93 4E 55 4D 50 59 (\"\\x93NUMPY\").");
        byte major = preamble[6], minor = preamble[7];
        if (major is not (1 or 2 or 3) || minor != 0)
            throw new NpyFormatException(file, member, 6, $"unsupported format version {major}.{minor} (supported: 1.0, 2.0, 3.0).");
        int lengthBytes = major == 1 ? 2 : 4;
        ReadExactly(stream, preamble.Slice(8, lengthBytes), 8, file, member, "the header length");
        uint headerLength = major == 1 ? BinaryPrimitives.ReadUInt16LittleEndian(preamble[8..]) : BinaryPrimitives.ReadUInt32LittleEndian(preamble[8..]);
        long headerStart = 8 + lengthBytes;
        if (headerLength > MaxHeaderLength)
            throw new NpyFormatException(file, member, 8, $"the header length {headerLength} exceeds the {MaxHeaderLength}-byte limit.");
        if (headerLength > length - headerStart)
            throw new NpyFormatException(file, member, 8, $"the header length {headerLength} runs past the end of the {length}-byte {(member != null ? "member" : "file")}.");

        var headerBytes = new byte[headerLength];
        ReadExactly(stream, headerBytes, headerStart, file, member, "the header");
        string text = DecodeHeader(headerBytes, major, headerStart, file, member);
        var header = NpyHeader.Parse(text, headerStart, file, member);

        var dtype = NpyDTypeInfo.TryParse(header.Descr, out bool bigEndian, out string? reason)
            ?? throw new NpyFormatException(file, member, headerStart + header.DescrOffset, reason + ".");
        int size = NpyDTypeInfo.SizeOf(dtype);
        long dataStart = headerStart + headerLength;
        int[] shape = CheckShape(header, dtype, size, length - dataStart, lengthIsExact, headerStart, file, member, out int byteCount);

        byte[] data = lengthIsExact
            ? ReadAll(stream, byteCount, dataStart, file, member)
            : ReadGrowing(stream, byteCount, dataStart, file, member);
        if (!lengthIsExact && stream.ReadByte() >= 0)
            throw new NpyFormatException(file, member, dataStart + byteCount, $"more bytes follow the {byteCount} bytes of data that {header.Descr} with shape {NpyArray.FormatShape(shape)} takes.");

        if (bigEndian) NpyConvert.SwapBytes(data, size);
        if (header.FortranOrder && shape.Length > 1) data = FortranToC(data, shape, size);
        return new NpyArray(dtype, shape, data);
    }

    private static string DecodeHeader(byte[] bytes, byte major, long offset, string? file, string? member)
    {
        if (major < 3) return Encoding.Latin1.GetString(bytes);
        try
        {
            return new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(bytes);
        }
        catch (DecoderFallbackException e)
        {
            throw new NpyFormatException(file, member, offset + Math.Max(e.Index, 0), "the version 3.0 header is not valid UTF-8.", e);
        }
    }

    private static int[] CheckShape(NpyHeader.Parsed header, NpyDType dtype, int size, long available, bool exact,
        long headerStart, string? file, string? member, out int byteCount)
    {
        long at = headerStart + header.ShapeOffset;
        var dims = header.Shape;
        string shapeText = NpyArray.FormatShape(dims.Select(d => d > long.MaxValue ? long.MaxValue : (long)d));
        foreach (ulong d in dims)
            if (d > int.MaxValue)
                throw new NpyFormatException(file, member, at, $"dimension {d} of shape {shapeText} exceeds {int.MaxValue}, the largest NeuralSharp supports.");
        // The byte count, stopping as soon as it exceeds what any array may hold (no overflow: both factors < 2^31).
        long bytes = dims.Contains(0UL) ? 0 : size;
        if (bytes > 0)
        {
            foreach (ulong d in dims)
            {
                bytes *= (long)d;
                if (bytes > Array.MaxLength)
                    throw new NpyFormatException(file, member, at, $"shape {shapeText} of {header.Descr} takes more than {Array.MaxLength} bytes, more than an array can hold.");
            }
        }
        if (bytes > available || (exact && bytes < available))
            throw new NpyFormatException(file, member, at,
                $"{header.Descr} with shape {shapeText} takes {bytes} bytes but the {(member != null ? "member" : "file")} {(exact ? "holds" : "can hold at most")} {Math.Max(available, 0)} bytes of data.");
        byteCount = (int)bytes;
        return dims.Select(d => (int)d).ToArray();
    }

    private static byte[] ReadAll(Stream stream, int count, long offset, string? file, string? member)
    {
        var data = new byte[count];
        ReadExactly(stream, data, offset, file, member, "the data");
        return data;
    }

    /// <summary>Reads <paramref name="count"/> bytes into a buffer that doubles as data arrives, so that a
    /// header's claim costs memory only when the data is really there.</summary>
    private static byte[] ReadGrowing(Stream stream, int count, long offset, string? file, string? member)
    {
        var data = new byte[Math.Min(count, InitialChunk)];
        int filled = 0;
        while (filled < count)
        {
            if (filled == data.Length) Array.Resize(ref data, (int)Math.Min(count, 2L * data.Length));
            int n = stream.Read(data, filled, data.Length - filled);
            if (n == 0)
                throw new NpyFormatException(file, member, offset + filled, $"the data ended after {filled} of {count} bytes.");
            filled += n;
        }
        return data;
    }

    /// <summary>Reorders a column-major (Fortran) array to row-major: C index (i0..in-1) comes from Fortran offset Σ i_k·Π_{j&lt;k} d_j.</summary>
    private static byte[] FortranToC(byte[] source, int[] shape, int size)
    {
        var result = new byte[source.Length];
        int rank = shape.Length;
        int count = source.Length / size;
        if (count == 0) return result;
        var fStride = new long[rank];
        long stride = 1;
        for (int k = 0; k < rank; k++)
        {
            fStride[k] = stride;
            stride *= shape[k];
        }
        var index = new int[rank];
        long fOffset = 0;
        for (int c = 0; c < count; c++)
        {
            Buffer.BlockCopy(source, (int)(fOffset * size), result, c * size, size);
            // Odometer over the C index, last axis fastest; the Fortran offset follows incrementally.
            for (int k = rank - 1; k >= 0; k--)
            {
                if (++index[k] < shape[k])
                {
                    fOffset += fStride[k];
                    break;
                }
                fOffset -= (long)(shape[k] - 1) * fStride[k];
                index[k] = 0;
            }
        }
        return result;
    }

    private static void ReadExactly(Stream stream, Span<byte> buffer, long offset, string? file, string? member, string what)
    {
        int filled = 0;
        while (filled < buffer.Length)
        {
            int n = stream.Read(buffer[filled..]);
            if (n == 0)
                throw new NpyFormatException(file, member, offset + filled, $"the {(member != null ? "member" : "file")} ended while reading {what} ({filled} of {buffer.Length} bytes).");
            filled += n;
        }
    }

    private static string Hex(ReadOnlySpan<byte> bytes) => bytes.Length == 0 ? "nothing" : Convert.ToHexString(bytes).Chunk(2).Select(c => new string(c)).Aggregate((a, b) => a + " " + b);
}
