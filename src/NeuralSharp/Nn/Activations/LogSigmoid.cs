using NeuralSharp.Kernels;

namespace NeuralSharp.Nn;

/// <summary>Log-sigmoid: ln sigmoid(x) = -softplus(-x), computed stably (PyTorch's <c>nn.LogSigmoid</c>; no parameters). Fused into a preceding <see cref="Linear"/> by <see cref="Sequential"/>.</summary>
public sealed class LogSigmoid : ActivationModule
{
    /// <summary>Creates the activation.</summary>
    public LogSigmoid() : base(Activation.LogSigmoid) { }
}
