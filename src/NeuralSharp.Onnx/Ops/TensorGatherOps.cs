using NeuralSharp.Onnx.Import;

namespace NeuralSharp.Onnx.Ops;

// Index-driven ops: Gather, GatherElements, GatherND, OneHot. Negative indices count from the back; an index outside
// [-d, d) is an ArgumentException naming the op, the index and the shape, never a wrong read.
internal static partial class ShapeOps
{
    /// <summary>Gather: Y[a..., j..., b...] = X[a..., indices[j...], b...] along 'axis' (X viewed as [outer, d, inner]).</summary>
    private static OnnxOp CreateGather(OpContext ctx)
    {
        ctx.RequireArity(2, 2);
        ctx.RequireKnownAttributes("axis");
        var type = AnyType(ctx, 0);
        ctx.RequireType(1, TensorData.IndexTypes);
        long axisAttr = ctx.Int("axis", 0);
        var data = ctx.Input(0).Shape;
        var indices = ctx.Input(1).Shape;
        int[]? outShape = null;
        if (data != null)
        {
            int axis = ctx.Axis(axisAttr, data.Length);
            if (ConstantLongs(ctx, 1) is { } constant && data[axis] >= 0)
                foreach (long i in constant)
                    if (i < -data[axis] || i >= data[axis])
                        throw ctx.Fail($"index {i} is out of range for axis {axis} of {ctx.Input(0).ShapeText}");
            if (indices != null) outShape = [.. data[..axis], .. indices, .. data[(axis + 1)..]];
        }
        return Op(new ValueInfo(type, outShape), (ins, outs) =>
        {
            var x = ins[0]!;
            var idx = TensorData.Longs(ins[1]!, "Gather indices");
            if (axisAttr < -x.Rank || axisAttr >= x.Rank) throw RunError("Gather", $"axis {axisAttr} is out of range for data {TensorData.Text(x.Shape)}");
            int axis = (int)(axisAttr < 0 ? axisAttr + x.Rank : axisAttr);
            int d = x.Shape[axis];
            for (int j = 0; j < idx.Length; j++)
            {
                if (idx[j] < -d || idx[j] >= d)
                    throw RunError("Gather", $"index {idx[j]} is out of range for axis {axis} of data {TensorData.Text(x.Shape)} (valid: {-d} to {d - 1})");
                if (idx[j] < 0) idx[j] += d;
            }
            int[] shape = [.. x.Shape[..axis], .. ins[1]!.Shape, .. x.Shape[(axis + 1)..]];
            var y = TensorData.New(x.ElementType, shape);
            int outer = (int)TensorData.Product(x.Shape[..axis]), inner = (int)TensorData.Product(x.Shape[(axis + 1)..]);
            switch (TensorData.Width(x.ElementType))
            {
                case ElementWidth.Bits8: GatherBlocks<byte>(TensorData.Span<byte>(x), TensorData.Span<byte>(y), idx, outer, d, inner); break;
                case ElementWidth.Bits16: GatherBlocks<short>(TensorData.Span<short>(x), TensorData.Span<short>(y), idx, outer, d, inner); break;
                case ElementWidth.Bits32: GatherBlocks<int>(TensorData.Span<int>(x), TensorData.Span<int>(y), idx, outer, d, inner); break;
                case ElementWidth.Bits64: GatherBlocks<long>(TensorData.Span<long>(x), TensorData.Span<long>(y), idx, outer, d, inner); break;
                default: GatherBlocks<string>(TensorData.Span<string>(x), TensorData.Span<string>(y), idx, outer, d, inner); break;
            }
            outs[0] = y;
        });
    }

    private static void GatherBlocks<T>(ReadOnlySpan<T> src, Span<T> dst, long[] idx, int outer, int d, int inner)
    {
        int n = idx.Length, o2 = 0;
        for (int o = 0; o < outer; o++)
        {
            int rowBase = o * d;
            for (int j = 0; j < n; j++, o2++)
            {
                if (inner == 1) dst[o2] = src[rowBase + (int)idx[j]];
                else src.Slice((rowBase + (int)idx[j]) * inner, inner).CopyTo(dst.Slice(o2 * inner, inner));
            }
        }
    }

