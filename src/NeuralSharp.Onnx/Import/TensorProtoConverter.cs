using System.Runtime.InteropServices;
using Google.Protobuf;
using NeuralSharp.Onnx.Protos;

namespace NeuralSharp.Onnx.Import;

/// <summary>
/// Converts ONNX <c>TensorProto</c> messages to <see cref="OnnxTensor"/> and back. Every length is checked against
/// the data present before anything is allocated, so a hostile file cannot make us allocate more than it holds.
/// </summary>
internal static class TensorProtoConverter
{
    /// <summary>Reads <paramref name="proto"/>; <paramref name="baseDirectory"/> resolves external data (null: refuse it).</summary>
    public static OnnxTensor ToTensor(TensorProto proto, string where, string? baseDirectory)
    {
        string name = proto.Name.Length > 0 ? $"tensor '{proto.Name}'" : "a tensor";
        var type = ElementType(proto.DataType, $"{where}: {name}");
        if (proto.Segment != null)
            throw new OnnxUnsupportedException($"{where}: {name} is segmented (TensorProto.segment is not supported)");
        int[] shape = Dimensions(proto.Dims, $"{where}: {name}");
        long count = OnnxTensor.ElementCount(shape);
        int size = OnnxElementTypes.Size(type);

        if (proto.DataLocation == TensorProto.Types.DataLocation.External)
        {
            if (type == OnnxElementType.String)
                throw new OnnxFormatException($"{where}: {name} is a string tensor with external data");
            byte[] bytes = ExternalData.Read(proto, count * size, where, name, baseDirectory);
            return FromRaw(type, shape, bytes, count, where, name);
        }
        if (proto.HasRawData)
        {
            if (type == OnnxElementType.String)
                throw new OnnxFormatException($"{where}: {name} is a string tensor with raw_data");
            return FromRaw(type, shape, proto.RawData.Span, count, where, name);
        }
        return FromTypedFields(proto, type, shape, count, where, name);
    }

    /// <summary>The newest ONNX data types (float8 variants, uint4, int4, float4e2m1: 17 to 23), which NeuralSharp does not run.</summary>
    private const int NewestDataType = 23;

    /// <summary>
    /// Checks an ONNX <c>data_type</c> / <c>elem_type</c> for a value described by <paramref name="what"/>: a type we hold
    /// in an <see cref="OnnxTensor"/> is returned; complex and the newer ONNX types are unsupported; 0 (undefined) and
    /// numbers that are no ONNX type mean a malformed file.
    /// </summary>
    /// <exception cref="OnnxUnsupportedException">A valid ONNX type without a runtime representation.</exception>
    /// <exception cref="OnnxFormatException">Undefined or not an ONNX type.</exception>
    public static OnnxElementType ElementType(int dataType, string what)
    {
        var type = (OnnxElementType)dataType;
        if (type is OnnxElementType.Complex64 or OnnxElementType.Complex128 || dataType > (int)OnnxElementType.BFloat16 && dataType <= NewestDataType)
            throw new OnnxUnsupportedException($"{what} has unsupported data type {OnnxElementTypes.Name(type)}");
        if (type == OnnxElementType.Undefined || !Enum.IsDefined(type))
            throw new OnnxFormatException($"{what} has data type {dataType}, which is {(dataType == 0 ? "undefined" : "not an ONNX data type")}");
        return type;
    }

    /// <summary>Checks dims (non-negative, each fitting an int) and returns them as ints.</summary>
    public static int[] Dimensions(IList<long> dims, string what)
    {
        var shape = new int[dims.Count];
        long count = 1;
        for (int i = 0; i < shape.Length; i++)
        {
            long d = dims[i];
            if (d < 0 || d > int.MaxValue)
                throw new OnnxFormatException($"{what}: dimension {i} is {d} (dims [{string.Join(", ", dims)}])");
            shape[i] = (int)d;
            count *= Math.Max(d, 1);
            if (count > Array.MaxLength)
                throw new OnnxFormatException($"{what}: dims [{string.Join(", ", dims)}] have more elements than an array can hold");
        }
        return shape;
    }

    private static OnnxTensor FromRaw(OnnxElementType type, int[] shape, ReadOnlySpan<byte> raw, long count,
        string where, string name)
    {
        int size = OnnxElementTypes.Size(type);
        if (raw.Length != count * size)
            throw new OnnxFormatException(
                $"{where}: {name} of type {OnnxElementTypes.Name(type)} and shape [{string.Join(", ", shape)}] needs {count * size} bytes of data, it has {raw.Length}");
        Array data = OnnxElementTypes.NewArray(type, count);
        if (type == OnnxElementType.Bool)
        {
            var bools = (bool[])data;
            for (int i = 0; i < bools.Length; i++) bools[i] = raw[i] != 0;
        }
        else
        {
            // ONNX raw data is little-endian, as is every machine .NET runs NeuralSharp on.
            raw.CopyTo(RawBytes(data));
        }
        return new OnnxTensor(type, shape, data);
    }

