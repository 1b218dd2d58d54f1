namespace NeuralSharp.Onnx.Ops;

/// <summary>Registers the nn operators.</summary>
internal static partial class NnOps
{
    public static void Register(OperatorRegistry registry)
    {
    }
}