    /// <summary>GatherElements: Y[i] = X[i with coordinate 'axis' replaced by indices[i]]; Y has the indices' shape.</summary>
    private static OnnxOp CreateGatherElements(OpContext ctx)
    {
        ctx.RequireArity(2, 2);
        ctx.RequireKnownAttributes("axis");
        var type = AnyType(ctx, 0);
        ctx.RequireType(1, TensorData.IndexTypes);
        long axisAttr = ctx.Int("axis", 0);
        var data = ctx.Input(0).Shape;
        var indices = ctx.Input(1).Shape;
        if (data != null && indices != null && data.Length != indices.Length)
            throw ctx.Fail($"data {ctx.Input(0).ShapeText} and indices {ctx.Input(1).ShapeText} differ in rank");
        if (data != null) ctx.Axis(axisAttr, data.Length);
        return Op(new ValueInfo(type, indices), (ins, outs) =>
        {
            var x = ins[0]!;
            var ind = ins[1]!;
            string What() => $"data {TensorData.Text(x.Shape)} and indices {TensorData.Text(ind.Shape)}";
            int rank = x.Rank;
            if (ind.Rank != rank) throw RunError("GatherElements", $"{What()} differ in rank");
            if (axisAttr < -rank || axisAttr >= rank) throw RunError("GatherElements", $"axis {axisAttr} is out of range for {What()}");
            int axis = (int)(axisAttr < 0 ? axisAttr + rank : axisAttr);
            for (int k = 0; k < rank; k++)
                if (k != axis && ind.Shape[k] > x.Shape[k]) throw RunError("GatherElements", $"{What()}: indices exceed the data in dimension {k}");
            var idx = TensorData.Longs(ind, "GatherElements indices");
            var strides = TensorData.Strides(x.Shape);
            int d = x.Shape[axis];
            var offsets = new int[idx.Length];
            var index = new int[rank];
            for (int i = 0; i < idx.Length; i++)
            {
                long v = idx[i];
                if (v < -d || v >= d)
                    throw RunError("GatherElements", $"index {v} is out of range for axis {axis} of data {TensorData.Text(x.Shape)} (valid: {-d} to {d - 1})");
                long offset = (v < 0 ? v + d : v) * strides[axis];
                for (int k = 0; k < rank; k++) if (k != axis) offset += index[k] * strides[k];
                offsets[i] = (int)offset;
                Broadcast.Increment(index, ind.Shape);
            }
            var y = TensorData.New(x.ElementType, ind.ShapeArray);
            switch (TensorData.Width(x.ElementType))
            {
                case ElementWidth.Bits8: Pick<byte>(TensorData.Span<byte>(x), TensorData.Span<byte>(y), offsets); break;
                case ElementWidth.Bits16: Pick<short>(TensorData.Span<short>(x), TensorData.Span<short>(y), offsets); break;
                case ElementWidth.Bits32: Pick<int>(TensorData.Span<int>(x), TensorData.Span<int>(y), offsets); break;
                case ElementWidth.Bits64: Pick<long>(TensorData.Span<long>(x), TensorData.Span<long>(y), offsets); break;
                default: Pick<string>(TensorData.Span<string>(x), TensorData.Span<string>(y), offsets); break;
            }
            outs[0] = y;
        });
    }

    private static void Pick<T>(ReadOnlySpan<T> src, Span<T> dst, int[] offsets)
    {
        for (int i = 0; i < offsets.Length; i++) dst[i] = src[offsets[i]];
    }

    /// <summary>
    /// GatherND: with b = batch_dims (opset 12) and k = indices.shape[-1], Y[batch, j] = X[batch, indices[batch, j, 0..k), ...]:
    /// Y has shape indices.shape[:-1] + X.shape[b + k:], each index tuple selecting a slice of X.
    /// </summary>
    private static OnnxOp CreateGatherND(OpContext ctx)
    {
        ctx.RequireArity(2, 2);
        ctx.RequireKnownAttributes(ctx.Opset >= 12 ? ["batch_dims"] : []);
        var type = AnyType(ctx, 0);
        ctx.RequireType(1, OnnxElementType.Int64);
        int b = (int)Math.Clamp(ctx.Int("batch_dims", 0), -1, int.MaxValue);
        if (b < 0) throw ctx.Fail($"batch_dims {ctx.Int("batch_dims", 0)} must be non-negative");
        var data = ctx.Input(0).Shape;
        var indices = ctx.Input(1).Shape;
        int[]? outShape = null;
        if (data != null && indices != null)
        {
            int k = indices.Length > 0 ? indices[^1] : -1;
            if (indices.Length < 1 || b >= indices.Length || b >= data.Length || (k >= 0 && (k < 1 || b + k > data.Length)))
                throw ctx.Fail($"data {ctx.Input(0).ShapeText}, indices {ctx.Input(1).ShapeText} and batch_dims {b} do not fit");
            if (k >= 0) outShape = [.. indices[..^1], .. data[(b + k)..]];
        }
        return Op(new ValueInfo(type, outShape), (ins, outs) =>
        {
            var x = ins[0]!;
            var ind = ins[1]!;
            string What() => $"data {TensorData.Text(x.Shape)}, indices {TensorData.Text(ind.Shape)} and batch_dims {b}";
            if (ind.Rank < 1 || b >= ind.Rank || b >= x.Rank) throw RunError("GatherND", $"{What()} do not fit");
            int k = ind.Shape[^1];
            if (k < 1 || b + k > x.Rank) throw RunError("GatherND", $"{What()}: the last index dimension must be 1 to {x.Rank - b}");
            for (int i = 0; i < b; i++)
                if (x.Shape[i] != ind.Shape[i]) throw RunError("GatherND", $"{What()}: batch dimension {i} differs");
            int batches = (int)TensorData.Product(x.Shape[..b]);
            int tuples = (int)TensorData.Product(ind.Shape[b..^1]);
            int inner = (int)TensorData.Product(x.Shape[(b + k)..]);
            int batchSize = (int)TensorData.Product(x.Shape[b..]);
            var strides = TensorData.Strides(x.Shape[b..]);
            var idx = ind.AsSpan<long>();
            var offsets = new long[batches * tuples];
            for (int t = 0; t < offsets.Length; t++)
            {
                long offset = (long)(t / Math.Max(tuples, 1)) * batchSize;
                for (int i = 0; i < k; i++)
                {
                    long v = idx[t * k + i];
                    int d = x.Shape[b + i];
                    if (v < -d || v >= d)
                        throw RunError("GatherND", $"index {v} is out of range for dimension {b + i} of data {TensorData.Text(x.Shape)} (valid: {-d} to {d - 1})");
                    offset += (v < 0 ? v + d : v) * strides[i];
                }
                offsets[t] = offset;
            }
            var y = TensorData.New(x.ElementType, [.. ind.Shape[..^1], .. x.Shape[(b + k)..]]);
            for (int t = 0; t < offsets.Length && inner > 0; t++)
                Array.Copy(x.Data, offsets[t], y.Data, (long)t * inner, inner);
            outs[0] = y;
        });
    }

