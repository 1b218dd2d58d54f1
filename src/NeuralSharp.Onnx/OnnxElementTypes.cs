namespace NeuralSharp.Onnx;

/// <summary>Facts about <see cref="OnnxElementType"/>: the .NET type that holds each, its size and name.</summary>
public static class OnnxElementTypes
{
    /// <summary>The .NET element type that holds values of <paramref name="type"/> in an <see cref="OnnxTensor"/>.</summary>
    /// <exception cref="OnnxUnsupportedException">The type has no runtime representation (complex, undefined).</exception>
    public static Type ClrType(OnnxElementType type) => type switch
    {
        OnnxElementType.Float => typeof(float),
        OnnxElementType.Double => typeof(double),
        OnnxElementType.Float16 => typeof(Half),
        OnnxElementType.BFloat16 => typeof(ushort),
        OnnxElementType.Int8 => typeof(sbyte),
        OnnxElementType.UInt8 => typeof(byte),
        OnnxElementType.Int16 => typeof(short),
        OnnxElementType.UInt16 => typeof(ushort),
        OnnxElementType.Int32 => typeof(int),
        OnnxElementType.UInt32 => typeof(uint),
        OnnxElementType.Int64 => typeof(long),
        OnnxElementType.UInt64 => typeof(ulong),
        OnnxElementType.Bool => typeof(bool),
        OnnxElementType.String => typeof(string),
        _ => throw new OnnxUnsupportedException($"unsupported data type {Name(type)}"),
    };

    /// <summary>A new zero-filled array of <paramref name="count"/> elements of <paramref name="type"/>'s .NET type (no reflection: NativeAOT-safe).</summary>
    /// <exception cref="OnnxUnsupportedException">The type has no runtime representation.</exception>
    public static Array NewArray(OnnxElementType type, long count) => type switch
    {
        OnnxElementType.Float => new float[count],
        OnnxElementType.Double => new double[count],
        OnnxElementType.Float16 => new Half[count],
        OnnxElementType.BFloat16 or OnnxElementType.UInt16 => new ushort[count],
        OnnxElementType.Int8 => new sbyte[count],
        OnnxElementType.UInt8 => new byte[count],
        OnnxElementType.Int16 => new short[count],
        OnnxElementType.Int32 => new int[count],
        OnnxElementType.UInt32 => new uint[count],
        OnnxElementType.Int64 => new long[count],
        OnnxElementType.UInt64 => new ulong[count],
        OnnxElementType.Bool => new bool[count],
        OnnxElementType.String => Enumerable.Repeat(string.Empty, checked((int)count)).ToArray(),
        _ => throw new OnnxUnsupportedException($"unsupported data type {Name(type)}"),
    };

    /// <summary>The ONNX element type whose values a <typeparamref name="T"/> array holds (float16 for <see cref="Half"/>; <see cref="ushort"/> means UInt16).</summary>
    public static OnnxElementType Of<T>()
    {
        if (typeof(T) == typeof(float)) return OnnxElementType.Float;
        if (typeof(T) == typeof(double)) return OnnxElementType.Double;
        if (typeof(T) == typeof(Half)) return OnnxElementType.Float16;
        if (typeof(T) == typeof(sbyte)) return OnnxElementType.Int8;
        if (typeof(T) == typeof(byte)) return OnnxElementType.UInt8;
        if (typeof(T) == typeof(short)) return OnnxElementType.Int16;
        if (typeof(T) == typeof(ushort)) return OnnxElementType.UInt16;
        if (typeof(T) == typeof(int)) return OnnxElementType.Int32;
        if (typeof(T) == typeof(uint)) return OnnxElementType.UInt32;
        if (typeof(T) == typeof(long)) return OnnxElementType.Int64;
        if (typeof(T) == typeof(ulong)) return OnnxElementType.UInt64;
        if (typeof(T) == typeof(bool)) return OnnxElementType.Bool;
        if (typeof(T) == typeof(string)) return OnnxElementType.String;
        throw new ArgumentException($"OnnxTensor: no ONNX element type holds {typeof(T).Name}");
    }

    /// <summary>Bytes per element in raw (little-endian) storage; 0 for strings.</summary>
    public static int Size(OnnxElementType type) => type switch
    {
        OnnxElementType.Int8 or OnnxElementType.UInt8 or OnnxElementType.Bool => 1,
        OnnxElementType.Int16 or OnnxElementType.UInt16 or OnnxElementType.Float16 or OnnxElementType.BFloat16 => 2,
        OnnxElementType.Float or OnnxElementType.Int32 or OnnxElementType.UInt32 => 4,
        OnnxElementType.Double or OnnxElementType.Int64 or OnnxElementType.UInt64 or OnnxElementType.Complex64 => 8,
        OnnxElementType.Complex128 => 16,
        _ => 0,
    };

    /// <summary>The lower-case name ONNX's documentation uses (<c>float</c>, <c>int64</c>, <c>bfloat16</c>...).</summary>
    public static string Name(OnnxElementType type) => type switch
    {
        OnnxElementType.Float => "float",
        OnnxElementType.Double => "double",
        OnnxElementType.Float16 => "float16",
        OnnxElementType.BFloat16 => "bfloat16",
        OnnxElementType.Int8 => "int8",
        OnnxElementType.UInt8 => "uint8",
        OnnxElementType.Int16 => "int16",
        OnnxElementType.UInt16 => "uint16",
        OnnxElementType.Int32 => "int32",
        OnnxElementType.UInt32 => "uint32",
        OnnxElementType.Int64 => "int64",
        OnnxElementType.UInt64 => "uint64",
        OnnxElementType.Bool => "bool",
        OnnxElementType.String => "string",
        OnnxElementType.Complex64 => "complex64",
        OnnxElementType.Complex128 => "complex128",
        _ => $"data type {(int)type}",
    };

    /// <summary>True for the floating-point types the runtime computes in (float, double, float16).</summary>
    public static bool IsFloat(OnnxElementType type) =>
        type is OnnxElementType.Float or OnnxElementType.Double or OnnxElementType.Float16;
}
