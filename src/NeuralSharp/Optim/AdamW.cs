namespace NeuralSharp.Optim;

/// <summary>
/// AdamW (Loshchilov &amp; Hutter 2019) as PyTorch's <c>torch.optim.AdamW</c>: decoupled weight decay
/// p *= 1 - η·λ before the Adam update. PyTorch's default λ is 0.01.
/// </summary>
public sealed class AdamW : Adam
{
    /// <summary>Creates the optimizer.</summary>
    public AdamW(IEnumerable<Tensor> parameters, float learningRate = 1e-3f, float beta1 = 0.9f, float beta2 = 0.999f, float eps = 1e-8f, float weightDecay = 0.01f)
        : base(parameters, learningRate, beta1, beta2, eps, weightDecay, decoupled: true) { }
}
