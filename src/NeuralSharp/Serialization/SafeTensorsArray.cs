using System.Buffers.Binary;
using System.Runtime.InteropServices;

namespace NeuralSharp.Serialization;

/// <summary>
/// One tensor of any safetensors dtype kept as its stored bytes (little-endian, row-major), for the
/// dtypes a float32 <see cref="Tensor"/> cannot carry unchanged: int8/uint8 quantised weights, int32/int64
/// indices, and so on. Written by <see cref="SafeTensors.SaveArrays(string, IEnumerable{KeyValuePair{string, SafeTensorsArray}}, IReadOnlyDictionary{string, string}?)"/>
/// and read by <see cref="SafeTensors.LoadArrays(string)"/>. The conversions return new arrays.
/// </summary>
public sealed class SafeTensorsArray
{
    private readonly int[] _shape;
    private readonly byte[] _data;

    /// <summary>
    /// Creates an array over <paramref name="data"/> (little-endian, row-major; used as given, not copied).
    /// </summary>
    /// <param name="dtype">The element type.</param>
    /// <param name="shape">Dimensions, each ≥ 0; empty for a scalar.</param>
    /// <param name="data">Exactly product(shape) · sizeof(dtype) bytes.</param>
    /// <exception cref="ArgumentException">When a dimension is negative or the byte count does not match.</exception>
    public SafeTensorsArray(SafeTensorsDType dtype, int[] shape, byte[] data)
    {
        ArgumentNullException.ThrowIfNull(shape);
        ArgumentNullException.ThrowIfNull(data);
        int size = SafeTensorsDTypeInfo.SizeOf(dtype);
        long count = CountOf(shape);
        if (count * size != data.Length)
            throw new ArgumentException($"SafeTensorsArray: {data.Length} bytes given for {SafeTensorsDTypeInfo.Name(dtype)} with shape [{string.Join(", ", shape)}] ({count} elements of {size} bytes).", nameof(data));
        DType = dtype;
        _shape = (int[])shape.Clone();
        _data = data;
        Count = (int)count;
    }

    /// <summary>The stored element type.</summary>
    public SafeTensorsDType DType { get; }

    /// <summary>The dimensions (a copy); empty for a scalar.</summary>
    public int[] Shape => (int[])_shape.Clone();

    /// <summary>The number of elements (1 for a scalar).</summary>
    public int Count { get; }

    /// <summary>The stored bytes: little-endian, row-major.</summary>
    public ReadOnlySpan<byte> Data => _data;

    /// <summary>An I8 array holding a copy of <paramref name="data"/> (row-major) with the given shape.</summary>
    /// <exception cref="ArgumentException">When the length does not match the shape.</exception>
    public static SafeTensorsArray FromSBytes(ReadOnlySpan<sbyte> data, params int[] shape) => From(SafeTensorsDType.I8, MemoryMarshal.AsBytes(data), 1, data.Length, shape);

    /// <summary>A U8 array holding a copy of <paramref name="data"/> (row-major) with the given shape.</summary>
    /// <exception cref="ArgumentException">When the length does not match the shape.</exception>
    public static SafeTensorsArray FromBytes(ReadOnlySpan<byte> data, params int[] shape) => From(SafeTensorsDType.U8, data, 1, data.Length, shape);

    /// <summary>An I32 array holding a copy of <paramref name="data"/> (row-major) with the given shape.</summary>
    /// <exception cref="ArgumentException">When the length does not match the shape.</exception>
    public static SafeTensorsArray FromInt32s(ReadOnlySpan<int> data, params int[] shape) => From(SafeTensorsDType.I32, MemoryMarshal.AsBytes(data), 4, data.Length, shape);

    /// <summary>An I64 array holding a copy of <paramref name="data"/> (row-major) with the given shape.</summary>
    /// <exception cref="ArgumentException">When the length does not match the shape.</exception>
    public static SafeTensorsArray FromInt64s(ReadOnlySpan<long> data, params int[] shape) => From(SafeTensorsDType.I64, MemoryMarshal.AsBytes(data), 8, data.Length, shape);

    /// <summary>The tensor's values stored as <paramref name="dtype"/> (F32, F64, F16 or BF16; rounded to nearest, ties to even).</summary>
    /// <exception cref="ArgumentException">When <paramref name="dtype"/> is not a float type.</exception>
    /// <exception cref="ObjectDisposedException">When the tensor has been disposed.</exception>
    public static SafeTensorsArray FromTensor(Tensor tensor, SafeTensorsDType dtype = SafeTensorsDType.F32)
    {
        ArgumentNullException.ThrowIfNull(tensor);
        if (tensor.IsDisposed) throw new ObjectDisposedException(nameof(Tensor), "SafeTensorsArray.FromTensor: the tensor has been disposed.");
        if (!SafeTensorsDTypeInfo.IsWritable(dtype))
            throw new ArgumentException($"SafeTensorsArray.FromTensor: cannot store a tensor as {dtype}; use F32, F64, F16 or BF16 (integers: FromSBytes, FromBytes, FromInt32s, FromInt64s).", nameof(dtype));
        var data = new byte[(long)tensor.Size * SafeTensorsDTypeInfo.SizeOf(dtype)];
        SafeTensorsConvert.Encode(dtype, tensor.Data, data);
        return new SafeTensorsArray(dtype, tensor.ShapeArray, data);
    }

    /// <summary>A new float32 tensor of this shape; every dtype converts as <see cref="SafeTensors.Load(Stream, string)"/> converts it.</summary>
    public Tensor ToTensor()
    {
        var tensor = Tensor.Empty(_shape);
        SafeTensorsConvert.Decode(DType, _data, tensor.Data);
        return tensor;
    }

