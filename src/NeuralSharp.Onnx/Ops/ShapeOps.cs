namespace NeuralSharp.Onnx.Ops;

/// <summary>Registers the shape operators.</summary>
internal static partial class ShapeOps
{
    public static void Register(OperatorRegistry registry)
    {
    }
}
