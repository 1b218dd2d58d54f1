using NeuralSharp.Kernels;

namespace NeuralSharp.Nn;

/// <summary>ReLU6: min(max(x, 0), 6) (PyTorch's <c>nn.ReLU6</c>; no parameters). Fused into a preceding <see cref="Linear"/> by <see cref="Sequential"/>.</summary>
public sealed class ReLU6 : ActivationModule
{
    /// <summary>Creates the activation.</summary>
    public ReLU6() : base(Activation.Relu6) { }
}
