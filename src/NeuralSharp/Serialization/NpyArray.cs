using System.Buffers.Binary;
using System.Runtime.InteropServices;

namespace NeuralSharp.Serialization;

/// <summary>
/// A NumPy array as stored in a <c>.npy</c> file: its element type, its shape and its elements as raw
/// little-endian bytes in C (row-major) order (files in Fortran order or big-endian were converted on read).
/// A 0-d array has shape [] and one element; an array with a 0 dimension has none. The conversions
/// (<see cref="ToTensor"/>, <see cref="ToSingleArray"/>, ...) return new arrays.
/// </summary>
public sealed class NpyArray
{
    private readonly int[] _shape;
    private readonly byte[] _data;

    /// <summary>
    /// Creates an array over <paramref name="data"/>: the elements' little-endian bytes, row-major; used as
    /// given, not copied (do not modify it afterwards).
    /// </summary>
    /// <param name="dtype">The element type.</param>
    /// <param name="shape">Dimensions, outermost first, each ≥ 0; empty for a 0-d array.</param>
    /// <param name="data">Exactly product(shape) · sizeof(dtype) bytes.</param>
    /// <exception cref="ArgumentException">When a dimension is negative or the byte count does not match.</exception>
    public NpyArray(NpyDType dtype, int[] shape, byte[] data)
    {
        ArgumentNullException.ThrowIfNull(shape);
        ArgumentNullException.ThrowIfNull(data);
        int size = NpyDTypeInfo.SizeOf(dtype);
        long count = ElementCount(shape);
        if (count * size != data.Length)
            throw new ArgumentException($"NpyArray: {data.Length} bytes given for {dtype} with shape {FormatShape(shape)} ({count} elements of {size} bytes).", nameof(data));
        DType = dtype;
        _shape = (int[])shape.Clone();
        _data = data;
        Count = (int)count;
    }

    /// <summary>The element type.</summary>
    public NpyDType DType { get; }

    /// <summary>The dimensions, outermost first (a copy); empty for a 0-d array.</summary>
    public int[] Shape => (int[])_shape.Clone();

    /// <summary>The number of dimensions (0 for a 0-d array).</summary>
    public int Rank => _shape.Length;

    /// <summary>The number of elements: the product of the dimensions (1 for a 0-d array).</summary>
    public int Count { get; }

    /// <summary>The raw elements: little-endian, row-major, <see cref="Count"/> · element size bytes.</summary>
    public ReadOnlySpan<byte> Data => _data;

    /// <summary>Length of dimension <paramref name="axis"/> (negative counts from the end).</summary>
    /// <exception cref="ArgumentOutOfRangeException">When the axis is outside [-Rank, Rank).</exception>
    public int Dim(int axis)
    {
        int a = axis < 0 ? axis + _shape.Length : axis;
        if ((uint)a >= (uint)_shape.Length)
            throw new ArgumentOutOfRangeException(nameof(axis), $"NpyArray.Dim: axis {axis} is outside [-{Rank}, {Rank}) for shape {FormatShape(_shape)}.");
        return _shape[a];
    }

    /// <summary>A float32 array holding a copy of the tensor's values in its shape.</summary>
    /// <exception cref="ObjectDisposedException">When the tensor has been disposed.</exception>
    public static NpyArray FromTensor(Tensor tensor)
    {
        ArgumentNullException.ThrowIfNull(tensor);
        if (tensor.IsDisposed) throw new ObjectDisposedException(nameof(Tensor), "NpyArray.FromTensor: the tensor has been disposed.");
        return FromSingles(tensor.Data, tensor.ShapeArray);
    }

    /// <summary>A float32 array holding a copy of <paramref name="data"/> (row-major) with the given shape.</summary>
    /// <exception cref="ArgumentException">When the length does not match the shape.</exception>
    public static NpyArray FromSingles(ReadOnlySpan<float> data, params int[] shape) => From(NpyDType.Float32, MemoryMarshal.AsBytes(data), data.Length, shape);

    /// <summary>A float64 array holding a copy of <paramref name="data"/> (row-major) with the given shape.</summary>
    /// <exception cref="ArgumentException">When the length does not match the shape.</exception>
    public static NpyArray FromDoubles(ReadOnlySpan<double> data, params int[] shape) => From(NpyDType.Float64, MemoryMarshal.AsBytes(data), data.Length, shape);

    /// <summary>An int64 array holding a copy of <paramref name="data"/> (row-major) with the given shape.</summary>
    /// <exception cref="ArgumentException">When the length does not match the shape.</exception>
    public static NpyArray FromInt64s(ReadOnlySpan<long> data, params int[] shape) => From(NpyDType.Int64, MemoryMarshal.AsBytes(data), data.Length, shape);

    /// <summary>An int32 array holding a copy of <paramref name="data"/> (row-major) with the given shape.</summary>
    /// <exception cref="ArgumentException">When the length does not match the shape.</exception>
    public static NpyArray FromInt32s(ReadOnlySpan<int> data, params int[] shape) => From(NpyDType.Int32, MemoryMarshal.AsBytes(data), data.Length, shape);

