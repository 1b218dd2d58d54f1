using NeuralSharp.Onnx.Import;

namespace NeuralSharp.Onnx.Ops;

// Transpose: Y[i_0, ..., i_(n-1)] = X[...] with Y's axis k being X's axis perm[k].
internal static partial class ShapeOps
{
    /// <summary>Transpose by 'perm' (default: reverse the axes). A permutation that only moves size-1 axes returns a view.</summary>
    private static OnnxOp CreateTranspose(OpContext ctx)
    {
        ctx.RequireArity(1, 1);
        ctx.RequireKnownAttributes("perm");
        var type = AnyType(ctx, 0);
        var perm = ctx.Ints("perm");
        var shape = ctx.Input(0).Shape;
        if (perm != null)
        {
            if (shape != null && perm.Length != shape.Length)
                throw ctx.Fail($"perm {TensorData.Text(perm)} does not match the input's rank {shape.Length}");
            if (!IsPermutation(perm)) throw ctx.Fail($"perm {TensorData.Text(perm)} is not a permutation of 0..{perm.Length - 1}");
        }
        int[]? outShape = shape != null ? Permute(shape, perm ?? Reversed(shape.Length)) : UnknownDims(perm?.Length ?? -1);
        return Op(new ValueInfo(type, outShape), (ins, outs) =>
        {
            var x = ins[0]!;
            var p = perm ?? Reversed(x.Rank);
            if (p.Length != x.Rank) throw RunError("Transpose", $"perm {TensorData.Text(p)} does not match input {TensorData.Text(x.Shape)}");
            outs[0] = Transpose(x, p);
        });
    }

    private static long[] Reversed(int rank) => Enumerable.Range(0, rank).Reverse().Select(i => (long)i).ToArray();

    private static bool IsPermutation(long[] perm) =>
        perm.All(p => p >= 0 && p < perm.Length) && perm.Distinct().Count() == perm.Length;

    private static int[] Permute(int[] shape, long[] perm) => perm.Select(p => shape[p]).ToArray();

    /// <summary>The transposed tensor (a view when the non-unit axes keep their order).</summary>
    internal static OnnxTensor Transpose(OnnxTensor x, long[] perm)
    {
        var outShape = Permute(x.ShapeArray, perm);
        var (shape, p) = Coalesce(x.ShapeArray, perm);
        if (p.Length <= 1) return x.Reshaped(outShape);
        var y = TensorData.New(x.ElementType, outShape);
        switch (TensorData.Width(x.ElementType))
        {
            case ElementWidth.Bits8: TransposeInto<byte>(TensorData.Span<byte>(x), TensorData.Span<byte>(y), shape, p); break;
            case ElementWidth.Bits16: TransposeInto<short>(TensorData.Span<short>(x), TensorData.Span<short>(y), shape, p); break;
            case ElementWidth.Bits32: TransposeInto<int>(TensorData.Span<int>(x), TensorData.Span<int>(y), shape, p); break;
            case ElementWidth.Bits64: TransposeInto<long>(TensorData.Span<long>(x), TensorData.Span<long>(y), shape, p); break;
            default: TransposeInto<string>(TensorData.Span<string>(x), TensorData.Span<string>(y), shape, p); break;
        }
        return y;
    }

    /// <summary>
    /// The same transpose on fewer axes: size-1 axes dropped, and input axes that stay adjacent and in order in the
    /// output merged (e.g. [B, S, H, D] by [0, 2, 1, 3] stays 4-D, [A, B, C] by [2, 0, 1] becomes [A·B, C] by [1, 0]).
    /// </summary>
    private static (int[] Shape, int[] Perm) Coalesce(int[] shape, long[] perm)
    {
        var kept = perm.Where(a => shape[a] != 1).Select(a => (int)a).ToList();
        var groups = new List<List<int>>();
        foreach (int a in kept)
        {
            // a continues the previous group when it is the next non-unit input axis after the group's last.
            if (groups.Count > 0 && groups[^1][^1] < a && Enumerable.Range(groups[^1][^1] + 1, a - groups[^1][^1] - 1).All(b => shape[b] == 1))
                groups[^1].Add(a);
            else groups.Add([a]);
        }
        // Number the groups in input order to get the reduced input shape and permutation.
        var byInput = groups.OrderBy(g => g[0]).ToList();
        var reducedShape = byInput.Select(g => g.Aggregate(1, (n, a) => n * shape[a])).ToArray();
        var reducedPerm = groups.Select(g => byInput.IndexOf(g)).ToArray();
        return (reducedShape, reducedPerm);
    }

    /// <summary>
    /// Y = X transposed by <paramref name="perm"/> (rank ≥ 2, coalesced). When the output's last axis is not the input's
    /// contiguous one, copies in tiles of the plane (input's last axis, output's last axis) so that both reads and writes
    /// stay within a few cache lines; otherwise rows are contiguous in both and copied whole.
    /// </summary>
    private static void TransposeInto<T>(ReadOnlySpan<T> src, Span<T> dst, int[] shape, int[] perm)
    {
        int rank = shape.Length;
        var inStrides = TensorData.Strides(shape);
        var outShape = perm.Select(a => shape[a]).ToArray();
        var strides = perm.Select(a => inStrides[a]).ToArray(); // source stride of each output axis
        // Tiles pay off once a plane outgrows the L1/L2 caches; below that the plain strided loop is cheaper.
        const int TiledPlane = 32 * 1024;
        int j = Array.IndexOf(perm, rank - 1); // the output axis that walks the input's contiguous axis
        if (perm[rank - 1] == rank - 1 || (long)outShape[j] * outShape[rank - 1] < TiledPlane)
        {
            TensorData.StridedCopy(src, 0, strides, dst, outShape);
            return;
        }
        const int Tile = 16;
        int last = rank - 1;
        var outStrides = TensorData.Strides(outShape);
        int rows = outShape[j], cols = outShape[last];
        long colStride = strides[last], rowStride = outStrides[j];
        // Odometer over the other output axes.
        var others = Enumerable.Range(0, rank).Where(k => k != j && k != last).ToArray();
        var index = new int[others.Length];
        long planes = others.Aggregate(1L, (n, k) => n * outShape[k]);
        for (long plane = 0; plane < planes; plane++)
        {
            long srcBase = 0, dstBase = 0;
            for (int o = 0; o < others.Length; o++)
            {
                srcBase += index[o] * strides[others[o]];
                dstBase += index[o] * outStrides[others[o]];
            }
            for (int r0 = 0; r0 < rows; r0 += Tile)
            {
                int r1 = Math.Min(r0 + Tile, rows);
                for (int c0 = 0; c0 < cols; c0 += Tile)
                {
                    int c1 = Math.Min(c0 + Tile, cols);
                    for (int r = r0; r < r1; r++)
                    {
                        var row = dst.Slice((int)(dstBase + r * rowStride), cols);
                        long s = srcBase + r + c0 * colStride;
                        for (int c = c0; c < c1; c++, s += colStride) row[c] = src[(int)s];
                    }
                }
            }
            for (int o = others.Length - 1; o >= 0; o--)
            {
                if (++index[o] < outShape[others[o]]) break;
                index[o] = 0;
            }
        }
    }
}
