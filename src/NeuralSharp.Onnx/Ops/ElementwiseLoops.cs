namespace NeuralSharp.Onnx.Ops;

// Legend: n = the length of one contiguous run of the result; a, b = the operands, y = the result.

/// <summary>
/// One binary element-wise operation over contiguous runs: y[i] = f(a[i], b[i]), with either operand possibly a
/// single value repeated along the run (broadcast). A struct, so that the drivers in <see cref="ElementwiseLoops"/>
/// are specialised per operation and element type by the JIT.
/// </summary>
internal interface IBinaryRun<TA, TB, TR>
{
    /// <summary>y[i] = f(a[i], b[i]) for the n elements of <paramref name="y"/>.</summary>
    void Run(ReadOnlySpan<TA> a, ReadOnlySpan<TB> b, Span<TR> y);

    /// <summary>y[i] = f(a[i], b).</summary>
    void Run(ReadOnlySpan<TA> a, TB b, Span<TR> y);

    /// <summary>y[i] = f(a, b[i]).</summary>
    void Run(TA a, ReadOnlySpan<TB> b, Span<TR> y);
}

/// <summary>
/// Drivers for NumPy-broadcasting element-wise operations: the result's dimensions are collapsed into as few
/// strided loops as possible (dimensions of 1 dropped, adjacent dimensions merged where both operands are contiguous
/// or both broadcast across them), and the innermost merged dimension is handed to the operation as one run.
/// </summary>
internal static class ElementwiseLoops
{
    /// <summary>The broadcast result of a binary operation on <paramref name="a"/> and <paramref name="b"/>.</summary>
    /// <exception cref="ArgumentException">The shapes do not broadcast (names <paramref name="what"/>).</exception>
    public static OnnxTensor Binary<TA, TB, TR, TOp>(TOp op, OnnxTensor a, OnnxTensor b, string what)
        where TOp : struct, IBinaryRun<TA, TB, TR>
    {
        var shape = Broadcast.Shape(a.Shape, b.Shape, m => new ArgumentException($"{what}: {m}"));
        var y = OnnxTensor.Rent<TR>(shape);
        Binary<TA, TB, TR, TOp>(op, a.AsSpan<TA>(), a.Shape, b.AsSpan<TB>(), b.Shape, y.AsSpan<TR>(), shape);
        return y;
    }

    /// <summary>
    /// y = f(a, b) with <paramref name="a"/> and <paramref name="b"/> broadcast to <paramref name="shape"/> (which
    /// must be their broadcast shape, or one both broadcast to).
    /// </summary>
    public static void Binary<TA, TB, TR, TOp>(TOp op, ReadOnlySpan<TA> a, ReadOnlySpan<int> aShape,
        ReadOnlySpan<TB> b, ReadOnlySpan<int> bShape, Span<TR> y, ReadOnlySpan<int> shape)
        where TOp : struct, IBinaryRun<TA, TB, TR>
    {
        if (y.IsEmpty) return;
        var sa = Broadcast.Strides(aShape, shape.Length);
        var sb = Broadcast.Strides(bShape, shape.Length);
        var (dims, strides) = Collapse(shape, [sa, sb]);
        int rank = dims.Length;
        if (rank == 0)
        {
            op.Run(a[..1], b[..1], y[..1]);
            return;
        }
        int n = dims[rank - 1];
        bool aRun = strides[0][rank - 1] != 0, bRun = strides[1][rank - 1] != 0;
        var index = new int[rank - 1];
        long ao = 0, bo = 0;
        for (int start = 0; start < y.Length; start += n)
        {
            var dst = y.Slice(start, n);
            if (aRun && bRun) op.Run(a.Slice((int)ao, n), b.Slice((int)bo, n), dst);
            else if (aRun) op.Run(a.Slice((int)ao, n), b[(int)bo], dst);
            else op.Run(a[(int)ao], b.Slice((int)bo, n), dst);
            // Advance the outer multi-index, keeping the operands' offsets in step.
            for (int d = rank - 2; d >= 0; d--)
            {
                ao += strides[0][d]; bo += strides[1][d];
                if (++index[d] < dims[d]) break;
                ao -= strides[0][d] * dims[d]; bo -= strides[1][d] * dims[d];
                index[d] = 0;
            }
        }
    }

    /// <summary>
    /// y[i] = pick[i] ? x[i] : z[i] with the three operands broadcast to <paramref name="shape"/> (ONNX Where).
    /// </summary>
    public static void Select<T>(ReadOnlySpan<bool> pick, ReadOnlySpan<int> pickShape, ReadOnlySpan<T> x, ReadOnlySpan<int> xShape,
        ReadOnlySpan<T> z, ReadOnlySpan<int> zShape, Span<T> y, ReadOnlySpan<int> shape)
    {
        if (y.IsEmpty) return;
        var (dims, strides) = Collapse(shape,
            [Broadcast.Strides(pickShape, shape.Length), Broadcast.Strides(xShape, shape.Length), Broadcast.Strides(zShape, shape.Length)]);
        int rank = dims.Length;
        var index = new int[rank];
        long po = 0, xo = 0, zo = 0;
        for (int i = 0; i < y.Length; i++)
        {
            y[i] = pick[(int)po] ? x[(int)xo] : z[(int)zo];
            for (int d = rank - 1; d >= 0; d--)
            {
                po += strides[0][d]; xo += strides[1][d]; zo += strides[2][d];
                if (++index[d] < dims[d]) break;
                po -= strides[0][d] * dims[d]; xo -= strides[1][d] * dims[d]; zo -= strides[2][d] * dims[d];
                index[d] = 0;
            }
        }
    }

    /// <summary>
    /// Drops dimensions of 1 and merges each dimension into the next inner one when every operand steps through
    /// both as through one (stride of the outer = stride of the inner times the inner size; 0 and 0 included).
    /// Returns the merged dimensions and, per operand, its element strides along them (0 = broadcast).
    /// </summary>
    internal static (int[] Dims, long[][] Strides) Collapse(ReadOnlySpan<int> shape, long[][] strides)
    {
        var dims = new List<int>();
        var merged = strides.Select(_ => new List<long>()).ToArray();
        for (int d = shape.Length - 1; d >= 0; d--)
        {
            if (shape[d] == 1) continue;
            int last = dims.Count - 1;
            bool merge = last >= 0;
            for (int k = 0; k < strides.Length && merge; k++)
                merge = strides[k][d] == merged[k][last] * dims[last];
            if (merge)
            {
                dims[last] *= shape[d];
                continue;
            }
            dims.Add(shape[d]);
            for (int k = 0; k < strides.Length; k++) merged[k].Add(strides[k][d]);
        }
        dims.Reverse();
        foreach (var m in merged) m.Reverse();
        return (dims.ToArray(), merged.Select(m => m.ToArray()).ToArray());
    }
}
