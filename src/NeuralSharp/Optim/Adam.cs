using NeuralSharp.Kernels;

namespace NeuralSharp.Optim;

/// <summary>
/// Adam (Kingma &amp; Ba 2015) as PyTorch's <c>torch.optim.Adam</c>, with L2 weight decay added to the
/// gradient: m = β₁m + (1-β₁)g; v = β₂v + (1-β₂)g²; p -= η/(1-β₁ᵗ) · m / (√v/√(1-β₂ᵗ) + ε).
/// </summary>
public class Adam : Optimizer
{
    private readonly float[]?[] _m, _v;
    private readonly bool _decoupled;

    /// <summary>Creates the optimizer.</summary>
    /// <exception cref="ArgumentOutOfRangeException">When a β is outside [0, 1) or ε or the decay is negative.</exception>
    public Adam(IEnumerable<Tensor> parameters, float learningRate = 1e-3f, float beta1 = 0.9f, float beta2 = 0.999f, float eps = 1e-8f, float weightDecay = 0f)
        : this(parameters, learningRate, beta1, beta2, eps, weightDecay, decoupled: false) { }

    /// <summary>Creates the optimizer with L2 (coupled) or decoupled (AdamW) weight decay.</summary>
    protected Adam(IEnumerable<Tensor> parameters, float learningRate, float beta1, float beta2, float eps, float weightDecay, bool decoupled)
        : base(parameters, learningRate)
    {
        if (!(beta1 >= 0f && beta1 < 1f)) throw new ArgumentOutOfRangeException(nameof(beta1), $"{GetType().Name}: beta1 must be in [0, 1), got {beta1}.");
        if (!(beta2 >= 0f && beta2 < 1f)) throw new ArgumentOutOfRangeException(nameof(beta2), $"{GetType().Name}: beta2 must be in [0, 1), got {beta2}.");
        if (!(eps >= 0f)) throw new ArgumentOutOfRangeException(nameof(eps), $"{GetType().Name}: eps must be >= 0, got {eps}.");
        if (!(weightDecay >= 0f)) throw new ArgumentOutOfRangeException(nameof(weightDecay), $"{GetType().Name}: weight decay must be >= 0, got {weightDecay}.");
        (Beta1, Beta2, Eps, WeightDecay, _decoupled) = (beta1, beta2, eps, weightDecay, decoupled);
        _m = new float[Parameters.Count][];
        _v = new float[Parameters.Count][];
        _steps = new int[Parameters.Count];
    }

    private readonly int[] _steps;

    /// <summary>β₁, the first-moment decay.</summary>
    public float Beta1 { get; }

    /// <summary>β₂, the second-moment decay.</summary>
    public float Beta2 { get; }

    /// <summary>ε, added to the denominator.</summary>
    public float Eps { get; }

    /// <summary>Weight decay λ.</summary>
    public float WeightDecay { get; }

    /// <inheritdoc/>
    protected override void Update(int index, Tensor parameter, Tensor gradient)
    {
        // Per-parameter step counts, as PyTorch keeps them: a parameter without a gradient does not advance.
        int step = ++_steps[index];
        var m = StateBuffer(ref _m[index], parameter.Size);
        var v = StateBuffer(ref _v[index], parameter.Size);
        OptimizerKernels.Adam(parameter.Data, gradient.Data, m, v, LearningRate, Beta1, Beta2, Eps, WeightDecay, _decoupled, step);
    }
}
