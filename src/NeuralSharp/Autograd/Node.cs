namespace NeuralSharp;

/// <summary>
/// One recorded operation in the autograd graph. A subclass keeps what its backward needs and, in
/// <see cref="Backward"/>, accumulates (+=) the gradients of its inputs. Custom differentiable ops
/// derive from it and attach themselves to their output with <see cref="Attach"/>.
/// </summary>
public abstract class Node
{
    /// <summary>Creates a node over its inputs (the tensors whose gradients it produces).</summary>
    protected Node(params Tensor[] inputs) => Inputs = inputs;

    /// <summary>The op's inputs, in order.</summary>
    public IReadOnlyList<Tensor> Inputs { get; }

    /// <summary>A short name of the op, for messages and printing.</summary>
    public virtual string Name => GetType().Name.EndsWith("Node", StringComparison.Ordinal) ? GetType().Name[..^4] : GetType().Name;

    internal bool Freed { get; private set; }

    /// <summary>Accumulates the inputs' gradients given the gradient of the output.</summary>
    /// <param name="gradOutput">d(objective)/d(output), the output's shape.</param>
    protected internal abstract void Backward(Tensor gradOutput);

    /// <summary>Drops saved tensors after backward; override to dispose buffers the node owns.</summary>
    protected virtual void ReleaseSaved() { }

    internal void Release()
    {
        if (Freed) return;
        Freed = true;
        ReleaseSaved();
    }

    /// <summary>Whether gradient recording applies to an op over these inputs.</summary>
    public static bool ShouldRecord(Tensor a) => GradMode.IsEnabled && a.RequiresGrad;

    /// <summary>Whether gradient recording applies to an op over these inputs.</summary>
    public static bool ShouldRecord(Tensor a, Tensor? b) => GradMode.IsEnabled && (a.RequiresGrad || b is { RequiresGrad: true });

    /// <summary>Whether gradient recording applies to an op over these inputs (null entries are ignored).</summary>
    public static bool ShouldRecord(params Tensor?[] inputs)
    {
        if (!GradMode.IsEnabled) return false;
        foreach (var t in inputs) if (t is { RequiresGrad: true }) return true;
        return false;
    }

    /// <summary>Makes <paramref name="output"/> the result of this node and returns it.</summary>
    public Tensor Attach(Tensor output) => output.WithGradFn(this);

    /// <summary>The gradient buffer of <paramref name="input"/> to accumulate into, or an empty span when it needs none.</summary>
    protected static Span<float> GradOf(Tensor input) => input.RequiresGrad ? input.GradBuffer() : Span<float>.Empty;
}