    /// <summary>
    /// OneHot: output[..., k, ...] (k on 'axis', default -1 = last) = values[1] where k == indices[...] (negative
    /// indices + depth), else values[0]; an index outside [-depth, depth) gives an all-off row.
    /// </summary>
    private static OnnxOp CreateOneHot(OpContext ctx)
    {
        ctx.RequireArity(3, 3);
        ctx.RequireKnownAttributes("axis");
        ctx.RequireType(0, TensorData.NumericTypes);
        ctx.RequireType(1, TensorData.NumericTypes);
        var type = AnyType(ctx, 2);
        long axisAttr = ctx.Int("axis", -1);
        var indices = ctx.Input(0).Shape;
        long depth = ctx.Constant(1) is { } c ? TensorData.ToLongs(c).FirstOrDefault(-1) : -1;
        int[]? outShape = null;
        if (indices != null)
        {
            int axis = ctx.Axis(axisAttr, indices.Length + 1);
            outShape = [.. indices[..axis], depth > 0 && depth <= int.MaxValue ? (int)depth : -1, .. indices[axis..]];
        }
        return Op(new ValueInfo(type, outShape), (ins, outs) =>
        {
            var ind = ins[0]!;
            var values = ins[2]!;
            if (ins[1]!.Length != 1) throw RunError("OneHot", $"depth must be a scalar, it has shape {TensorData.Text(ins[1]!.Shape)}");
            long depthValue = TensorData.ToLongs(ins[1]!)[0];
            if (depthValue <= 0 || depthValue > int.MaxValue) throw RunError("OneHot", $"depth {depthValue} must be positive");
            if (values.Length != 2) throw RunError("OneHot", $"values must hold [off, on], it has shape {TensorData.Text(values.Shape)}");
            int rank = ind.Rank + 1;
            if (axisAttr < -rank || axisAttr >= rank) throw RunError("OneHot", $"axis {axisAttr} is out of range for output rank {rank}");
            int axis = (int)(axisAttr < 0 ? axisAttr + rank : axisAttr);
            int d = (int)depthValue;
            var y = TensorData.New(values.ElementType, [.. ind.Shape[..axis], d, .. ind.Shape[axis..]]);
            TensorData.Fill(y, values, 0);
            var idx = TensorData.ToLongs(ind);
            int inner = (int)TensorData.Product(ind.Shape[axis..]);
            var positions = new List<int>(idx.Length);
            for (int i = 0; i < idx.Length; i++)
            {
                long k = idx[i] < 0 ? idx[i] + d : idx[i];
                if (k < 0 || k >= d) continue;
                int o = i / Math.Max(inner, 1), r = i - o * inner;
                positions.Add((int)(((long)o * d + k) * inner + r));
            }
            SetAt(y, values, 1, positions);
            outs[0] = y;
        });
    }

    /// <summary>Sets the elements of <paramref name="dst"/> at <paramref name="positions"/> to element <paramref name="index"/> of <paramref name="value"/>.</summary>
    private static void SetAt(OnnxTensor dst, OnnxTensor value, int index, List<int> positions)
    {
        static void Set<T>(Span<T> d, T v, List<int> positions) { foreach (int p in positions) d[p] = v; }
        switch (TensorData.Width(dst.ElementType))
        {
            case ElementWidth.Bits8: Set(TensorData.Span<byte>(dst), TensorData.Span<byte>(value)[index], positions); break;
            case ElementWidth.Bits16: Set(TensorData.Span<short>(dst), TensorData.Span<short>(value)[index], positions); break;
            case ElementWidth.Bits32: Set(TensorData.Span<int>(dst), TensorData.Span<int>(value)[index], positions); break;
            case ElementWidth.Bits64: Set(TensorData.Span<long>(dst), TensorData.Span<long>(value)[index], positions); break;
            default: Set(TensorData.Span<string>(dst), TensorData.Span<string>(value)[index], positions); break;
        }
    }
}