    /// <summary>A bool array (bytes 0 and 1) of <paramref name="data"/> (row-major) with the given shape.</summary>
    /// <exception cref="ArgumentException">When the length does not match the shape.</exception>
    public static NpyArray FromBooleans(ReadOnlySpan<bool> data, params int[] shape)
    {
        var bytes = new byte[data.Length];
        for (int i = 0; i < bytes.Length; i++) bytes[i] = data[i] ? (byte)1 : (byte)0;
        return new NpyArray(NpyDType.Bool, CheckShape(shape, data.Length), bytes);
    }

    private static NpyArray From(NpyDType dtype, ReadOnlySpan<byte> nativeBytes, int count, int[] shape)
    {
        CheckShape(shape, count);
        var bytes = nativeBytes.ToArray();
        if (!BitConverter.IsLittleEndian) NpyConvert.SwapBytes(bytes, NpyDTypeInfo.SizeOf(dtype));
        return new NpyArray(dtype, shape, bytes);
    }

    private static int[] CheckShape(int[] shape, int count)
    {
        ArgumentNullException.ThrowIfNull(shape);
        long expected = ElementCount(shape);
        if (expected != count)
            throw new ArgumentException($"NpyArray: {count} values given for shape {FormatShape(shape)} ({expected} elements).", nameof(shape));
        return shape;
    }

    /// <summary>The product of the dimensions, saturated at 2^40 (so that it never overflows, even times 8).</summary>
    private static long ElementCount(int[] shape)
    {
        const long cap = 1L << 40;
        long count = 1;
        foreach (int d in shape)
        {
            if (d < 0) throw new ArgumentException($"NpyArray: negative dimension in shape {FormatShape(shape)}.", nameof(shape));
            count = Math.Min(count * d, cap); // count <= 2^40 and d < 2^31: the product fits in 64 bits
        }
        return count;
    }

    /// <summary>A new float32 tensor of this shape holding <see cref="ToSingleArray"/>'s values.</summary>
    public Tensor ToTensor()
    {
        var tensor = Tensor.Empty(_shape);
        NpyConvert.ToSingles(DType, _data, tensor.Data);
        return tensor;
    }

    /// <summary>The elements as float32 (row-major): exact for bool (0/1), 8/16-bit integers, float16 and float32;
    /// rounded to nearest for float64 and for 32/64-bit integers beyond 2^24.</summary>
    public float[] ToSingleArray()
    {
        var result = new float[Count];
        NpyConvert.ToSingles(DType, _data, result);
        return result;
    }

    /// <summary>The elements as float64 (row-major): exact except for 64-bit integers beyond 2^53 (rounded to nearest).</summary>
    public double[] ToDoubleArray()
    {
        var result = new double[Count];
        for (int i = 0; i < result.Length; i++) result[i] = NpyConvert.ReadDouble(DType, _data, i);
        return result;
    }

    /// <summary>
    /// The elements as int64 (row-major). Bool and integer types convert exactly; floating-point elements must
    /// hold whole numbers (1.0 → 1).
    /// </summary>
    /// <exception cref="InvalidCastException">When a floating-point element is not a whole number (or NaN); the message names its index.</exception>
    /// <exception cref="OverflowException">When an element is outside the int64 range; the message names its index.</exception>
    public long[] ToInt64Array()
    {
        var result = new long[Count];
        for (int i = 0; i < result.Length; i++) result[i] = NpyConvert.ReadInt64(DType, _data, i, long.MinValue, long.MaxValue, "int64");
        return result;
    }

    /// <summary>The elements as int32 (row-major), under the rules of <see cref="ToInt64Array"/> with the int32 range.</summary>
    /// <exception cref="InvalidCastException">When a floating-point element is not a whole number (or NaN); the message names its index.</exception>
    /// <exception cref="OverflowException">When an element is outside the int32 range; the message names its index.</exception>
    public int[] ToInt32Array()
    {
        var result = new int[Count];
        for (int i = 0; i < result.Length; i++) result[i] = (int)NpyConvert.ReadInt64(DType, _data, i, int.MinValue, int.MaxValue, "int32");
        return result;
    }

    /// <summary>The elements as bool (row-major): element != 0, as NumPy's <c>astype(bool)</c> (so NaN is true).</summary>
    public bool[] ToBooleanArray()
    {
        var result = new bool[Count];
        int size = NpyDTypeInfo.SizeOf(DType);
        if (NpyDTypeInfo.IsFloat(DType))
            for (int i = 0; i < result.Length; i++) result[i] = NpyConvert.ReadDouble(DType, _data, i) != 0;
        else
            for (int i = 0; i < result.Length; i++) result[i] = _data.AsSpan(i * size, size).IndexOfAnyExcept((byte)0) >= 0;
        return result;
    }

    /// <inheritdoc/>
    public override string ToString() => $"NpyArray({DType}, {FormatShape(_shape)})";

    internal static string FormatShape(IEnumerable<long> shape) => "(" + string.Join(", ", shape) + (shape.Count() == 1 ? ",)" : ")");

    internal static string FormatShape(int[] shape) => FormatShape(shape.Select(d => (long)d));
}

