namespace NeuralSharp.Onnx.Ops;

/// <summary>NumPy-style (multidirectional) broadcasting: result shapes, index arithmetic and materialised copies.</summary>
internal static class Broadcast
{
    /// <summary>
    /// The broadcast shape of <paramref name="a"/> and <paramref name="b"/> (right-aligned; a dimension of 1
    /// stretches). -1 (unknown) meets 1 as -1, meets n &gt; 1 as n.
    /// </summary>
    public static int[] Shape(ReadOnlySpan<int> a, ReadOnlySpan<int> b, Func<string, Exception> fail)
    {
        int rank = Math.Max(a.Length, b.Length);
        var shape = new int[rank];
        for (int i = 0; i < rank; i++)
        {
            int da = i < rank - a.Length ? 1 : a[i - (rank - a.Length)];
            int db = i < rank - b.Length ? 1 : b[i - (rank - b.Length)];
            if (da == db || db == 1) shape[i] = da;
            else if (da == 1) shape[i] = db;
            else if (da < 0) shape[i] = db;
            else if (db < 0) shape[i] = da;
            else throw fail($"shapes [{string.Join(", ", a.ToArray())}] and [{string.Join(", ", b.ToArray())}] do not broadcast (dimension {i}: {da} vs {db})");
        }
        return shape;
    }

    /// <summary>The broadcast shape of several shapes (null when any is of unknown rank).</summary>
    public static int[]? Shape(IEnumerable<int[]?> shapes, Func<string, Exception> fail)
    {
        int[] result = [];
        foreach (var s in shapes)
        {
            if (s == null) return null;
            result = Shape(result, s, fail);
        }
        return result;
    }

    /// <summary>
    /// The flat offset in a tensor of shape <paramref name="shape"/> (right-aligned against the index, broadcast
    /// dimensions of 1 reading element 0) of the element at <paramref name="index"/> of the broadcast result.
    /// </summary>
    public static long Offset(ReadOnlySpan<int> index, ReadOnlySpan<int> shape)
    {
        long offset = 0;
        int lead = index.Length - shape.Length;
        for (int i = 0; i < shape.Length; i++)
            offset = offset * shape[i] + (shape[i] == 1 ? 0 : index[lead + i]);
        return offset;
    }

    /// <summary>Advances a row-major multi-index over <paramref name="shape"/> by one (wrapping to zeros at the end).</summary>
    public static void Increment(Span<int> index, ReadOnlySpan<int> shape)
    {
        for (int i = index.Length - 1; i >= 0; i--)
        {
            if (++index[i] < shape[i]) return;
            index[i] = 0;
        }
    }

    /// <summary>Per-dimension element strides of <paramref name="shape"/> seen from a result of rank <paramref name="rank"/>: 0 where broadcast.</summary>
    public static long[] Strides(ReadOnlySpan<int> shape, int rank)
    {
        var strides = new long[rank];
        long stride = 1;
        for (int i = shape.Length - 1; i >= 0; i--)
        {
            strides[rank - shape.Length + i] = shape[i] == 1 ? 0 : stride;
            stride *= shape[i];
        }
        return strides;
    }

    /// <summary>A copy of <paramref name="tensor"/> broadcast to <paramref name="shape"/> (which must be a broadcast of it).</summary>
    /// <exception cref="ArgumentException">The tensor's shape does not broadcast to <paramref name="shape"/>; names <paramref name="what"/>.</exception>
    public static OnnxTensor To(OnnxTensor tensor, int[] shape, string what)
    {
        var result = Shape(tensor.Shape, shape, m => new ArgumentException($"{what}: {m}"));
        if (!result.AsSpan().SequenceEqual(shape))
            throw new ArgumentException($"{what}: shape [{string.Join(", ", tensor.ShapeArray)}] does not broadcast to [{string.Join(", ", shape)}]");
        return tensor.Data switch
        {
            float[] a => Expand(tensor, a, shape),
            double[] a => Expand(tensor, a, shape),
            long[] a => Expand(tensor, a, shape),
            int[] a => Expand(tensor, a, shape),
            bool[] a => Expand(tensor, a, shape),
            Half[] a => Expand(tensor, a, shape),
            sbyte[] a => Expand(tensor, a, shape),
            byte[] a => Expand(tensor, a, shape),
            short[] a => Expand(tensor, a, shape),
            ushort[] a => Expand(tensor, a, shape),
            uint[] a => Expand(tensor, a, shape),
            ulong[] a => Expand(tensor, a, shape),
            string[] a => Expand(tensor, a, shape),
            _ => throw new InvalidOperationException($"{what}: cannot broadcast {tensor}"),
        };
    }

    private static OnnxTensor Expand<T>(OnnxTensor tensor, T[] source, int[] shape)
    {
        var dst = new T[OnnxTensor.ElementCount(shape)];
        ExpandInto<T>(source.AsSpan(0, tensor.Length), tensor.Shape, dst, shape);
        return new OnnxTensor(tensor.ElementType, shape, dst);
    }

    /// <summary>Writes <paramref name="src"/> (shape <paramref name="srcShape"/>) broadcast to <paramref name="dstShape"/> into <paramref name="dst"/>.</summary>
    public static void ExpandInto<T>(ReadOnlySpan<T> src, ReadOnlySpan<int> srcShape, Span<T> dst, ReadOnlySpan<int> dstShape)
    {
        if (dst.IsEmpty) return;
        int rank = dstShape.Length;
        if (rank == 0) { dst[0] = src[0]; return; }
        var strides = Strides(srcShape, rank);
        int inner = dstShape[rank - 1];
        long innerStride = strides[rank - 1];
        var index = new int[rank];
        for (int start = 0; start < dst.Length; start += inner)
        {
            long offset = 0;
            for (int i = 0; i < rank - 1; i++) offset += index[i] * strides[i];
            var row = dst.Slice(start, inner);
            if (innerStride == 0) row.Fill(src[(int)offset]);
            else src.Slice((int)offset, inner).CopyTo(row);
            index[rank - 1] = inner - 1;
            Increment(index, dstShape);
        }
    }
}
