using NeuralSharp.Kernels;

namespace NeuralSharp.Optim;

/// <summary>
/// Stochastic gradient descent with optional momentum, dampening, Nesterov momentum and L2 weight decay,
/// exactly as PyTorch's <c>torch.optim.SGD</c>: g = ∇ + λp; b = μb + (1-τ)g (b = g on the first step);
/// g = g + μb (Nesterov) or b; p -= η·g.
/// </summary>
public sealed class Sgd : Optimizer
{
    private readonly float[]?[] _momentum;

    /// <summary>Creates the optimizer.</summary>
    /// <exception cref="ArgumentException">When Nesterov is asked for without momentum or with dampening, or a value is negative.</exception>
    public Sgd(IEnumerable<Tensor> parameters, float learningRate, float momentum = 0f, float dampening = 0f, float weightDecay = 0f, bool nesterov = false)
        : base(parameters, learningRate)
    {
        if (momentum < 0f) throw new ArgumentOutOfRangeException(nameof(momentum), $"Sgd: momentum must be >= 0, got {momentum}.");
        if (weightDecay < 0f) throw new ArgumentOutOfRangeException(nameof(weightDecay), $"Sgd: weight decay must be >= 0, got {weightDecay}.");
        if (nesterov && (momentum <= 0f || dampening != 0f))
            throw new ArgumentException("Sgd: Nesterov momentum requires momentum > 0 and zero dampening.");
        Momentum = momentum;
        Dampening = dampening;
        WeightDecay = weightDecay;
        Nesterov = nesterov;
        _momentum = new float[Parameters.Count][];
    }

    /// <summary>Momentum factor μ.</summary>
    public float Momentum { get; }

    /// <summary>Dampening τ.</summary>
    public float Dampening { get; }

    /// <summary>L2 weight decay λ.</summary>
    public float WeightDecay { get; }

    /// <summary>Whether Nesterov momentum is used.</summary>
    public bool Nesterov { get; }

    /// <inheritdoc/>
    protected override void Update(int index, Tensor parameter, Tensor gradient)
    {
        bool first = _momentum[index] == null;
        Span<float> buffer = Momentum != 0f ? StateBuffer(ref _momentum[index], parameter.Size) : Span<float>.Empty;
        OptimizerKernels.Sgd(parameter.Data, gradient.Data, buffer, LearningRate, Momentum, Dampening, WeightDecay, Nesterov, first);
    }
}
