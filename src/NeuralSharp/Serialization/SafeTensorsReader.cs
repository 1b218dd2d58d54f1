using System.Buffers;
using System.Buffers.Binary;
using System.Runtime.InteropServices;

namespace NeuralSharp.Serialization;

/// <summary>
/// Reads a safetensors stream: checks the header length against the stream length before allocating
/// anything, parses and validates the header, then reads each tensor's bytes in chunks (never the
/// whole buffer at once) and converts them to float32.
/// </summary>
internal static class SafeTensorsReader
{
    /// <summary>The reference implementation's limit on the JSON header (100 MB).</summary>
    public const ulong MaxHeaderLength = 100_000_000;

    private const int ChunkBytes = 1 << 20;

    public static SafeTensorsFile Read(Stream stream, string? file)
    {
        var (header, start, dataStart) = ReadHeader(stream, file);

        var tensors = new Dictionary<string, (Tensor, SafeTensorsDType)>(header.Entries.Count, StringComparer.Ordinal);
        byte[]? scratch = null;
        try
        {
            // In offset order, so that a file is read front to back.
            foreach (var e in SafeTensorsHeaderReader.SortedByOffset(header.Entries))
            {
                var tensor = Tensor.Empty(e.Dims).ExcludeFromScope();
                tensors.Add(e.Name, (tensor, e.DType));
                long position = dataStart + (long)e.Begin;
                stream.Position = start + position;
                ReadTensor(stream, e, tensor.Data, file, position, ref scratch);
            }
        }
        catch
        {
            foreach (var (tensor, _) in tensors.Values) tensor.Dispose();
            throw;
        }
        finally
        {
            if (scratch != null) ArrayPool<byte>.Shared.Return(scratch);
        }
        var names = header.Entries.Select(e => e.Name).ToList();
        return new SafeTensorsFile(file, header.Metadata, names, tensors);
    }

    /// <summary>Reads and validates the length prefix and header; the stream is left after the header.</summary>
    private static (SafeTensorsHeader Header, long Start, long DataStart) ReadHeader(Stream stream, string? file)
    {
        long start = stream.Position;
        long length = stream.Length - start;
        if (length < 8)
            throw new SafeTensorsFormatException(file, Math.Max(length, 0), $"the file is {Math.Max(length, 0)} bytes long; a safetensors file starts with an 8-byte little-endian header length.");
        Span<byte> prefix = stackalloc byte[8];
        ReadExactly(stream, prefix, file, 0);
        ulong headerLength = BinaryPrimitives.ReadUInt64LittleEndian(prefix);
        if (headerLength > MaxHeaderLength)
            throw new SafeTensorsFormatException(file, 0, $"the header length {headerLength} exceeds the {MaxHeaderLength}-byte limit.");
        if (headerLength > (ulong)(length - 8))
            throw new SafeTensorsFormatException(file, 0, $"the header length {headerLength} runs past the end of the {length}-byte file.");

        var headerBytes = new byte[headerLength];
        ReadExactly(stream, headerBytes, file, 8);
        long dataStart = 8 + (long)headerLength;
        var header = SafeTensorsHeaderReader.Parse(headerBytes, file, (ulong)(length - dataStart));
        return (header, start, dataStart);
    }

    /// <summary>Reads every tensor as its stored bytes (no conversion), in header order.</summary>
    public static Dictionary<string, SafeTensorsArray> ReadArrays(Stream stream, string? file)
    {
        var (header, start, dataStart) = ReadHeader(stream, file);
        var arrays = new Dictionary<string, SafeTensorsArray>(header.Entries.Count, StringComparer.Ordinal);
        foreach (var e in header.Entries) arrays.Add(e.Name, null!); // header order
        foreach (var e in SafeTensorsHeaderReader.SortedByOffset(header.Entries))
        {
            ulong bytes = e.End - e.Begin;
            if (bytes > (ulong)Array.MaxLength)
                throw new SafeTensorsFormatException(file, e.HeaderOffset, $"tensor '{e.Name}' takes {bytes} bytes, more than an array can hold ({Array.MaxLength}).");
            var data = new byte[bytes];
            long position = dataStart + (long)e.Begin;
            stream.Position = start + position;
            ReadExactly(stream, data, file, position);
            arrays[e.Name] = new SafeTensorsArray(e.DType, e.Dims, data);
        }
        return arrays;
    }

    private static void ReadTensor(Stream stream, SafeTensorsEntry e, Span<float> destination, string? file, long position, ref byte[]? scratch)
    {
        if (e.DType == SafeTensorsDType.F32 && BitConverter.IsLittleEndian)
        {
            const int floatsPerChunk = ChunkBytes / sizeof(float);
            for (int i = 0; i < destination.Length; i += floatsPerChunk)
                ReadExactly(stream, MemoryMarshal.AsBytes(destination.Slice(i, Math.Min(floatsPerChunk, destination.Length - i))), file, position + 4L * i);
            return;
        }
        int size = SafeTensorsDTypeInfo.SizeOf(e.DType);
        int perChunk = ChunkBytes / size;
        scratch ??= ArrayPool<byte>.Shared.Rent(ChunkBytes);
        for (int i = 0; i < destination.Length; i += perChunk)
        {
            int n = Math.Min(perChunk, destination.Length - i);
            var bytes = scratch.AsSpan(0, n * size);
            ReadExactly(stream, bytes, file, position + (long)size * i);
            SafeTensorsConvert.Decode(e.DType, bytes, destination.Slice(i, n));
        }
    }

    private static void ReadExactly(Stream stream, Span<byte> buffer, string? file, long position)
    {
        try
        {
            stream.ReadExactly(buffer);
        }
        catch (EndOfStreamException ex)
        {
            // Only if the stream shrank after its length was checked.
            throw new SafeTensorsFormatException(file, position, $"the file ended while reading {buffer.Length} bytes.", ex);
        }
    }
}
