using NeuralSharp.Kernels;

namespace NeuralSharp.Nn;

/// <summary>Softsign: x / (1 + |x|) (PyTorch's <c>nn.Softsign</c>; no parameters). Fused into a preceding <see cref="Linear"/> by <see cref="Sequential"/>.</summary>
public sealed class Softsign : ActivationModule
{
    /// <summary>Creates the activation.</summary>
    public Softsign() : base(Activation.Softsign) { }
}
