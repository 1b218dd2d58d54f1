using System.Buffers.Binary;
using System.IO.Compression;
using NeuralSharp.Data;

namespace NeuralSharp.Tests.Data;

/// <summary>Writes IDX files for the tests.</summary>
internal static class IdxTestFiles
{
    public static byte[] Header(byte typeCode, params int[] dims)
    {
        var header = new byte[4 + 4 * dims.Length];
        header[2] = typeCode;
        header[3] = (byte)dims.Length;
        for (int i = 0; i < dims.Length; i++) BinaryPrimitives.WriteInt32BigEndian(header.AsSpan(4 + 4 * i), dims[i]);
        return header;
    }

    /// <summary>The IDX bytes of <paramref name="values"/> stored as <paramref name="type"/>.</summary>
    public static byte[] Encode(IdxDataType type, int[] dims, double[] values)
    {
        int size = IdxReader.ElementSize(type);
        var header = Header((byte)type, dims);
        var bytes = new byte[header.Length + values.Length * size];
        header.CopyTo(bytes, 0);
        var data = bytes.AsSpan(header.Length);
        for (int i = 0; i < values.Length; i++)
        {
            var at = data[(i * size)..];
            switch (type)
            {
                case IdxDataType.UnsignedByte: at[0] = (byte)values[i]; break;
                case IdxDataType.SignedByte: at[0] = (byte)(sbyte)values[i]; break;
                case IdxDataType.Int16: BinaryPrimitives.WriteInt16BigEndian(at, (short)values[i]); break;
                case IdxDataType.Int32: BinaryPrimitives.WriteInt32BigEndian(at, (int)values[i]); break;
                case IdxDataType.Single: BinaryPrimitives.WriteSingleBigEndian(at, (float)values[i]); break;
                case IdxDataType.Double: BinaryPrimitives.WriteDoubleBigEndian(at, values[i]); break;
            }
        }
        return bytes;
    }

    public static byte[] Gzip(byte[] raw)
    {
        using var output = new MemoryStream();
        using (var gz = new GZipStream(output, CompressionLevel.Fastest, leaveOpen: true)) gz.Write(raw);
        return output.ToArray();
    }
}
