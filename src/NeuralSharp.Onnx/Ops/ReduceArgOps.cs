using System.Numerics;
using NeuralSharp.Onnx.Import;

namespace NeuralSharp.Onnx.Ops;

/// <summary>
/// ArgMax and ArgMin: the int64 index of the largest (smallest) element along <c>axis</c> (default 0), the axis
/// kept as 1 (<c>keepdims</c> = 1, default) or removed; ties give the first index, or the last with
/// <c>select_last_index</c> = 1 (opset 12+). NaN counts as the extreme, like NumPy. float, double, int32, int64.
/// </summary>
internal static class ReduceArgOps
{
    public static void Register(OperatorRegistry registry)
    {
        registry.Add("ArgMax", 1, ctx => Create(ctx, max: true));
        registry.Add("ArgMin", 1, ctx => Create(ctx, max: false));
    }

    private static OnnxOp Create(OpContext ctx, bool max)
    {
        string op = max ? "ArgMax" : "ArgMin";
        ctx.RequireArity(1, 1);
        if (ctx.Opset >= 12) ctx.RequireKnownAttributes("axis", "keepdims", "select_last_index");
        else ctx.RequireKnownAttributes("axis", "keepdims");
        ctx.RequireType(0, OnnxElementType.Float, OnnxElementType.Double, OnnxElementType.Int32, OnnxElementType.Int64);
        long axis = ctx.Int("axis", 0);
        bool keepDims = ctx.Int("keepdims", 1) != 0;
        bool last = ctx.Int("select_last_index", 0) != 0;
        NnShapes.CheckAxis(ctx, axis);
        var shape = ctx.Input(0).Shape;
        int[]? outShape = null;
        if (shape != null)
        {
            var reduced = new bool[shape.Length];
            reduced[ctx.Axis(axis, shape.Length)] = true;
            outShape = ReduceOps.OutputShape(shape, reduced, keepDims);
        }
        return new DelegateOp((ins, outs) =>
        {
            var x = ins[0]!;
            int a = NnShapes.Axis(axis, x.Rank, op, x.Shape);
            int outer = NnShapes.Product(x.Shape, 0, a), dim = x.Shape[a], inner = NnShapes.Product(x.Shape, a + 1, x.Rank);
            if (dim == 0 && (long)outer * inner > 0)
                throw new ArgumentException($"{op}: axis {axis} of input [{NnShapes.Dims(x.Shape)}] is empty");
            var y = new long[(long)outer * inner];
            switch (x.Data)
            {
                case float[]: Arg(x.AsSpan<float>(), y, outer, dim, inner, max, last); break;
                case double[]: Arg(x.AsSpan<double>(), y, outer, dim, inner, max, last); break;
                case int[]: Arg(x.AsSpan<int>(), y, outer, dim, inner, max, last); break;
                default: Arg(x.AsSpan<long>(), y, outer, dim, inner, max, last); break;
            }
            var reduced = new bool[x.Rank];
            reduced[a] = true;
            outs[0] = OnnxTensor.FromArray(y, ReduceOps.OutputShape(x.ShapeArray, reduced, keepDims));
        })
        { Outputs = [new ValueInfo(OnnxElementType.Int64, outShape)] };
    }

    /// <summary>y[o, i] = arg max (min) over d of x[o, d, i].</summary>
    private static void Arg<T>(ReadOnlySpan<T> x, Span<long> y, int outer, int dim, int inner, bool max, bool last) where T : INumber<T>
    {
        for (int o = 0; o < outer; o++)
            for (int i = 0; i < inner; i++)
            {
                int b = o * dim * inner + i, best = 0;
                T bestValue = x[b];
                for (int d = 1; d < dim; d++)
                {
                    T v = x[b + d * inner];
                    if (T.IsNaN(bestValue) && !last) break;
                    bool better = T.IsNaN(v) || (max ? v > bestValue : v < bestValue) || (last && v == bestValue);
                    if (better) { best = d; bestValue = v; }
                }
                y[o * inner + i] = best;
            }
    }
}
