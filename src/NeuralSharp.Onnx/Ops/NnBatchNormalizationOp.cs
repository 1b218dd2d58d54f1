using NeuralSharp.Kernels;
using NeuralSharp.Onnx.Import;

namespace NeuralSharp.Onnx.Ops;

/// <summary>
/// BatchNormalization in inference mode, float: for X [N, C, D1, ...] and per-channel scale, B, mean, var [C],
/// Y = (X - mean) / sqrt(var + epsilon) * scale + B (<see cref="BatchNorm.ForwardInference"/>). Opsets 1-8 with
/// <c>spatial</c> = 0 take the statistics per activation ([C, D1, ...]). From opset 14, <c>training_mode</c> = 1
/// normalises with the batch's own mean and (biased) variance and outputs the updated running statistics,
/// running = input * momentum + batch * (1 - momentum). The older training modes (opsets 1-13 with outputs
/// 2-5, opsets &lt; 7 without <c>is_test</c> = 1) are refused.
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
        {
            for (int i = 0; i < 5; i++) ctx.RequireType(i, OnnxElementType.Float);
            return CreateTraining(ctx);
        }
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

    /// <summary>Training mode (opset 14+): batch statistics over N and the spatial dims, per channel, in double.</summary>
    private static OnnxOp CreateTraining(OpContext ctx)
    {
        float epsilon = ctx.Float("epsilon", 1e-5f), momentum = ctx.Float("momentum", 0.9f);
        if (ctx.Input(0).Rank is >= 0 and < 2) throw ctx.Fail($"X {ctx.Input(0).ShapeText} must have rank >= 2 ([N, C, ...])");
        int outputs = ctx.OutputCount;
        return new DelegateOp((ins, outs) =>
        {
            var x = ins[0]!;
            if (x.Rank < 2)
                throw new ArgumentException($"BatchNormalization: X [{NnShapes.Dims(x.Shape)}] must have rank >= 2 ([N, C, ...])");
            int n = x.Shape[0], c = x.Shape[1], l = NnShapes.Product(x.Shape, 2, x.Rank);
            string[] names = ["scale", "B", "input_mean", "input_var"];
            for (int i = 1; i < 5; i++)
                if (ins[i]!.Length != c)
                    throw new ArgumentException($"BatchNormalization: {names[i - 1]} [{NnShapes.Dims(ins[i]!.Shape)}] must have {c} values for X [{NnShapes.Dims(x.Shape)}]");
            var xs = x.AsSpan<float>();
            var scale = ins[1]!.AsSpan<float>(); var bias = ins[2]!.AsSpan<float>();
            var runMean = ins[3]!.AsSpan<float>(); var runVar = ins[4]!.AsSpan<float>();
            var y = new float[x.Length];
            var newMean = new float[c]; var newVar = new float[c];
            long count = (long)n * l;
            for (int ch = 0; ch < c; ch++)
            {
                double sum = 0, sq = 0;
                for (int b = 0; b < n; b++)
                    foreach (float v in xs.Slice((b * c + ch) * l, l)) sum += v;
                double mean = count > 0 ? sum / count : 0;
                for (int b = 0; b < n; b++)
                    foreach (float v in xs.Slice((b * c + ch) * l, l)) sq += (v - mean) * (v - mean);
                double variance = count > 0 ? sq / count : 0;
                double inv = 1.0 / Math.Sqrt(variance + epsilon);
                for (int b = 0; b < n; b++)
                {
                    int o = (b * c + ch) * l;
                    for (int i = 0; i < l; i++) y[o + i] = (float)((xs[o + i] - mean) * inv * scale[ch] + bias[ch]);
                }
                newMean[ch] = (float)(runMean[ch] * (double)momentum + mean * (1 - (double)momentum));
                newVar[ch] = (float)(runVar[ch] * (double)momentum + variance * (1 - (double)momentum));
            }
            outs[0] = OnnxTensor.FromArray(y, x.ShapeArray);
            if (outs.Length > 1) outs[1] = OnnxTensor.FromArray(newMean, c);
            if (outs.Length > 2) outs[2] = OnnxTensor.FromArray(newVar, c);
        })
        {
            Outputs = [ctx.Input(0) with { Constant = null }, .. Enumerable.Repeat(new ValueInfo(OnnxElementType.Float, [-1]), Math.Max(outputs - 1, 0))],
        };
    }
}
