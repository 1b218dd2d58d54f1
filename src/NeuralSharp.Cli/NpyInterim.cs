using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using NeuralSharp.Onnx;
using NeuralSharp.Serialization;

namespace NeuralSharp.Cli;

/// <summary>
/// Interim NumPy .npy reader/writer for <c>neuralsharp run</c> (format versions 1.0-3.0, little-endian, C order; bool,
/// int8..int64, uint8..uint64, float16/32/64). To be replaced by the library's NumPy support once merged:
/// <see cref="Read"/> → <see cref="OnnxTensor"/>, <see cref="Write"/> <see cref="OnnxTensor"/> → file.
/// </summary>
internal static class NpyInterim
{
    private static readonly byte[] Magic = [0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y'];

    /// <summary>True when <paramref name="path"/> starts with the .npy magic string.</summary>
    public static bool IsNpy(string path)
    {
        using var stream = File.OpenRead(path);
        var head = new byte[Magic.Length];
        return stream.Read(head) == head.Length && head.AsSpan().SequenceEqual(Magic);
    }

    /// <summary>Reads a .npy file as a tensor.</summary>
    /// <exception cref="InvalidDataException">The file is not a .npy file we read (names the file and what is wrong).</exception>
    public static OnnxTensor Read(string path)
    {
        byte[] bytes = File.ReadAllBytes(path);
        InvalidDataException Bad(string why) => new($"{path}: not a readable .npy file: {why}.");
        if (bytes.Length < 10 || !bytes.AsSpan(0, 6).SequenceEqual(Magic)) throw Bad("the magic string \\x93NUMPY is missing");
        int major = bytes[6];
        int headerLength, start;
        if (major == 1) { headerLength = BitConverter.ToUInt16(bytes, 8); start = 10; }
        else if (major is 2 or 3 && bytes.Length >= 12) { headerLength = checked((int)BitConverter.ToUInt32(bytes, 8)); start = 12; }
        else throw Bad($"format version {major} is not 1, 2 or 3");
        if (start + (long)headerLength > bytes.Length) throw Bad($"the header claims {headerLength} bytes, the file has {bytes.Length - start} after the preamble");
        string header = (major == 3 ? Encoding.UTF8 : Encoding.Latin1).GetString(bytes, start, headerLength);
        string descr = Field(header, "descr", Bad).Trim().Trim('\'', '"');
        string fortran = Field(header, "fortran_order", Bad).Trim();
        string shapeText = Field(header, "shape", Bad).Trim();
        if (fortran != "False") throw Bad("Fortran-order arrays are not supported (save with np.ascontiguousarray)");
        var type = descr switch
        {
            "<f4" => OnnxElementType.Float, "<f8" => OnnxElementType.Double, "<f2" => OnnxElementType.Float16,
            "<i8" => OnnxElementType.Int64, "<i4" => OnnxElementType.Int32, "<i2" => OnnxElementType.Int16, "|i1" => OnnxElementType.Int8,
            "<u8" => OnnxElementType.UInt64, "<u4" => OnnxElementType.UInt32, "<u2" => OnnxElementType.UInt16, "|u1" => OnnxElementType.UInt8,
            "|b1" => OnnxElementType.Bool,
            _ => throw Bad($"dtype '{descr}' is not supported (little-endian bool, int8-64, uint8-64, float16/32/64)"),
        };
        if (!shapeText.StartsWith('(') || !shapeText.EndsWith(')')) throw Bad($"shape '{shapeText}' is not a tuple");
        var shape = shapeText[1..^1].Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
            .Select(d => int.TryParse(d.TrimEnd('L'), NumberStyles.None, CultureInfo.InvariantCulture, out int v) ? v : throw Bad($"shape '{shapeText}' has a bad dimension '{d}'"))
            .ToArray();
        long count = OnnxTensor.ElementCount(shape);
        int size = OnnxElementTypes.Size(type);
        int dataStart = start + headerLength;
        if (bytes.Length - dataStart != count * size)
            throw Bad($"shape ({string.Join(", ", shape)}) of {descr} needs {count * size} bytes of data, the file has {bytes.Length - dataStart}");
        Array data = OnnxElementTypes.NewArray(type, count);
        bytes.AsSpan(dataStart, (int)(count * size)).CopyTo(RawBytes(data));
        if (data is bool[] flags)
            for (int i = 0; i < flags.Length; i++) flags[i] = bytes[dataStart + i] != 0; // any non-zero byte is true
        return new OnnxTensor(type, shape, data);
    }

    /// <summary>Writes <paramref name="tensor"/> as a version 1.0 .npy file, atomically.</summary>
    /// <exception cref="NotSupportedException">The tensor's element type has no .npy dtype here (string, bfloat16, complex).</exception>
    public static void Write(string path, OnnxTensor tensor)
    {
        string descr = tensor.ElementType switch
        {
            OnnxElementType.Float => "<f4", OnnxElementType.Double => "<f8", OnnxElementType.Float16 => "<f2",
            OnnxElementType.Int64 => "<i8", OnnxElementType.Int32 => "<i4", OnnxElementType.Int16 => "<i2", OnnxElementType.Int8 => "|i1",
            OnnxElementType.UInt64 => "<u8", OnnxElementType.UInt32 => "<u4", OnnxElementType.UInt16 => "<u2", OnnxElementType.UInt8 => "|u1",
            OnnxElementType.Bool => "|b1",
            _ => throw new NotSupportedException($"{path}: cannot write a {OnnxElementTypes.Name(tensor.ElementType)} tensor as .npy."),
        };
        string shape = tensor.Rank switch
        {
            0 => "()",
            1 => $"({tensor.Shape[0]},)",
            _ => "(" + string.Join(", ", tensor.ShapeArray) + ")",
        };
        string dict = $"{{'descr': '{descr}', 'fortran_order': False, 'shape': {shape}, }}";
        int total = Magic.Length + 4 + dict.Length + 1;
        dict = dict.PadRight(dict.Length + (64 - total % 64) % 64) + "\n"; // data aligned to 64 bytes, as NumPy does
        var header = Encoding.Latin1.GetBytes(dict);
        var data = RawBytes(tensor.Data).Slice(0, tensor.Length * OnnxElementTypes.Size(tensor.ElementType)).ToArray();
        AtomicFile.Write(path, stream =>
        {
            stream.Write(Magic);
            stream.Write([1, 0, (byte)(header.Length & 0xFF), (byte)(header.Length >> 8)]);
            stream.Write(header);
            stream.Write(data);
        });
    }

    /// <summary>The text after <c>'name':</c> in a header dict, up to the next top-level comma.</summary>
    private static string Field(string header, string name, Func<string, InvalidDataException> bad)
    {
        int at = header.IndexOf($"'{name}'", StringComparison.Ordinal);
        if (at < 0) at = header.IndexOf($"\"{name}\"", StringComparison.Ordinal);
        if (at < 0) throw bad($"the header has no '{name}' ({header.Trim()})");
        int colon = header.IndexOf(':', at);
        if (colon < 0) throw bad($"the header is malformed ({header.Trim()})");
        int depth = 0, i = colon + 1;
        for (; i < header.Length; i++)
        {
            char c = header[i];
            if (c == '(') depth++;
            else if (c == ')') depth--;
            else if ((c == ',' && depth == 0) || c == '}') break;
        }
        return header[(colon + 1)..i];
    }

    private static Span<byte> RawBytes(Array data) => data switch
    {
        float[] a => MemoryMarshal.AsBytes(a.AsSpan()),
        double[] a => MemoryMarshal.AsBytes(a.AsSpan()),
        Half[] a => MemoryMarshal.AsBytes(a.AsSpan()),
        long[] a => MemoryMarshal.AsBytes(a.AsSpan()),
        int[] a => MemoryMarshal.AsBytes(a.AsSpan()),
        short[] a => MemoryMarshal.AsBytes(a.AsSpan()),
        sbyte[] a => MemoryMarshal.AsBytes(a.AsSpan()),
        ulong[] a => MemoryMarshal.AsBytes(a.AsSpan()),
        uint[] a => MemoryMarshal.AsBytes(a.AsSpan()),
        ushort[] a => MemoryMarshal.AsBytes(a.AsSpan()),
        byte[] a => a.AsSpan(),
        bool[] a => MemoryMarshal.AsBytes(a.AsSpan()),
        _ => throw new NotSupportedException($"NpyInterim: no raw view of {data.GetType().Name}."),
    };
}
