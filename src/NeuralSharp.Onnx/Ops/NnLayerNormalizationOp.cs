using NeuralSharp.Kernels;
using NeuralSharp.Onnx.Import;

namespace NeuralSharp.Onnx.Ops;

/// <summary>
/// LayerNormalization (opset 17), float: with D = the trailing dimensions [axis, rank) (axis default -1) and
/// mean, variance over each block of D, Y = (X - mean) / sqrt(variance + epsilon) * Scale + B, Scale and B
/// broadcast to D. Optional outputs Mean and InvStdDev have X's shape with the D dimensions set to 1.
/// Runs on <see cref="LayerNorm.Forward"/> over X as [rows, prod(D)] (Scale and B materialised to D when they
/// are broadcast). Only <c>stash_type</c> = 1 (float statistics) is supported.
/// </summary>
internal static class NnLayerNormalizationOp
{
    public static void Register(OperatorRegistry registry) => registry.Add("LayerNormalization", 17, Create);

    private static OnnxOp Create(OpContext ctx)
    {
        ctx.RequireArity(2, 3, 1, 3);
        ctx.RequireKnownAttributes("axis", "epsilon", "stash_type");
        ctx.RequireType(0, OnnxElementType.Float);
        ctx.RequireType(1, OnnxElementType.Float);
        if (ctx.HasInput(2)) ctx.RequireType(2, OnnxElementType.Float);
        long stash = ctx.Int("stash_type", 1);
        if (stash != 1)
            throw ctx.Unsupported($"unsupported stash_type {stash} (only 1, float statistics, is supported)");
        long axis = ctx.Int("axis", -1);
        float epsilon = ctx.Float("epsilon", 1e-5f);
        NnShapes.CheckAxis(ctx, axis);
        var shape = ctx.Input(0).Shape;
        int[]? statShape = null;
        if (shape != null)
        {
            int a = ctx.Axis(axis, shape.Length);
            statShape = shape.Select((d, i) => i < a ? d : 1).ToArray();
        }
        bool hasBias = ctx.HasInput(2);
        return new DelegateOp((ins, outs) =>
        {
            var x = ins[0]!;
            int a = NnShapes.Axis(axis, x.Rank, "LayerNormalization", x.Shape);
            int rows = NnShapes.Product(x.Shape, 0, a), cols = NnShapes.Product(x.Shape, a, x.Rank);
            var block = x.ShapeArray[a..];
            var gamma = FitBlock(ins[1]!, block, "LayerNormalization Scale");
            var beta = hasBias ? FitBlock(ins[2]!, block, "LayerNormalization B") : default;
            var y = OnnxTensor.Rent<float>(x.ShapeArray);
            var mean = new float[rows];
            var rstd = new float[rows];
            LayerNorm.Forward(x.AsSpan<float>(), gamma, beta, epsilon, y.AsSpan<float>(), mean, rstd, rows, cols);
            outs[0] = y;
            var stats = x.ShapeArray.Select((d, i) => i < a ? d : 1).ToArray();
            if (outs.Length > 1) outs[1] = OnnxTensor.FromArray(mean, stats);
            if (outs.Length > 2) outs[2] = OnnxTensor.FromArray(rstd, stats);
        })
        {
            Outputs =
            [
                ctx.Input(0) with { Constant = null },
                new ValueInfo(OnnxElementType.Float, statShape),
                new ValueInfo(OnnxElementType.Float, statShape),
            ],
        };
    }

    /// <summary>The values of <paramref name="p"/> over the normalised block: its own when it already has the block's shape (leading 1s aside), else broadcast to it.</summary>
    /// <exception cref="ArgumentException"><paramref name="p"/> does not broadcast to the block.</exception>
    private static ReadOnlySpan<float> FitBlock(OnnxTensor p, int[] block, string what)
    {
        if (TrimLeadingOnes(p.Shape).SequenceEqual(TrimLeadingOnes(block))) return p.AsSpan<float>();
        if (p.Rank > block.Length)
            throw new ArgumentException($"{what}: shape [{NnShapes.Dims(p.Shape)}] does not broadcast to the normalised dimensions [{NnShapes.Dims(block)}]");
        return Broadcast.To(p, block, what).AsSpan<float>();
    }

    private static ReadOnlySpan<int> TrimLeadingOnes(ReadOnlySpan<int> shape)
    {
        int i = 0;
        while (i < shape.Length && shape[i] == 1) i++;
        return shape[i..];
    }
}
