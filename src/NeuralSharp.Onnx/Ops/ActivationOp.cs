using NeuralSharp.Kernels;
using NeuralSharp.Onnx.Import;

namespace NeuralSharp.Onnx.Ops;

/// <summary>An element-wise float activation computed by NeuralSharp's <see cref="Activations"/> kernels.</summary>
internal sealed class ActivationOp : OnnxOp
{
    private readonly Activation _activation;
    private readonly float _alpha;

    private ActivationOp(Activation activation, float alpha)
    {
        _activation = activation;
        _alpha = alpha;
    }

    /// <summary>A factory for a one-input, one-output float activation (attributes checked by <paramref name="alphaOf"/>, or none allowed).</summary>
    public static OpFactory Factory(Activation activation, Func<OpContext, float>? alphaOf = null) => ctx =>
    {
        ctx.RequireArity(1, 1);
        if (alphaOf == null) ctx.RequireKnownAttributes();
        ctx.RequireType(0, OnnxElementType.Float);
        float alpha = alphaOf?.Invoke(ctx) ?? 0f;
        return new ActivationOp(activation, alpha) { Outputs = [ctx.Input(0) with { Constant = null }] };
    };

    public override void Run(OnnxTensor?[] inputs, OnnxTensor?[] outputs)
    {
        var x = inputs[0]!;
        var y = OnnxTensor.Rent<float>(x.ShapeArray);
        Activations.Forward(_activation, x.AsSpan<float>(), y.AsSpan<float>(), _alpha);
        outputs[0] = y;
    }
}
