using NeuralSharp.Kernels;

namespace NeuralSharp.Nn;

/// <summary>ReLU: max(x, 0).</summary>
public sealed class ReLU : ActivationModule
{
    /// <summary>Creates the activation.</summary>
    public ReLU() : base(Activation.Relu) { }
}
