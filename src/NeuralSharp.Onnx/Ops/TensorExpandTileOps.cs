using NeuralSharp.Onnx.Import;

namespace NeuralSharp.Onnx.Ops;

// Expand (broadcast to a shape) and Tile (repeat along each axis), both on Broadcast.ExpandInto.
internal static partial class ShapeOps
{
    /// <summary>Expand: X broadcast with the int64 'shape' input (NumPy rules both ways: the output is their broadcast shape).</summary>
    private static OnnxOp CreateExpand(OpContext ctx)
    {
        ctx.RequireArity(2, 2);
        ctx.RequireKnownAttributes();
        var type = AnyType(ctx, 0);
        ctx.RequireType(1, OnnxElementType.Int64);
        var shape = ctx.Input(0).Shape;
        var target = ConstantLongs(ctx, 1);
        int[]? outShape = null;
        if (shape != null && target != null)
            outShape = Broadcast.Shape(shape, DimsFromValues(target, ctx.Fail), m => ctx.Fail($"input {ctx.Input(0).ShapeText} cannot expand to {TensorData.Text(target)}: {m}"));
        else if (shape != null && KnownLength(ctx, 1) >= 0)
        {
            int rank = Math.Max(shape.Length, KnownLength(ctx, 1));
            outShape = UnknownDims(rank)!;
            // A dimension above 1 survives any broadcast (or the run fails).
            for (int i = 0; i < shape.Length; i++)
                if (shape[i] > 1) outShape[rank - shape.Length + i] = shape[i];
        }
        return Op(new ValueInfo(type, outShape), (ins, outs) =>
        {
            var x = ins[0]!;
            var values = ins[1]!.AsSpan<long>().ToArray();
            var dims = DimsFromValues(values, m => RunError("Expand", m));
            var result = Broadcast.Shape(x.Shape, dims, m => RunError("Expand", $"input {TensorData.Text(x.Shape)} cannot expand to {TensorData.Text(values)}: {m}"));
            outs[0] = result.AsSpan().SequenceEqual(x.Shape) ? x : ExpandTo(x, x.Shape, result, result);
        });
    }

    /// <summary>
    /// A new tensor of shape <paramref name="outShape"/> holding <paramref name="x"/>'s elements (seen with shape
    /// <paramref name="srcShape"/>) broadcast to <paramref name="dstShape"/> (same element count as outShape).
    /// </summary>
    private static OnnxTensor ExpandTo(OnnxTensor x, ReadOnlySpan<int> srcShape, ReadOnlySpan<int> dstShape, int[] outShape)
    {
        var y = TensorData.New(x.ElementType, outShape);
        switch (TensorData.Width(x.ElementType))
        {
            case ElementWidth.Bits8: Broadcast.ExpandInto<byte>(TensorData.Span<byte>(x), srcShape, TensorData.Span<byte>(y), dstShape); break;
            case ElementWidth.Bits16: Broadcast.ExpandInto<short>(TensorData.Span<short>(x), srcShape, TensorData.Span<short>(y), dstShape); break;
            case ElementWidth.Bits32: Broadcast.ExpandInto<int>(TensorData.Span<int>(x), srcShape, TensorData.Span<int>(y), dstShape); break;
            case ElementWidth.Bits64: Broadcast.ExpandInto<long>(TensorData.Span<long>(x), srcShape, TensorData.Span<long>(y), dstShape); break;
            default: Broadcast.ExpandInto<string>(TensorData.Span<string>(x), srcShape, TensorData.Span<string>(y), dstShape); break;
        }
        return y;
    }

    /// <summary>Tile: output dimension i = d_i · repeats[i], the input repeated along each axis (int64 'repeats' input, one per axis).</summary>
    private static OnnxOp CreateTile(OpContext ctx)
    {
        ctx.RequireArity(2, 2);
        ctx.RequireKnownAttributes();
        var type = AnyType(ctx, 0);
        ctx.RequireType(1, OnnxElementType.Int64);
        var shape = ctx.Input(0).Shape;
        var repeats = ConstantLongs(ctx, 1);
        int[]? outShape = shape == null ? null : UnknownDims(shape.Length);
        if (shape != null && repeats != null)
        {
            if (repeats.Length != shape.Length || repeats.Any(r => r < 0))
                throw ctx.Fail($"repeats {TensorData.Text(repeats)} must give one non-negative count per axis of {ctx.Input(0).ShapeText}");
            for (int i = 0; i < shape.Length; i++)
            {
                long dim = repeats[i] == 0 ? 0 : shape[i] < 0 ? -1 : shape[i] * Math.Min(repeats[i], int.MaxValue);
                outShape![i] = dim <= int.MaxValue ? (int)dim : throw ctx.Fail($"repeats {TensorData.Text(repeats)} make dimension {i} of {ctx.Input(0).ShapeText} too large");
            }
        }
        return Op(new ValueInfo(type, outShape), (ins, outs) =>
        {
            var x = ins[0]!;
            var r = ins[1]!.AsSpan<long>().ToArray();
            if (r.Length != x.Rank || r.Any(v => v < 0 || v > int.MaxValue))
                throw RunError("Tile", $"repeats {TensorData.Text(r)} must give one non-negative count per axis of input {TensorData.Text(x.Shape)}");
            // Y seen as [r0, d0, r1, d1, ...] is X seen as [1, d0, 1, d1, ...] broadcast.
            int rank = x.Rank;
            var src = new int[2 * rank];
            var dst = new int[2 * rank];
            var result = new int[rank];
            for (int i = 0; i < rank; i++)
            {
                src[2 * i] = 1; src[2 * i + 1] = x.Shape[i];
                dst[2 * i] = (int)r[i]; dst[2 * i + 1] = x.Shape[i];
                result[i] = ToDim(r[i] * x.Shape[i]);
            }
            OnnxTensor.ElementCount(result);
            outs[0] = ExpandTo(x, src, dst, result);
        });
    }
}
