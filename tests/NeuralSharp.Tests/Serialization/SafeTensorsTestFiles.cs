using NeuralSharp.Serialization;
using System.Buffers.Binary;
using System.Text;

namespace NeuralSharp.Tests.Serialization;

/// <summary>Builds safetensors bytes by hand (header JSON + data), as a reference writer would.</summary>
internal static class SafeTensorsTestFiles
{
    /// <summary>8-byte LE length, the UTF-8 header (padded with spaces to a multiple of 8 when <paramref name="pad"/>), then <paramref name="data"/>.</summary>
    public static byte[] Build(string header, byte[] data, bool pad = true) => Build(Encoding.UTF8.GetBytes(header), data, pad);

    public static byte[] Build(byte[] header, byte[] data, bool pad = true)
    {
        int padding = pad ? (8 - header.Length % 8) % 8 : 0;
        var file = new byte[8 + header.Length + padding + data.Length];
        BinaryPrimitives.WriteUInt64LittleEndian(file, (ulong)(header.Length + padding));
        header.CopyTo(file, 8);
        file.AsSpan(8 + header.Length, padding).Fill((byte)' ');
        data.CopyTo(file, 8 + header.Length + padding);
        return file;
    }

    /// <summary>Just a length prefix and raw bytes after it.</summary>
    public static byte[] WithPrefix(ulong headerLength, byte[] rest)
    {
        var file = new byte[8 + rest.Length];
        BinaryPrimitives.WriteUInt64LittleEndian(file, headerLength);
        rest.CopyTo(file, 8);
        return file;
    }

    public static byte[] F32(params float[] values)
    {
        var bytes = new byte[4 * values.Length];
        for (int i = 0; i < values.Length; i++) BinaryPrimitives.WriteSingleLittleEndian(bytes.AsSpan(4 * i), values[i]);
        return bytes;
    }

    public static byte[] Concat(params byte[][] parts) => parts.SelectMany(p => p).ToArray();

    /// <summary>Header length as stored in the prefix.</summary>
    public static int HeaderLength(byte[] file) => (int)BinaryPrimitives.ReadUInt64LittleEndian(file);

    public static SafeTensorsFile LoadBytes(byte[] file, string name = "bytes.safetensors") =>
        SafeTensors.Load(new MemoryStream(file, writable: false), name);

    public static byte[] SaveBytes(IEnumerable<KeyValuePair<string, Tensor>> tensors,
        IReadOnlyDictionary<string, string>? metadata = null, SafeTensorsDType dtype = SafeTensorsDType.F32)
    {
        using var stream = new MemoryStream();
        SafeTensors.Save(stream, tensors, metadata, dtype);
        return stream.ToArray();
    }

    public static KeyValuePair<string, Tensor> Pair(string name, Tensor tensor) => new(name, tensor);
}

/// <summary>A fresh temporary directory, deleted on dispose.</summary>
internal sealed class TempDirectory : IDisposable
{
    public TempDirectory() => Directory.CreateDirectory(Path);

    public string Path { get; } = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "neuralsharp-serial-" + Guid.NewGuid().ToString("N"));

    public string File(string name) => System.IO.Path.Combine(Path, name);

    public void Dispose()
    {
        try { Directory.Delete(Path, recursive: true); }
        catch (IOException) { }
    }
}