/// <summary>Element conversions of little-endian npy bytes.</summary>
internal static class NpyConvert
{
    public static void SwapBytes(Span<byte> data, int size)
    {
        if (size == 1) return;
        for (int i = 0; i + size <= data.Length; i += size) data.Slice(i, size).Reverse();
    }

    public static void ToSingles(NpyDType dtype, ReadOnlySpan<byte> src, Span<float> dst)
    {
        switch (dtype)
        {
            case NpyDType.Float32:
                if (BitConverter.IsLittleEndian) src.CopyTo(MemoryMarshal.AsBytes(dst));
                else for (int i = 0; i < dst.Length; i++) dst[i] = BinaryPrimitives.ReadSingleLittleEndian(src[(4 * i)..]);
                break;
            case NpyDType.Bool:
                for (int i = 0; i < dst.Length; i++) dst[i] = src[i] != 0 ? 1f : 0f;
                break;
            case NpyDType.UInt8:
                for (int i = 0; i < dst.Length; i++) dst[i] = src[i];
                break;
            case NpyDType.Int8:
                for (int i = 0; i < dst.Length; i++) dst[i] = (sbyte)src[i];
                break;
            case NpyDType.Int32:
                for (int i = 0; i < dst.Length; i++) dst[i] = BinaryPrimitives.ReadInt32LittleEndian(src[(4 * i)..]);
                break;
            case NpyDType.Int64:
                for (int i = 0; i < dst.Length; i++) dst[i] = BinaryPrimitives.ReadInt64LittleEndian(src[(8 * i)..]);
                break;
            case NpyDType.UInt32:
                for (int i = 0; i < dst.Length; i++) dst[i] = BinaryPrimitives.ReadUInt32LittleEndian(src[(4 * i)..]);
                break;
            case NpyDType.UInt64:
                for (int i = 0; i < dst.Length; i++) dst[i] = BinaryPrimitives.ReadUInt64LittleEndian(src[(8 * i)..]);
                break;
            default:
                // float64 -> float32 directly (one rounding); the rest are exact in double.
                for (int i = 0; i < dst.Length; i++) dst[i] = (float)ReadDouble(dtype, src, i);
                break;
        }
    }

    public static double ReadDouble(NpyDType dtype, ReadOnlySpan<byte> src, int i) => dtype switch
    {
        NpyDType.Bool => src[i] != 0 ? 1 : 0,
        NpyDType.Int8 => (sbyte)src[i],
        NpyDType.UInt8 => src[i],
        NpyDType.Int16 => BinaryPrimitives.ReadInt16LittleEndian(src[(2 * i)..]),
        NpyDType.UInt16 => BinaryPrimitives.ReadUInt16LittleEndian(src[(2 * i)..]),
        NpyDType.Int32 => BinaryPrimitives.ReadInt32LittleEndian(src[(4 * i)..]),
        NpyDType.UInt32 => BinaryPrimitives.ReadUInt32LittleEndian(src[(4 * i)..]),
        NpyDType.Int64 => BinaryPrimitives.ReadInt64LittleEndian(src[(8 * i)..]),
        NpyDType.UInt64 => BinaryPrimitives.ReadUInt64LittleEndian(src[(8 * i)..]),
        NpyDType.Float16 => (double)BinaryPrimitives.ReadHalfLittleEndian(src[(2 * i)..]),
        NpyDType.Float32 => BinaryPrimitives.ReadSingleLittleEndian(src[(4 * i)..]),
        NpyDType.Float64 => BinaryPrimitives.ReadDoubleLittleEndian(src[(8 * i)..]),
        _ => throw new ArgumentOutOfRangeException(nameof(dtype), dtype, "Unknown NpyDType."),
    };

    /// <summary>Element i as an integer in [min, max]; floating-point elements must be whole numbers.</summary>
    public static long ReadInt64(NpyDType dtype, ReadOnlySpan<byte> src, int i, long min, long max, string target)
    {
        if (dtype == NpyDType.UInt64)
        {
            ulong u = BinaryPrimitives.ReadUInt64LittleEndian(src[(8 * i)..]);
            if (u > (ulong)max) throw new OverflowException($"NpyArray: element {i} ({u}) is outside the {target} range.");
            return (long)u;
        }
        if (dtype == NpyDType.Int64)
        {
            long v = BinaryPrimitives.ReadInt64LittleEndian(src[(8 * i)..]);
            if (v < min || v > max) throw new OverflowException($"NpyArray: element {i} ({v}) is outside the {target} range.");
            return v;
        }
        double d = ReadDouble(dtype, src, i);
        if (NpyDTypeInfo.IsFloat(dtype) && (double.IsNaN(d) || d != Math.Floor(d)))
            throw new InvalidCastException($"NpyArray: element {i} ({d}) of the {dtype} array is not a whole number.");
        // 2^63 is exactly representable; anything at or beyond it does not fit in int64.
        if (d < min || d >= (double)max + 1)
            throw new OverflowException($"NpyArray: element {i} ({d}) is outside the {target} range.");
        return (long)d;
    }
}
