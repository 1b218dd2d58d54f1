namespace NeuralSharp.Onnx.Ops;

/// <summary>Registers the nn operators: softmax family, normalisations, reductions and arg-reductions.</summary>
internal static partial class NnOps
{
    public static void Register(OperatorRegistry registry)
    {
        NnSoftmaxOps.Register(registry);
        NnLayerNormalizationOp.Register(registry);
        NnBatchNormalizationOp.Register(registry);
        ReduceOps.Register(registry);
        ReduceArgOps.Register(registry);
    }
}