    private static OnnxTensor FromTypedFields(TensorProto p, OnnxElementType type, int[] shape, long count,
        string where, string name)
    {
        int present = type switch
        {
            OnnxElementType.Float => p.FloatData.Count,
            OnnxElementType.Double => p.DoubleData.Count,
            OnnxElementType.Int64 => p.Int64Data.Count,
            OnnxElementType.UInt32 or OnnxElementType.UInt64 => p.Uint64Data.Count,
            OnnxElementType.String => p.StringData.Count,
            _ => p.Int32Data.Count,
        };
        if (present != count)
            throw new OnnxFormatException(
                $"{where}: {name} of type {OnnxElementTypes.Name(type)} and shape [{string.Join(", ", shape)}] needs {count} values, it has {present}");
        int n = (int)count;
        Array data = type switch
        {
            OnnxElementType.Float => p.FloatData.ToArray(),
            OnnxElementType.Double => p.DoubleData.ToArray(),
            OnnxElementType.Int64 => p.Int64Data.ToArray(),
            OnnxElementType.UInt64 => p.Uint64Data.ToArray(),
            OnnxElementType.UInt32 => p.Uint64Data.Select(v => (uint)v).ToArray(),
            OnnxElementType.Int32 => p.Int32Data.ToArray(),
            OnnxElementType.Int16 => p.Int32Data.Select(v => (short)v).ToArray(),
            OnnxElementType.UInt16 or OnnxElementType.BFloat16 => p.Int32Data.Select(v => (ushort)v).ToArray(),
            OnnxElementType.Int8 => p.Int32Data.Select(v => (sbyte)v).ToArray(),
            OnnxElementType.UInt8 => p.Int32Data.Select(v => (byte)v).ToArray(),
            OnnxElementType.Bool => p.Int32Data.Select(v => v != 0).ToArray(),
            OnnxElementType.Float16 => p.Int32Data.Select(v => BitConverter.UInt16BitsToHalf((ushort)v)).ToArray(),
            OnnxElementType.String => p.StringData.Select(s => s.ToStringUtf8()).ToArray(),
            _ => throw new OnnxUnsupportedException($"{where}: {name} has unsupported data type {OnnxElementTypes.Name(type)}"),
        };
        return new OnnxTensor(type, shape, data);
    }

    /// <summary>Writes <paramref name="tensor"/> as a TensorProto with raw_data (strings in string_data).</summary>
    public static TensorProto ToProto(OnnxTensor tensor, string name)
    {
        var proto = new TensorProto { Name = name, DataType = (int)tensor.ElementType };
        foreach (int d in tensor.Shape) proto.Dims.Add(d);
        if (tensor.ElementType == OnnxElementType.String)
        {
            foreach (string s in tensor.AsSpan<string>()) proto.StringData.Add(ByteString.CopyFromUtf8(s));
            return proto;
        }
        if (tensor.ElementType == OnnxElementType.Bool)
        {
            var bools = tensor.AsSpan<bool>();
            var bytes = new byte[bools.Length];
            for (int i = 0; i < bytes.Length; i++) bytes[i] = bools[i] ? (byte)1 : (byte)0;
            proto.RawData = ByteString.CopyFrom(bytes);
            return proto;
        }
        int size = OnnxElementTypes.Size(tensor.ElementType);
        proto.RawData = ByteString.CopyFrom(RawBytes(tensor.Data).Slice(0, tensor.Length * size));
        return proto;
    }

    /// <summary>The bytes of a primitive array (not bool or string).</summary>
    internal static Span<byte> RawBytes(Array data) => data switch
    {
        float[] a => MemoryMarshal.AsBytes(a.AsSpan()),
        double[] a => MemoryMarshal.AsBytes(a.AsSpan()),
        Half[] a => MemoryMarshal.AsBytes(a.AsSpan()),
        sbyte[] a => MemoryMarshal.AsBytes(a.AsSpan()),
        byte[] a => a.AsSpan(),
        short[] a => MemoryMarshal.AsBytes(a.AsSpan()),
        ushort[] a => MemoryMarshal.AsBytes(a.AsSpan()),
        int[] a => MemoryMarshal.AsBytes(a.AsSpan()),
        uint[] a => MemoryMarshal.AsBytes(a.AsSpan()),
        long[] a => MemoryMarshal.AsBytes(a.AsSpan()),
        ulong[] a => MemoryMarshal.AsBytes(a.AsSpan()),
        _ => throw new InvalidOperationException($"no raw byte view of {data.GetType().Name}"),
    };
}
