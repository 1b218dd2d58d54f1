using NeuralSharp.Kernels;

namespace NeuralSharp.Nn;

/// <summary>Hard sigmoid: min(max(x + 3, 0), 6) / 6 (PyTorch's <c>nn.Hardsigmoid</c>; no parameters). Fused into a preceding <see cref="Linear"/> by <see cref="Sequential"/>.</summary>
public sealed class Hardsigmoid : ActivationModule
{
    /// <summary>Creates the activation.</summary>
    public Hardsigmoid() : base(Activation.HardSigmoid) { }
}
