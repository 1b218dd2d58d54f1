namespace NeuralSharp;

public sealed partial class Tensor
{
    private bool _requiresGrad;

    /// <summary>Whether gradients flow to this tensor. Settable on leaves only (parameters, inputs).</summary>
    /// <exception cref="InvalidOperationException">When switched off on a tensor produced by a recorded op.</exception>
    public bool RequiresGrad
    {
        get => _requiresGrad;
        set
        {
            if (!value && GradFn != null)
                throw new InvalidOperationException("Tensor.RequiresGrad: cannot switch off gradient tracking of a non-leaf tensor; use Detach() instead.");
            _requiresGrad = value;
        }
    }

    /// <summary>The accumulated gradient (same shape), or null when none has been computed.</summary>
    public Tensor? Grad { get; set; }

    /// <summary>The node that produced this tensor in the autograd graph, or null for a leaf.</summary>
    public Node? GradFn { get; internal set; }

    /// <summary>True for tensors not produced by a recorded op (parameters, inputs, detached tensors).</summary>
    public bool IsLeaf => GradFn == null;

    /// <summary>True when <see cref="RetainGrad"/> asked to keep this non-leaf's gradient.</summary>
    public bool RetainsGrad { get; private set; }

    /// <summary>Keeps the gradient of this non-leaf tensor after <see cref="Backward"/> (leaves always keep theirs).</summary>
    public void RetainGrad() => RetainsGrad = true;

    /// <summary>Marks this tensor as requiring gradients and returns it (fluent).</summary>
    public Tensor RequireGrad()
    {
        RequiresGrad = true;
        return this;
    }

    /// <summary>A view of the same values that is cut from the graph: no gradient flows through it.</summary>
    public Tensor Detach() => View(0, _shape);

    /// <summary>
    /// Computes the gradient of this tensor with respect to every leaf that requires one, accumulating
    /// (+=) into their <see cref="Grad"/>. For a non-scalar tensor give the upstream <paramref name="gradient"/>.
    /// </summary>
    /// <param name="gradient">d(objective)/d(this), same shape; null means 1 for a one-element tensor.</param>
    /// <param name="retainGraph">Keep the graph so that Backward can run through it again.</param>
    /// <exception cref="InvalidOperationException">When this tensor does not require gradients, is not a scalar and no gradient is given, or its graph was already freed.</exception>
    public void Backward(Tensor? gradient = null, bool retainGraph = false) => AutogradEngine.Backward(this, gradient, retainGraph);

    /// <summary>
    /// Sets the gradient to null (its buffer goes back to the pool), like PyTorch's <c>set_to_none=True</c>: the next
    /// backward creates the gradient afresh, and ops that can write it directly (Linear, MatMul) skip zero-filling it.
    /// </summary>
    public void ZeroGrad()
    {
        Grad?.Dispose();
        Grad = null;
    }

    /// <summary>The gradient buffer to accumulate into, created as zeros on first use. Never owned by a scope.</summary>
    internal Span<float> GradBuffer()
    {
        var data = GradBufferForOverwrite(out bool fresh);
        if (fresh) data.Clear();
        return data;
    }

    /// <summary>
    /// The gradient buffer for an op that can either overwrite or accumulate. When no gradient exists yet, the buffer
    /// is created uninitialised and <paramref name="fresh"/> is true: the caller must then write every element (a GEMM
    /// with beta = 0, a kernel that overwrites). Otherwise <paramref name="fresh"/> is false and the caller must
    /// accumulate (+=) as usual. Saves zero-filling and re-reading large gradients (weights, activations) once per step.
    /// </summary>
    internal Span<float> GradBufferForOverwrite(out bool fresh)
    {
        fresh = Grad == null || Grad.IsDisposed;
        if (fresh)
        {
            var array = TensorPool.Rent(Size, out int offset);
            Grad = new Tensor(new TensorStorage(array, pooled: true), offset, (int[])_shape.Clone(), scoped: false);
        }
        return Grad!.Data;
    }

    /// <summary>Makes this tensor the output of <paramref name="node"/> when recording is on.</summary>
    internal Tensor WithGradFn(Node node)
    {
        GradFn = node;
        _requiresGrad = true;
        return this;
    }
}
