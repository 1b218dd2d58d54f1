using NeuralSharp.Onnx.Import;

namespace NeuralSharp.Onnx.Ops;

// Slice: per sliced axis a, Y takes X's indices start_a, start_a + step_a, ... (before end_a): a strided copy
// whose base offset is Σ start_a · stride_a and whose strides are stride_a · step_a.
internal static partial class ShapeOps
{
    /// <summary>
    /// Slice: starts/ends/axes attributes before opset 10; inputs starts, ends, axes?, steps? (int32/int64) since,
    /// steps possibly negative. Starts and ends are clamped as the ONNX spec says (negative counts from the back).
    /// </summary>
    private static OnnxOp CreateSlice(OpContext ctx)
    {
        long[]? starts, ends, axes = null, steps = null;
        bool atRun = false;
        if (ctx.Opset < 10)
        {
            ctx.RequireArity(1, 1);
            ctx.RequireKnownAttributes("starts", "ends", "axes");
            starts = ctx.Ints("starts") ?? throw ctx.Fail("attribute 'starts' is required");
            ends = ctx.Ints("ends") ?? throw ctx.Fail("attribute 'ends' is required");
            axes = ctx.Ints("axes");
        }
        else
        {
            ctx.RequireArity(3, 5);
            ctx.RequireKnownAttributes();
            for (int i = 1; i < 5; i++)
            {
                if (!ctx.HasInput(i)) continue;
                ctx.RequireType(i, TensorData.IndexTypes);
                atRun |= ctx.Constant(i) == null;
            }
            starts = ConstantLongs(ctx, 1);
            ends = ConstantLongs(ctx, 2);
            axes = ConstantLongs(ctx, 3);
            steps = ConstantLongs(ctx, 4);
        }
        var type = AnyType(ctx, 0);
        var shape = ctx.Input(0).Shape;
        int[]? outShape = null;
        if (shape != null && !atRun)
            outShape = SliceParameters(shape, starts!, ends!, axes, steps, ctx.Fail).Shape;
        else if (shape != null)
        {
            // Some parameter is computed at run time: the sliced axes lose their size, when we know which they are.
            outShape = (int[])shape.Clone();
            long[]? sliced = ctx.HasInput(3) ? axes : KnownLength(ctx, 1) is >= 0 and var n ? Enumerable.Range(0, n).Select(i => (long)i).ToArray() : null;
            if (sliced == null) outShape = UnknownDims(shape.Length);
            else foreach (int a in NormalizeAxes(ctx, sliced, shape.Length)) outShape[a] = -1;
        }
        bool fromInputs = ctx.Opset >= 10;
        return Op(new ValueInfo(type, outShape), (ins, outs) =>
        {
            var x = ins[0]!;
            long[]? Read(int i, long[]? constant) => constant ?? (i >= ins.Length || ins[i] == null ? null : TensorData.Longs(ins[i]!, $"Slice input {i}"));
            var p = fromInputs
                ? SliceParameters(x.ShapeArray, Read(1, starts)!, Read(2, ends)!, Read(3, axes), Read(4, steps), m => RunError("Slice", m))
                : SliceParameters(x.ShapeArray, starts!, ends!, axes, null, m => RunError("Slice", m));
            var y = TensorData.New(x.ElementType, p.Shape);
            TensorData.StridedCopy(x, p.Base, p.Strides, y);
            outs[0] = y;
        });
    }

    /// <summary>
    /// The output shape of a slice of <paramref name="shape"/> (unknown dimensions of sliced axes stay unknown), and
    /// for a known shape the base offset and per-axis strides of the strided copy.
    /// </summary>
    internal static (int[] Shape, long Base, long[] Strides) SliceParameters(int[] shape, long[] starts, long[] ends, long[]? axes, long[]? steps,
        Func<string, Exception> fail)
    {
        int rank = shape.Length;
        string What() => $"starts {TensorData.Text(starts)}, ends {TensorData.Text(ends)}" +
            (axes != null ? $", axes {TensorData.Text(axes)}" : "") + (steps != null ? $", steps {TensorData.Text(steps)}" : "") +
            $" for input {TensorData.Text(shape)}";
        if (ends.Length != starts.Length || (axes != null && axes.Length != starts.Length) || (steps != null && steps.Length != starts.Length))
            throw fail($"{What()}: the lists differ in length");
        var outShape = (int[])shape.Clone();
        var strides = TensorData.Strides(shape);
        long offset = 0;
        var seen = new bool[rank];
        for (int i = 0; i < starts.Length; i++)
        {
            long a = axes?[i] ?? i;
            if (a < -rank || a >= rank) throw fail($"{What()}: axis {a} is out of range");
            int axis = (int)(a < 0 ? a + rank : a);
            if (seen[axis]) throw fail($"{What()}: axis {axis} is sliced twice");
            seen[axis] = true;
            long step = steps?[i] ?? 1;
            if (step == 0) throw fail($"{What()}: step 0");
            int d = shape[axis];
            if (d < 0) continue;
            var (start, size) = SliceRange(starts[i], ends[i], step, d);
            outShape[axis] = size;
            offset += start * strides[axis];
            strides[axis] *= step;
        }
        return (outShape, offset, strides);
    }

    /// <summary>The first index and element count of start:end:step over a dimension of size <paramref name="d"/>, clamped per the ONNX spec.</summary>
    private static (long Start, int Size) SliceRange(long start, long end, long step, int d)
    {
        if (d == 0) return (0, 0);
        if (start < 0) start += d;
        if (end < 0) end += d;
        // A step longer than the dimension takes at most one element; capping it keeps the arithmetic from overflowing.
        long magnitude = step == long.MinValue ? d : Math.Min(Math.Abs(step), d);
        long size;
        if (step > 0)
        {
            start = Math.Clamp(start, 0, d);
            end = Math.Clamp(end, 0, d);
            size = end > start ? (end - start + magnitude - 1) / magnitude : 0;
        }
        else
        {
            start = Math.Clamp(start, 0, d - 1);
            end = Math.Clamp(end, -1, d - 1);
            size = start > end ? (start - end + magnitude - 1) / magnitude : 0;
        }
        return (size == 0 ? 0 : start, (int)size);
    }
}
