using System.Buffers.Binary;

namespace NeuralSharp.Data;

/// <summary>
/// Reads IDX files (the format of MNIST and Fashion-MNIST), raw or gzip-compressed (detected by the gzip magic
/// bytes 1F 8B, not by the file name). Layout, all integers big-endian: a magic number 00 00 TT NN (TT the
/// <see cref="IdxDataType"/>, NN the number of dimensions), NN uint32 dimensions, then the elements row-major.
/// Corrupt input never hangs or exhausts memory: the claimed size is checked against the file length before
/// allocating (raw files), and compressed data is read incrementally, failing as soon as it ends early.
/// </summary>
public static class IdxReader
{
    private const int InitialCapacity = 1 << 20;

    /// <summary>Reads the IDX file at <paramref name="path"/>.</summary>
    /// <exception cref="DataFormatException">When the file is malformed; names the file, the byte offset
    /// (in the decompressed data for gzip files) and the problem (bad magic, truncation, size overflow, trailing data).</exception>
    /// <exception cref="FileNotFoundException">When the file does not exist.</exception>
    public static IdxArray Read(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
        return Read(file, path);
    }

    /// <summary>
    /// Reads one IDX array from <paramref name="stream"/>, from its current position to its end (which must be
    /// the end of the array). The stream is left open. <paramref name="sourceName"/> names it in errors.
    /// </summary>
    /// <exception cref="DataFormatException">When the data is malformed (see <see cref="Read(string)"/>).</exception>
    public static IdxArray Read(Stream stream, string sourceName)
    {
        ArgumentNullException.ThrowIfNull(stream);
        using var s = DataStreams.Decompress(stream, leaveOpen: true, out bool gzipped, out uint? sizeHint);
        return new Parser(s, sourceName, gzipped, sizeHint).Parse();
    }

    /// <summary>The byte size of one element of <paramref name="type"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">For an undefined type code.</exception>
    public static int ElementSize(IdxDataType type) => type switch
    {
        IdxDataType.UnsignedByte or IdxDataType.SignedByte => 1,
        IdxDataType.Int16 => 2,
        IdxDataType.Int32 or IdxDataType.Single => 4,
        IdxDataType.Double => 8,
        _ => throw new ArgumentOutOfRangeException(nameof(type), $"IdxReader: unknown IDX type code 0x{(byte)type:X2}."),
    };

    private sealed class Parser(Stream stream, string source, bool gzipped, uint? gzipSizeHint)
    {
        private bool _sizeConfirmed;
        private long _offset; // bytes consumed from the (decompressed) IDX data
        private readonly long? _available = stream.CanSeek ? stream.Length - stream.Position : null;

        private string Ends => gzipped ? "the decompressed data ends" : "the file ends";

        private DataFormatException Error(string problem, long offset) => new(problem, source, offset);

        /// <summary>Reads up to buffer.Length bytes; returns how many (fewer only at the end of the data).</summary>
        private int Fill(Span<byte> buffer)
        {
            try
            {
                int n = stream.ReadAtLeast(buffer, buffer.Length, throwOnEndOfStream: false);
                _offset += n;
                return n;
            }
            catch (InvalidDataException e)
            {
                throw new DataFormatException($"corrupt gzip data: {e.Message}", source, _offset, innerException: e);
            }
        }

        private void ReadExactly(Span<byte> buffer, string what)
        {
            long start = _offset;
            int n = Fill(buffer);
            if (n < buffer.Length)
                throw Error($"expected {buffer.Length} bytes of {what} at offset {start}, {Ends} at offset {_offset}", _offset);
        }

