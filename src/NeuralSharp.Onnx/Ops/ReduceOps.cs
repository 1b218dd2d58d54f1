using NeuralSharp.Onnx.Import;

namespace NeuralSharp.Onnx.Ops;

/// <summary>
/// ReduceSum, ReduceMean, ReduceMax, ReduceMin, ReduceProd, ReduceL1, ReduceL2, ReduceSumSquare, ReduceLogSum and
/// ReduceLogSumExp over any set of axes. The axes are an attribute until opset 13 (ReduceSum) or 18 (the others),
/// then an optional int64 input; no axes means all axes, or none with <c>noop_with_empty_axes</c> = 1.
/// <c>keepdims</c> (default 1) keeps reduced axes as 1. float and double for all; int32 and int64 for the
/// reductions that stay integral (Sum, Max, Min, Prod, L1, SumSquare).
/// </summary>
internal static class ReduceOps
{
    public static void Register(OperatorRegistry registry)
    {
        foreach (var kind in Enum.GetValues<ReduceKind>())
            registry.Add("Reduce" + kind, 1, ctx => Create(ctx, kind));
    }

    private static bool IsIntegral(ReduceKind kind) =>
        kind is ReduceKind.Sum or ReduceKind.Max or ReduceKind.Min or ReduceKind.Prod or ReduceKind.L1 or ReduceKind.SumSquare;

    private static OnnxOp Create(OpContext ctx, ReduceKind kind)
    {
        string op = "Reduce" + kind;
        bool axesInput = ctx.Opset >= (kind == ReduceKind.Sum ? 13 : 18);
        if (axesInput)
        {
            ctx.RequireArity(1, 2);
            ctx.RequireKnownAttributes("keepdims", "noop_with_empty_axes");
        }
        else
        {
            ctx.RequireArity(1, 1);
            ctx.RequireKnownAttributes("axes", "keepdims");
        }
        var type = IsIntegral(kind)
            ? ctx.RequireType(0, OnnxElementType.Float, OnnxElementType.Double, OnnxElementType.Int32, OnnxElementType.Int64)
            : ctx.RequireType(0, OnnxElementType.Float, OnnxElementType.Double);
        bool keepDims = ctx.Int("keepdims", 1) != 0;
        bool noop = axesInput && ctx.Int("noop_with_empty_axes", 0) != 0;

        // Axes known at load: from the attribute, an absent input, or a constant input.
        long[]? axes = null;
        bool axesKnown = true;
        if (!axesInput) axes = ctx.Ints("axes");
        else if (ctx.HasInput(1))
        {
            ctx.RequireType(1, OnnxElementType.Int64);
            var constant = ctx.Constant(1);
            if (constant == null) axesKnown = false;
            else axes = constant.ToArray<long>();
        }
        if (axes is { Length: 0 }) axes = null;

        var inShape = ctx.Input(0).Shape;
        int[]? outShape = null;
        if (axesKnown && inShape != null)
        {
            var reduced = Reduced(axes, noop, inShape.Length, m => ctx.Fail(m));
            outShape = OutputShape(inShape, reduced, keepDims);
        }
        else if (axesKnown && axes == null && !noop && !keepDims) outShape = [];
        else if (!axesKnown && keepDims && inShape != null) outShape = inShape.Select(d => d == 1 ? 1 : -1).ToArray();

        return new DelegateOp((ins, outs) =>
        {
            var x = ins[0]!;
            long[]? runAxes = axesKnown ? axes : ins[1]!.ToArray<long>();
            if (runAxes is { Length: 0 }) runAxes = null;
            var reduced = Reduced(runAxes, noop, x.Rank, m => new ArgumentException($"{op}: {m} (input [{NnShapes.Dims(x.Shape)}])"));
            outs[0] = ReduceKernels.Run(x, reduced, keepDims, kind);
        })
        { Outputs = [new ValueInfo(type, outShape)] };
    }

    /// <summary>Which axes of a rank-<paramref name="rank"/> input are reduced: the given ones (normalised, no repeats), else all or (noop) none.</summary>
    internal static bool[] Reduced(long[]? axes, bool noop, int rank, Func<string, Exception> fail)
    {
        var reduced = new bool[rank];
        if (axes == null)
        {
            if (!noop) reduced.AsSpan().Fill(true);
            return reduced;
        }
        foreach (long a in axes)
        {
            if (a < -rank || a >= rank) throw fail($"axis {a} is out of range for rank {rank}");
            int axis = (int)(a < 0 ? a + rank : a);
            if (reduced[axis]) throw fail($"axis {a} is repeated in axes [{string.Join(", ", axes)}]");
            reduced[axis] = true;
        }
        return reduced;
    }

    /// <summary>The output shape: reduced dimensions become 1 (<paramref name="keepDims"/>) or are removed; unknown (-1) dimensions stay unknown.</summary>
    internal static int[] OutputShape(int[] shape, bool[] reduced, bool keepDims)
    {
        var result = new List<int>();
        for (int i = 0; i < shape.Length; i++)
            if (!reduced[i]) result.Add(shape[i]);
            else if (keepDims) result.Add(1);
        return result.ToArray();
    }
}
