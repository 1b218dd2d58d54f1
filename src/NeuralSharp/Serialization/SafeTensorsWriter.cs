using System.Buffers;
using System.Buffers.Binary;
using System.Runtime.InteropServices;

namespace NeuralSharp.Serialization;

/// <summary>A validated save request: the finished header and the tensors to stream after it.</summary>
internal sealed class SafeTensorsWriter
{
    private const int ChunkBytes = 1 << 20;
    private readonly byte[] _header;
    private readonly List<Tensor> _tensors;
    private readonly SafeTensorsDType _dtype;

    private SafeTensorsWriter(byte[] header, List<Tensor> tensors, SafeTensorsDType dtype)
    {
        _header = header;
        _tensors = tensors;
        _dtype = dtype;
    }

    /// <summary>Validates the arguments and builds the header; touches no file.</summary>
    public static SafeTensorsWriter Prepare(IEnumerable<KeyValuePair<string, Tensor>> tensors,
        IReadOnlyDictionary<string, string>? metadata, SafeTensorsDType dtype)
    {
        ArgumentNullException.ThrowIfNull(tensors);
        if (!SafeTensorsDTypeInfo.IsWritable(dtype))
            throw new ArgumentException($"SafeTensors.Save: cannot write dtype {dtype}; NeuralSharp writes F32, F64, F16 or BF16.", nameof(dtype));
        if (metadata != null)
        {
            foreach (var (key, value) in metadata)
                if (key is null || value is null)
                    throw new ArgumentException($"SafeTensors.Save: metadata key '{key}' has a null key or value.", nameof(metadata));
        }

        var names = new HashSet<string>(StringComparer.Ordinal);
        var entries = new List<(string, int[], ulong, ulong)>();
        var list = new List<Tensor>();
        ulong offset = 0;
        ulong elementSize = (ulong)SafeTensorsDTypeInfo.SizeOf(dtype);
        foreach (var (name, tensor) in tensors)
        {
            if (name is null) throw new ArgumentException("SafeTensors.Save: a tensor name is null.", nameof(tensors));
            if (name == "__metadata__") throw new ArgumentException("SafeTensors.Save: '__metadata__' is reserved and cannot name a tensor.", nameof(tensors));
            if (!names.Add(name)) throw new ArgumentException($"SafeTensors.Save: the tensor name '{name}' appears twice.", nameof(tensors));
            if (tensor is null) throw new ArgumentException($"SafeTensors.Save: tensor '{name}' is null.", nameof(tensors));
            if (tensor.IsDisposed) throw new ObjectDisposedException(nameof(Tensor), $"SafeTensors.Save: tensor '{name}' has been disposed.");
            ulong end = offset + (ulong)tensor.Size * elementSize;
            entries.Add((name, tensor.ShapeArray, offset, end));
            list.Add(tensor);
            offset = end;
        }
        return new SafeTensorsWriter(SafeTensorsHeaderWriter.Build(entries, metadata, dtype), list, dtype);
    }

    /// <summary>Writes the 8-byte header length, the header and every tensor's data, in order.</summary>
    public void WriteTo(Stream stream)
    {
        Span<byte> prefix = stackalloc byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(prefix, (ulong)_header.Length);
        stream.Write(prefix);
        stream.Write(_header);
        int size = SafeTensorsDTypeInfo.SizeOf(_dtype);
        byte[]? scratch = null;
        try
        {
            foreach (var tensor in _tensors)
            {
                ReadOnlySpan<float> data = tensor.Data;
                if (_dtype == SafeTensorsDType.F32 && BitConverter.IsLittleEndian)
                {
                    // Chunked so the byte count of one span stays an int for huge tensors.
                    const int floatsPerChunk = ChunkBytes / sizeof(float);
                    for (int i = 0; i < data.Length; i += floatsPerChunk)
                        stream.Write(MemoryMarshal.AsBytes(data.Slice(i, Math.Min(floatsPerChunk, data.Length - i))));
                    continue;
                }
                scratch ??= ArrayPool<byte>.Shared.Rent(ChunkBytes);
                int perChunk = ChunkBytes / size;
                for (int i = 0; i < data.Length; i += perChunk)
                {
                    int n = Math.Min(perChunk, data.Length - i);
                    var bytes = scratch.AsSpan(0, n * size);
                    SafeTensorsConvert.Encode(_dtype, data.Slice(i, n), bytes);
                    stream.Write(bytes);
                }
            }
        }
        finally
        {
            if (scratch != null) ArrayPool<byte>.Shared.Return(scratch);
        }
    }

    /// <summary>Validates typed arrays and builds the header; returns the action that writes the whole file.</summary>
    public static Action<Stream> PrepareArrays(IEnumerable<KeyValuePair<string, SafeTensorsArray>> arrays, IReadOnlyDictionary<string, string>? metadata)
    {
        ArgumentNullException.ThrowIfNull(arrays);
        CheckMetadata(metadata, "SafeTensors.SaveArrays");
        var names = new HashSet<string>(StringComparer.Ordinal);
        var entries = new List<(string, SafeTensorsDType, int[], ulong, ulong)>();
        var list = new List<SafeTensorsArray>();
        ulong offset = 0;
        foreach (var (name, array) in arrays)
        {
            if (name is null) throw new ArgumentException("SafeTensors.SaveArrays: a tensor name is null.", nameof(arrays));
            if (name == "__metadata__") throw new ArgumentException("SafeTensors.SaveArrays: '__metadata__' is reserved and cannot name a tensor.", nameof(arrays));
            if (!names.Add(name)) throw new ArgumentException($"SafeTensors.SaveArrays: the tensor name '{name}' appears twice.", nameof(arrays));
            if (array is null) throw new ArgumentException($"SafeTensors.SaveArrays: array '{name}' is null.", nameof(arrays));
            ulong end = offset + (ulong)array.Data.Length;
            entries.Add((name, array.DType, array.Shape, offset, end));
            list.Add(array);
            offset = end;
        }
        byte[] header = SafeTensorsHeaderWriter.Build(entries, metadata);
        return stream =>
        {
            Span<byte> prefix = stackalloc byte[8];
            BinaryPrimitives.WriteUInt64LittleEndian(prefix, (ulong)header.Length);
            stream.Write(prefix);
            stream.Write(header);
            foreach (var array in list) stream.Write(array.Data);
        };
    }

    private static void CheckMetadata(IReadOnlyDictionary<string, string>? metadata, string op)
    {
        if (metadata == null) return;
        foreach (var (key, value) in metadata)
            if (key is null || value is null)
                throw new ArgumentException($"{op}: metadata key '{key}' has a null key or value.", nameof(metadata));
    }
}
