using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace NeuralSharp.Onnx.Ops;

/// <summary>How data-movement ops see a tensor's elements: as raw bits of 1, 2, 4 or 8 bytes, or as strings.</summary>
internal enum ElementWidth { Bits8, Bits16, Bits32, Bits64, String }

/// <summary>
/// Type-agnostic helpers for the ops that move data (reshape, transpose, slice, gather...): they do not look at
/// values, so one generic implementation over the element's raw bits (<see cref="byte"/>, <see cref="short"/>,
/// <see cref="int"/>, <see cref="long"/>) or over <see cref="string"/> serves every element type the runtime holds.
/// </summary>
internal static class TensorData
{
    /// <summary>Every element type an <see cref="OnnxTensor"/> can hold.</summary>
    public static readonly OnnxElementType[] AllTypes =
    [
        OnnxElementType.Float, OnnxElementType.Double, OnnxElementType.Float16, OnnxElementType.BFloat16,
        OnnxElementType.Int8, OnnxElementType.UInt8, OnnxElementType.Int16, OnnxElementType.UInt16,
        OnnxElementType.Int32, OnnxElementType.UInt32, OnnxElementType.Int64, OnnxElementType.UInt64,
        OnnxElementType.Bool, OnnxElementType.String,
    ];

    /// <summary>The integer types ONNX allows for indices, shapes, starts and axes.</summary>
    public static readonly OnnxElementType[] IndexTypes = [OnnxElementType.Int64, OnnxElementType.Int32];

    /// <summary>The numeric types (everything but bool and string).</summary>
    public static readonly OnnxElementType[] NumericTypes =
        AllTypes.Where(t => t is not (OnnxElementType.Bool or OnnxElementType.String)).ToArray();

    /// <summary>How the ops see <paramref name="type"/>'s elements.</summary>
    public static ElementWidth Width(OnnxElementType type) => type == OnnxElementType.String
        ? ElementWidth.String
        : OnnxElementTypes.Size(type) switch
        {
            1 => ElementWidth.Bits8,
            2 => ElementWidth.Bits16,
            4 => ElementWidth.Bits32,
            8 => ElementWidth.Bits64,
            _ => throw new OnnxUnsupportedException($"unsupported data type {OnnxElementTypes.Name(type)}"),
        };

    /// <summary>
    /// The tensor's elements as <typeparamref name="T"/>: <see cref="string"/> for a string tensor, else a
    /// same-width integer type reinterpreting the raw bits (the caller dispatches on <see cref="Width"/>).
    /// </summary>
    public static Span<T> Span<T>(OnnxTensor tensor)
    {
        var data = tensor.Data;
        if (typeof(T) == typeof(string)) return ((T[])data).AsSpan(0, tensor.Length);
        // Checked so that a wrong dispatch can never read past the array.
        if (data is string[] || Unsafe.SizeOf<T>() != OnnxElementTypes.Size(tensor.ElementType))
            throw new InvalidOperationException($"TensorData: a {tensor} cannot be viewed as {typeof(T).Name}");
        return MemoryMarshal.CreateSpan(ref Unsafe.As<byte, T>(ref MemoryMarshal.GetArrayDataReference(data)), tensor.Length);
    }

    /// <summary>The "zero" of an element: all bits clear (0, +0.0, false), or the empty string.</summary>
    public static T Zero<T>() => typeof(T) == typeof(string) ? (T)(object)string.Empty : default!;

    /// <summary>Sets every element of <paramref name="dst"/> to element <paramref name="index"/> of <paramref name="value"/> (same element type).</summary>
    public static void Fill(OnnxTensor dst, OnnxTensor value, int index)
    {
        switch (Width(dst.ElementType))
        {
            case ElementWidth.Bits8: Span<byte>(dst).Fill(Span<byte>(value)[index]); break;
            case ElementWidth.Bits16: Span<short>(dst).Fill(Span<short>(value)[index]); break;
            case ElementWidth.Bits32: Span<int>(dst).Fill(Span<int>(value)[index]); break;
            case ElementWidth.Bits64: Span<long>(dst).Fill(Span<long>(value)[index]); break;
            default: Span<string>(dst).Fill(Span<string>(value)[index]); break;
        }
    }

    /// <summary>A new tensor of <paramref name="type"/> and <paramref name="shape"/> (zeros or empty strings).</summary>
    public static OnnxTensor New(OnnxElementType type, int[] shape) =>
        new(type, shape, OnnxElementTypes.NewArray(type, OnnxTensor.ElementCount(shape)));

    /// <summary>The values of an int64 or int32 tensor (shapes, axes, indices) as longs.</summary>
    /// <exception cref="ArgumentException">The tensor has another element type.</exception>
    public static long[] Longs(OnnxTensor tensor, string what) => tensor.ElementType switch
    {
        OnnxElementType.Int64 => tensor.AsSpan<long>().ToArray(),
        OnnxElementType.Int32 => Widen(tensor.AsSpan<int>()),
        _ => throw new ArgumentException($"{what} must be int64 or int32, not {OnnxElementTypes.Name(tensor.ElementType)}"),
    };

    private static long[] Widen(ReadOnlySpan<int> values)
    {
        var result = new long[values.Length];
        for (int i = 0; i < values.Length; i++) result[i] = values[i];
        return result;
    }

