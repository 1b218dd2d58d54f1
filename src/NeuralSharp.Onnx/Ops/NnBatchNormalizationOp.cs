using NeuralSharp.Kernels;
using NeuralSharp.Onnx.Import;

namespace NeuralSharp.Onnx.Ops;

/// <summary>
/// BatchNormalization in inference mode, float: for X [N, C, D1, ...] and per-channel scale, B, mean, var [C],
/// Y = (X - mean) / sqrt(var + epsilon) * scale + B (<see cref="BatchNorm.ForwardInference"/>). Opsets 1-8 with
/// <c>spatial</c> = 0 take the statistics per activation ([C, D1, ...]). Training mode (opsets &lt; 7 without
/// <c>is_test</c> = 1, or <c>training_mode</c> = 1 from opset 14) and its extra outputs are refused.
/// </summary>
internal static class NnBatchNormalizationOp
{
    public static void Register(OperatorRegistry registry) => registry.Add("BatchNormalization", 1, Create);

    private static OnnxOp Create(OpContext ctx)
    {
        int opset = ctx.Opset;
        if (opset < 6) ctx.RequireKnownAttributes("consumed_inputs", "epsilon", "is_test", "momentum", "spatial");
        else if (opset < 7) ctx.RequireKnownAttributes("epsilon", "is_test", "momentum", "spatial");
        else if (opset < 9) ctx.RequireKnownAttributes("epsilon", "momentum", "spatial");
        else if (opset < 14) ctx.RequireKnownAttributes("epsilon", "momentum");
        else ctx.RequireKnownAttributes("epsilon", "momentum", "training_mode");
        ctx.RequireArity(5, 5, 1, opset >= 14 ? 3 : 5);
        if (opset < 7 && ctx.Int("is_test", 0) == 0)
            throw ctx.Unsupported("training mode (is_test = 0) is not supported, only inference (is_test = 1)");
        if (opset >= 14 && ctx.Int("training_mode", 0) != 0)
            throw ctx.Unsupported("training mode (training_mode = 1) is not supported, only inference");
        for (int i = 1; i < ctx.OutputCount; i++)
            if (ctx.HasOutput(i))
                throw ctx.Unsupported("training mode outputs (running or saved mean and variance) are not supported, only inference");
        for (int i = 0; i < 5; i++) ctx.RequireType(i, OnnxElementType.Float);
        bool spatial = opset >= 9 || ctx.Int("spatial", 1) != 0;
        float epsilon = ctx.Float("epsilon", 1e-5f);
        int rank = ctx.Input(0).Rank;
        if (rank is >= 0 and < 2) throw ctx.Fail($"X {ctx.Input(0).ShapeText} must have rank >= 2 ([N, C, ...])");
        return new DelegateOp((ins, outs) =>
        {
            var x = ins[0]!;
            if (x.Rank < 2)
                throw new ArgumentException($"BatchNormalization: X [{NnShapes.Dims(x.Shape)}] must have rank >= 2 ([N, C, ...])");
            int n = x.Shape[0], c = x.Shape[1], l = NnShapes.Product(x.Shape, 2, x.Rank);
            // Statistics per activation: channel and position together form the "channel" of the kernel.
            if (!spatial) { c *= l; l = 1; }
            string[] names = ["scale", "B", "mean", "var"];
            for (int i = 1; i < 5; i++)
                if (ins[i]!.Length != c)
                    throw new ArgumentException($"BatchNormalization: {names[i - 1]} [{NnShapes.Dims(ins[i]!.Shape)}] must have {c} values for X [{NnShapes.Dims(x.Shape)}]{(spatial ? "" : " (spatial = 0)")}");
            var y = new float[x.Length];
            BatchNorm.ForwardInference(x.AsSpan<float>(), ins[3]!.AsSpan<float>(), ins[4]!.AsSpan<float>(), ins[1]!.AsSpan<float>(),
                ins[2]!.AsSpan<float>(), epsilon, y, new float[c], n, c, l);
            outs[0] = OnnxTensor.FromArray(y, x.ShapeArray);
        })
        {
            // Unused optional outputs may still be listed (as ""): give each listed position an entry.
            Outputs = [ctx.Input(0) with { Constant = null }, .. Enumerable.Repeat(ValueInfo.Unknown(OnnxElementType.Float), Math.Max(ctx.OutputCount - 1, 0))],
        };
    }
}