    /// <summary>The elements of an I8 array.</summary>
    /// <exception cref="InvalidOperationException">When the dtype is not I8.</exception>
    public sbyte[] ToSByteArray()
    {
        Require(DType == SafeTensorsDType.I8, "ToSByteArray", "I8");
        return MemoryMarshal.Cast<byte, sbyte>(_data.AsSpan()).ToArray();
    }

    /// <summary>The elements of a U8 or BOOL array (the stored bytes).</summary>
    /// <exception cref="InvalidOperationException">When the dtype is not U8 or BOOL.</exception>
    public byte[] ToByteArray()
    {
        Require(DType is SafeTensorsDType.U8 or SafeTensorsDType.BOOL, "ToByteArray", "U8 or BOOL");
        return (byte[])_data.Clone();
    }

    /// <summary>The elements of an integer or BOOL array as int64 (exact).</summary>
    /// <exception cref="InvalidOperationException">When the dtype is a floating-point type.</exception>
    /// <exception cref="OverflowException">When a U64 element exceeds long.MaxValue (the message names its index).</exception>
    public long[] ToInt64Array()
    {
        var result = new long[Count];
        ReadOnlySpan<byte> s = _data;
        switch (DType)
        {
            case SafeTensorsDType.BOOL: for (int i = 0; i < result.Length; i++) result[i] = s[i] != 0 ? 1 : 0; break;
            case SafeTensorsDType.U8: for (int i = 0; i < result.Length; i++) result[i] = s[i]; break;
            case SafeTensorsDType.I8: for (int i = 0; i < result.Length; i++) result[i] = (sbyte)s[i]; break;
            case SafeTensorsDType.I16: for (int i = 0; i < result.Length; i++) result[i] = BinaryPrimitives.ReadInt16LittleEndian(s[(2 * i)..]); break;
            case SafeTensorsDType.U16: for (int i = 0; i < result.Length; i++) result[i] = BinaryPrimitives.ReadUInt16LittleEndian(s[(2 * i)..]); break;
            case SafeTensorsDType.I32: for (int i = 0; i < result.Length; i++) result[i] = BinaryPrimitives.ReadInt32LittleEndian(s[(4 * i)..]); break;
            case SafeTensorsDType.U32: for (int i = 0; i < result.Length; i++) result[i] = BinaryPrimitives.ReadUInt32LittleEndian(s[(4 * i)..]); break;
            case SafeTensorsDType.I64: for (int i = 0; i < result.Length; i++) result[i] = BinaryPrimitives.ReadInt64LittleEndian(s[(8 * i)..]); break;
            case SafeTensorsDType.U64:
                for (int i = 0; i < result.Length; i++)
                {
                    ulong v = BinaryPrimitives.ReadUInt64LittleEndian(s[(8 * i)..]);
                    if (v > long.MaxValue) throw new OverflowException($"SafeTensorsArray.ToInt64Array: element {i} ({v}) exceeds the int64 range.");
                    result[i] = (long)v;
                }
                break;
            default:
                throw new InvalidOperationException($"SafeTensorsArray.ToInt64Array: the array is {SafeTensorsDTypeInfo.Name(DType)}, not an integer type; use ToTensor.");
        }
        return result;
    }

    /// <summary>The elements of an integer or BOOL array as int32 (exact).</summary>
    /// <exception cref="InvalidOperationException">When the dtype is a floating-point type.</exception>
    /// <exception cref="OverflowException">When an element is outside the int32 range (the message names its index).</exception>
    public int[] ToInt32Array()
    {
        var wide = ToInt64Array();
        var result = new int[wide.Length];
        for (int i = 0; i < wide.Length; i++)
        {
            if (wide[i] is < int.MinValue or > int.MaxValue) throw new OverflowException($"SafeTensorsArray.ToInt32Array: element {i} ({wide[i]}) is outside the int32 range.");
            result[i] = (int)wide[i];
        }
        return result;
    }

    /// <inheritdoc/>
    public override string ToString() => $"SafeTensorsArray({SafeTensorsDTypeInfo.Name(DType)}, [{string.Join(", ", _shape)}])";

    private void Require(bool ok, string method, string expected)
    {
        if (!ok) throw new InvalidOperationException($"SafeTensorsArray.{method}: the array is {SafeTensorsDTypeInfo.Name(DType)}, not {expected}.");
    }

    private static SafeTensorsArray From(SafeTensorsDType dtype, ReadOnlySpan<byte> native, int size, int count, int[] shape)
    {
        ArgumentNullException.ThrowIfNull(shape);
        if (CountOf(shape) != count)
            throw new ArgumentException($"SafeTensorsArray: {count} values given for shape [{string.Join(", ", shape)}] ({CountOf(shape)} elements).", nameof(shape));
        var bytes = native.ToArray();
        if (!BitConverter.IsLittleEndian && size > 1)
            for (int i = 0; i < bytes.Length; i += size) bytes.AsSpan(i, size).Reverse();
        return new SafeTensorsArray(dtype, shape, bytes);
    }

    /// <summary>The product of the dimensions, saturated at 2^40 (never overflows, even times 8).</summary>
    private static long CountOf(int[] shape)
    {
        long count = 1;
        foreach (int d in shape)
        {
            if (d < 0) throw new ArgumentException($"SafeTensorsArray: negative dimension in shape [{string.Join(", ", shape)}].", nameof(shape));
            count = Math.Min(count * d, 1L << 40);
        }
        return count;
    }
}
