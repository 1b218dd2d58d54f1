using NeuralSharp.Kernels;

namespace NeuralSharp.Nn;

/// <summary>Mish: x tanh(softplus(x)) (PyTorch's <c>nn.Mish</c>; no parameters). Fused into a preceding <see cref="Linear"/> by <see cref="Sequential"/>.</summary>
public sealed class Mish : ActivationModule
{
    /// <summary>Creates the activation.</summary>
    public Mish() : base(Activation.Mish) { }
}
