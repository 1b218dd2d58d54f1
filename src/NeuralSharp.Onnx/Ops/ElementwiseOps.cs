namespace NeuralSharp.Onnx.Ops;

/// <summary>Registers the elementwise operators.</summary>
internal static partial class ElementwiseOps
{
    public static void Register(OperatorRegistry registry)
    {
    }
}