        public IdxArray Parse()
        {
            Span<byte> magic = stackalloc byte[4];
            ReadExactly(magic, "magic number");
            uint magicValue = BinaryPrimitives.ReadUInt32BigEndian(magic);
            if (magic[0] != 0 || magic[1] != 0)
                throw Error($"bad magic number 0x{magicValue:X8}: an IDX file starts with 00 00, the type code and the number of dimensions (e.g. 0x00000803 for images)", 0);
            var type = (IdxDataType)magic[2];
            if (!Enum.IsDefined(type))
                throw Error($"bad magic number 0x{magicValue:X8}: unknown type code 0x{magic[2]:X2} (expected 08, 09, 0B, 0C, 0D or 0E)", 2);
            int rank = magic[3];
            if (rank == 0) throw Error($"bad magic number 0x{magicValue:X8}: zero dimensions", 3);

            var dimBytes = new byte[4 * rank];
            ReadExactly(dimBytes, $"dimensions ({rank} x uint32)");
            var dims = new int[rank];
            bool anyZero = false;
            for (int i = 0; i < rank; i++)
            {
                uint d = BinaryPrimitives.ReadUInt32BigEndian(dimBytes.AsSpan(4 * i));
                if (d > int.MaxValue) throw Error($"dimension {i} is {d}, larger than {int.MaxValue}", 4 + 4 * i);
                dims[i] = (int)d;
                anyZero |= d == 0;
            }
            long count = 1;
            if (anyZero) count = 0;
            else
                foreach (int d in dims)
                {
                    count *= d; // both factors <= 2^31 - 1 and count <= Array.MaxLength before: no long overflow
                    if (count > Array.MaxLength)
                        throw Error($"dimensions [{string.Join(", ", dims)}] hold more than {Array.MaxLength} elements (the product overflows an array)", 4);
                }

            int size = ElementSize(type);
            long dataOffset = _offset;
            long total = count * size;
            if (_available is long available && available - dataOffset < total)
                throw Error($"expected {total} bytes of data at offset {dataOffset} ({count} elements of {size} bytes for dimensions [{string.Join(", ", dims)}]), {Ends} at offset {available}", available);

            // A gzip trailer whose size agrees with the header makes a lying header very unlikely: allocate at once.
            _sizeConfirmed = gzipSizeHint == (uint)(dataOffset + total);

            IdxArray result = type == IdxDataType.UnsignedByte
                ? new IdxArray(type, dims, ReadBytes((int)count, dataOffset, total), null)
                : new IdxArray(type, dims, null, ReadValues(type, (int)count, dataOffset, total));

            Span<byte> probe = stackalloc byte[1];
            long end = _offset;
            if (Fill(probe) > 0)
                throw Error($"unexpected data after the end of the array at offset {end} (the header claims {count} elements of {size} bytes)", end);
            return result;
        }

        /// <summary>Capacity grows by doubling unless the size is known to be available, so a lying header
        /// costs at most twice the memory of the data actually present.</summary>
        private int FirstCapacity(int count) => _available.HasValue || _sizeConfirmed ? count : Math.Min(count, InitialCapacity);

        private byte[] ReadBytes(int count, long dataOffset, long total)
        {
            var data = new byte[FirstCapacity(count)];
            int filled = 0;
            while (filled < count)
            {
                if (filled == data.Length) Array.Resize(ref data, (int)Math.Min(count, 2L * data.Length));
                int n = Fill(data.AsSpan(filled, data.Length - filled));
                filled += n;
                if (filled < data.Length && filled < count)
                    throw Error($"expected {total} bytes of data at offset {dataOffset}, {Ends} at offset {_offset}", _offset);
            }
            return data;
        }

        private float[] ReadValues(IdxDataType type, int count, long dataOffset, long total)
        {
            int size = ElementSize(type);
            var chunk = new byte[1 << 16]; // a multiple of every element size
            var values = new float[FirstCapacity(count)];
            int filled = 0;
            while (filled < count)
            {
                if (filled == values.Length) Array.Resize(ref values, (int)Math.Min(count, 2L * values.Length));
                int want = (int)Math.Min(chunk.Length / size, values.Length - filled);
                int got = Fill(chunk.AsSpan(0, want * size));
                if (got < want * size)
                    throw Error($"expected {total} bytes of data at offset {dataOffset}, {Ends} at offset {_offset}", _offset);
                Convert(type, chunk.AsSpan(0, got), values.AsSpan(filled, want));
                filled += want;
            }
            return values;
        }

        private static void Convert(IdxDataType type, ReadOnlySpan<byte> raw, Span<float> dst)
        {
            switch (type)
            {
                case IdxDataType.SignedByte:
                    for (int i = 0; i < dst.Length; i++) dst[i] = (sbyte)raw[i];
                    break;
                case IdxDataType.Int16:
                    for (int i = 0; i < dst.Length; i++) dst[i] = BinaryPrimitives.ReadInt16BigEndian(raw[(2 * i)..]);
                    break;
                case IdxDataType.Int32:
                    for (int i = 0; i < dst.Length; i++) dst[i] = BinaryPrimitives.ReadInt32BigEndian(raw[(4 * i)..]);
                    break;
                case IdxDataType.Single:
                    for (int i = 0; i < dst.Length; i++) dst[i] = BinaryPrimitives.ReadSingleBigEndian(raw[(4 * i)..]);
                    break;
                case IdxDataType.Double:
                    for (int i = 0; i < dst.Length; i++) dst[i] = (float)BinaryPrimitives.ReadDoubleBigEndian(raw[(8 * i)..]);
                    break;
                default:
                    throw new InvalidOperationException($"IdxReader: unexpected type {type}.");
            }
        }
    }
}
