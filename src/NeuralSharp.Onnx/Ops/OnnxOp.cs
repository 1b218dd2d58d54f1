using NeuralSharp.Onnx.Import;

namespace NeuralSharp.Onnx.Ops;

/// <summary>
/// One node of a compiled graph: created once at load time by an <see cref="OpFactory"/> (which parses and
/// checks attributes and input types and infers <see cref="Outputs"/>), then run any number of times, possibly
/// concurrently — an op keeps no per-run state.
/// </summary>
internal abstract class OnnxOp
{
    /// <summary>The inferred type and shape of each output, in the node's output order.</summary>
    public required ValueInfo[] Outputs { get; init; }

    /// <summary>
    /// Computes the outputs from the inputs (null for an omitted optional input) and stores one tensor per entry of
    /// <paramref name="outputs"/>. Input values are never modified; an output may share an input's array
    /// (reshapes), which the plan allows for because inputs are read-only.
    /// </summary>
    /// <exception cref="ArgumentException">The inputs' runtime shapes do not fit the op (names op and shapes).</exception>
    public abstract void Run(OnnxTensor?[] inputs, OnnxTensor?[] outputs);
}

/// <summary>Creates an op for a node from its context, or throws <see cref="OnnxUnsupportedException"/> / <see cref="OnnxFormatException"/>.</summary>
internal delegate OnnxOp OpFactory(OpContext context);

/// <summary>An op whose run is a delegate, for ops short enough not to need a class of their own.</summary>
internal sealed class DelegateOp(Action<OnnxTensor?[], OnnxTensor?[]> run) : OnnxOp
{
    public override void Run(OnnxTensor?[] inputs, OnnxTensor?[] outputs) => run(inputs, outputs);
}
