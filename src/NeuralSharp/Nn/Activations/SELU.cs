using NeuralSharp.Kernels;

namespace NeuralSharp.Nn;

/// <summary>SELU: scale (x for x &gt; 0, alpha (e^x - 1) otherwise), alpha = 1.6732632, scale = 1.0507010 (PyTorch's <c>nn.SELU</c>; no parameters). Fused into a preceding <see cref="Linear"/> by <see cref="Sequential"/>.</summary>
public sealed class SELU : ActivationModule
{
    /// <summary>Creates the activation.</summary>
    public SELU() : base(Activation.Selu) { }
}
