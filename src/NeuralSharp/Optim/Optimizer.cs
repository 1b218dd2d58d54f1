namespace NeuralSharp.Optim;

/// <summary>
/// Base of the optimizers: holds the parameters, the learning rate (which schedules change) and the
/// step count. <see cref="Step"/> updates every parameter that has a gradient, as PyTorch does.
/// </summary>
public abstract class Optimizer
{
    /// <summary>Creates the optimizer over <paramref name="parameters"/>.</summary>
    /// <exception cref="ArgumentException">When there are no parameters or the learning rate is invalid.</exception>
    protected Optimizer(IEnumerable<Tensor> parameters, float learningRate)
    {
        Parameters = parameters.ToArray();
        if (Parameters.Count == 0) throw new ArgumentException($"{GetType().Name}: got an empty parameter list.");
        if (!(learningRate >= 0f) || float.IsInfinity(learningRate))
            throw new ArgumentOutOfRangeException(nameof(learningRate), $"{GetType().Name}: learning rate must be a finite number >= 0, got {learningRate}.");
        LearningRate = learningRate;
        InitialLearningRate = learningRate;
    }

    /// <summary>The parameters updated by <see cref="Step"/>.</summary>
    public IReadOnlyList<Tensor> Parameters { get; }

    /// <summary>The current learning rate.</summary>
    public float LearningRate { get; set; }

    /// <summary>The learning rate given at construction (schedules scale it).</summary>
    public float InitialLearningRate { get; }

    /// <summary>How many times <see cref="Step"/> has run.</summary>
    public int StepCount { get; protected set; }

    /// <summary>Applies one update to every parameter that has a gradient.</summary>
    public void Step()
    {
        StepCount++;
        for (int i = 0; i < Parameters.Count; i++)
        {
            var p = Parameters[i];
            if (p.Grad == null) continue;
            Update(i, p, p.Grad);
        }
    }

    /// <summary>Updates parameter <paramref name="index"/> in place from its gradient.</summary>
    protected abstract void Update(int index, Tensor parameter, Tensor gradient);

    /// <summary>
    /// Clears every parameter's gradient: sets it to null (<see cref="Tensor.ZeroGrad"/>), as PyTorch's
    /// <c>zero_grad(set_to_none=True)</c>, its default. The next backward writes fresh gradients without zero-filling them.
    /// </summary>
    public void ZeroGrad()
    {
        foreach (var p in Parameters) p.ZeroGrad();
    }

    /// <summary>
    /// A per-parameter state buffer of <paramref name="size"/> zeros, created on first use in <paramref name="slot"/> and
    /// kept for the optimizer's life. Its data starts on a 64-byte boundary, like a tensor's, so that the update
    /// kernels' vector loads and stores never straddle two cache lines.
    /// </summary>
    protected static Span<float> StateBuffer(ref float[]? slot, int size)
    {
        slot ??= TensorPool.AllocateAligned(size);
        return slot.AsSpan(TensorPool.AlignedOffset(slot), size);
    }
}
