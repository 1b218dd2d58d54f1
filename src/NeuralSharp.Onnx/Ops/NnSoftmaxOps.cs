using NeuralSharp.Kernels;

namespace NeuralSharp.Onnx.Ops;

/// <summary>
/// Softmax, LogSoftmax and Hardmax. Before opset 13 the input is coerced to 2-D at <c>axis</c> (default 1) and the
/// op normalises over the whole trailing block [axis, rank); from opset 13 it runs along the single axis
/// <c>axis</c> (default -1). float runs on <see cref="Softmax"/>'s kernels (row maximum subtracted); double
/// on a scalar loop in double.
/// </summary>
internal static class NnSoftmaxOps
{
    private enum Kind { Softmax, LogSoftmax, Hardmax }

    public static void Register(OperatorRegistry registry)
    {
        registry.Add("Softmax", 1, ctx => Create(ctx, Kind.Softmax));
        registry.Add("LogSoftmax", 1, ctx => Create(ctx, Kind.LogSoftmax));
        registry.Add("Hardmax", 1, ctx => Create(ctx, Kind.Hardmax));
    }

    private static OnnxOp Create(OpContext ctx, Kind kind)
    {
        ctx.RequireArity(1, 1);
        ctx.RequireKnownAttributes("axis");
        ctx.RequireType(0, OnnxElementType.Float, OnnxElementType.Double);
        bool coerce = ctx.Opset < 13;
        long axis = ctx.Int("axis", coerce ? 1 : -1);
        NnShapes.CheckAxis(ctx, axis);
        string op = kind.ToString();
        return new DelegateOp((ins, outs) =>
        {
            var x = ins[0]!;
            int a = NnShapes.Axis(axis, x.Rank, op, x.Shape);
            int outer = NnShapes.Product(x.Shape, 0, a);
            int dim = coerce ? NnShapes.Product(x.Shape, a, x.Rank) : x.Shape[a];
            int inner = coerce ? 1 : NnShapes.Product(x.Shape, a + 1, x.Rank);
            outs[0] = x.Data is float[] ? RunFloat(kind, x, outer, dim, inner) : RunDouble(kind, x, outer, dim, inner);
        })
        { Outputs = [ctx.Input(0) with { Constant = null }] };
    }

    private static OnnxTensor RunFloat(Kind kind, OnnxTensor x, int outer, int dim, int inner)
    {
        var result = OnnxTensor.Rent<float>(x.ShapeArray);
        var y = result.AsSpan<float>();
        switch (kind)
        {
            case Kind.Softmax: Softmax.Forward(x.AsSpan<float>(), y, outer, dim, inner); break;
            case Kind.LogSoftmax: Softmax.LogForward(x.AsSpan<float>(), y, outer, dim, inner); break;
            default: Hardmax<float>(x.AsSpan<float>(), y, outer, dim, inner); break;
        }
        return result;
    }

    private static OnnxTensor RunDouble(Kind kind, OnnxTensor x, int outer, int dim, int inner)
    {
        var y = new double[x.Length];
        if (kind == Kind.Hardmax) Hardmax<double>(x.AsSpan<double>(), y, outer, dim, inner);
        else SoftmaxDouble(x.AsSpan<double>(), y, outer, dim, inner, kind == Kind.LogSoftmax);
        return OnnxTensor.FromArray(y, x.ShapeArray);
    }

    /// <summary>y = exp(x - max - log Σ exp(x - max)) (or its log) along dim of [outer, dim, inner], in double.</summary>
    private static void SoftmaxDouble(ReadOnlySpan<double> x, Span<double> y, int outer, int dim, int inner, bool log)
    {
        for (int o = 0; o < outer; o++)
            for (int i = 0; i < inner; i++)
            {
                int b = o * dim * inner + i;
                double max = double.NegativeInfinity;
                for (int d = 0; d < dim; d++) max = Math.Max(max, x[b + d * inner]);
                double sum = 0;
                for (int d = 0; d < dim; d++) sum += Math.Exp(x[b + d * inner] - max);
                double logSum = Math.Log(sum);
                for (int d = 0; d < dim; d++)
                {
                    double z = x[b + d * inner] - max - logSum;
                    y[b + d * inner] = log ? z : Math.Exp(z);
                }
            }
    }

    /// <summary>y = 1 at the first maximum along dim of [outer, dim, inner], 0 elsewhere.</summary>
    private static void Hardmax<T>(ReadOnlySpan<T> x, Span<T> y, int outer, int dim, int inner) where T : System.Numerics.INumber<T>
    {
        y.Clear();
        if (dim == 0) return;
        for (int o = 0; o < outer; o++)
            for (int i = 0; i < inner; i++)
            {
                int b = o * dim * inner + i, best = 0;
                for (int d = 1; d < dim; d++)
                    if (x[b + d * inner] > x[b + best * inner]) best = d;
                y[b + best * inner] = T.One;
            }
    }
}
