using NeuralSharp.Kernels;

namespace NeuralSharp.Nn;

/// <summary>Hard swish: x min(max(x + 3, 0), 6) / 6 (PyTorch's <c>nn.Hardswish</c>; no parameters). Fused into a preceding <see cref="Linear"/> by <see cref="Sequential"/>.</summary>
public sealed class Hardswish : ActivationModule
{
    /// <summary>Creates the activation.</summary>
    public Hardswish() : base(Activation.HardSwish) { }
}