    /// <summary>The values of a numeric tensor converted to long (floating-point values truncated toward zero, NaN to 0).</summary>
    public static long[] ToLongs(OnnxTensor t) => t.Data switch
    {
        long[] => t.AsSpan<long>().ToArray(),
        int[] => Widen(t.AsSpan<int>()),
        float[] => Convert(t.AsSpan<float>(), v => SaturatingLong(v)),
        double[] => Convert(t.AsSpan<double>(), SaturatingLong),
        Half[] => Convert(t.AsSpan<Half>(), v => SaturatingLong((double)v)),
        sbyte[] => Convert(t.AsSpan<sbyte>(), v => v),
        byte[] => Convert(t.AsSpan<byte>(), v => v),
        short[] => Convert(t.AsSpan<short>(), v => v),
        // bfloat16 bits are the high half of a float's.
        ushort[] when t.ElementType == OnnxElementType.BFloat16 =>
            Convert(t.AsSpan<ushort>(), v => SaturatingLong(BitConverter.Int32BitsToSingle(v << 16))),
        ushort[] => Convert(t.AsSpan<ushort>(), v => v),
        uint[] => Convert(t.AsSpan<uint>(), v => v),
        ulong[] => Convert(t.AsSpan<ulong>(), v => v > long.MaxValue ? long.MaxValue : (long)v),
        bool[] => Convert(t.AsSpan<bool>(), v => v ? 1L : 0L),
        _ => throw new ArgumentException($"{t} is not numeric"),
    };

    private static long SaturatingLong(double v) =>
        double.IsNaN(v) ? 0 : v >= long.MaxValue ? long.MaxValue : v <= long.MinValue ? long.MinValue : (long)v;

    private static long[] Convert<T>(ReadOnlySpan<T> values, Func<T, long> convert)
    {
        var result = new long[values.Length];
        for (int i = 0; i < values.Length; i++) result[i] = convert(values[i]);
        return result;
    }

    /// <summary>A shape as text: <c>[2, ?, 3]</c> (unknown dimensions as ?).</summary>
    public static string Text(ReadOnlySpan<int> shape)
    {
        var parts = new string[shape.Length];
        for (int i = 0; i < parts.Length; i++) parts[i] = shape[i] < 0 ? "?" : shape[i].ToString();
        return $"[{string.Join(", ", parts)}]";
    }

    /// <summary>A list of longs as text: <c>[0, -1]</c>.</summary>
    public static string Text(IEnumerable<long> values) => $"[{string.Join(", ", values)}]";

    /// <summary>Row-major element strides of <paramref name="shape"/>.</summary>
    public static long[] Strides(ReadOnlySpan<int> shape)
    {
        var strides = new long[shape.Length];
        long stride = 1;
        for (int i = shape.Length - 1; i >= 0; i--)
        {
            strides[i] = stride;
            stride *= shape[i];
        }
        return strides;
    }

    /// <summary>The product of the dimensions, or -1 when any is unknown (-1).</summary>
    public static long Product(ReadOnlySpan<int> dims)
    {
        long product = 1;
        foreach (int d in dims)
        {
            if (d < 0) return -1;
            product *= d;
        }
        return product;
    }

    /// <summary><see cref="StridedCopy{T}"/> from <paramref name="src"/>'s elements into all of <paramref name="dst"/> (same element type, any).</summary>
    public static void StridedCopy(OnnxTensor src, long srcBase, ReadOnlySpan<long> srcStrides, OnnxTensor dst)
    {
        switch (Width(src.ElementType))
        {
            case ElementWidth.Bits8: StridedCopy(Span<byte>(src), srcBase, srcStrides, Span<byte>(dst), dst.Shape); break;
            case ElementWidth.Bits16: StridedCopy(Span<short>(src), srcBase, srcStrides, Span<short>(dst), dst.Shape); break;
            case ElementWidth.Bits32: StridedCopy(Span<int>(src), srcBase, srcStrides, Span<int>(dst), dst.Shape); break;
            case ElementWidth.Bits64: StridedCopy(Span<long>(src), srcBase, srcStrides, Span<long>(dst), dst.Shape); break;
            default: StridedCopy(Span<string>(src), srcBase, srcStrides, Span<string>(dst), dst.Shape); break;
        }
    }

    /// <summary>
    /// dst[i] (row-major over <paramref name="shape"/>, contiguous) = src[srcBase + Σ index_k * srcStrides[k]]:
    /// the one loop behind transpose (permuted strides), slice (scaled, possibly negative strides) and split.
    /// </summary>
    public static void StridedCopy<T>(ReadOnlySpan<T> src, long srcBase, ReadOnlySpan<long> srcStrides, Span<T> dst, ReadOnlySpan<int> shape)
    {
        if (dst.IsEmpty) return;
        int rank = shape.Length;
        if (rank == 0) { dst[0] = src[(int)srcBase]; return; }
        int inner = shape[rank - 1];
        long innerStride = srcStrides[rank - 1];
        Span<int> index = stackalloc int[rank];
        index.Clear();
        long offset = srcBase;
        for (int start = 0; start < dst.Length; start += inner)
        {
            var row = dst.Slice(start, inner);
            if (innerStride == 1) src.Slice((int)offset, inner).CopyTo(row);
            else
            {
                long o = offset;
                for (int j = 0; j < row.Length; j++, o += innerStride) row[j] = src[(int)o];
            }
            // Advance the outer index (the odometer), keeping the source offset in step.
            for (int k = rank - 2; k >= 0; k--)
            {
                offset += srcStrides[k];
                if (++index[k] < shape[k]) break;
                offset -= srcStrides[k] * index[k];
                index[k] = 0;
            }
        }
    }
}
