using NeuralSharp.Kernels;

namespace NeuralSharp.Nn;

/// <summary>SiLU (swish): x · sigmoid(x).</summary>
public sealed class SiLU : ActivationModule
{
    /// <summary>Creates the activation.</summary>
    public SiLU() : base(Activation.Silu) { }
}
