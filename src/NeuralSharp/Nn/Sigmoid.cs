using NeuralSharp.Kernels;

namespace NeuralSharp.Nn;

/// <summary>Logistic sigmoid: 1 / (1 + e^-x).</summary>
public sealed class Sigmoid : ActivationModule
{
    /// <summary>Creates the activation.</summary>
    public Sigmoid() : base(Activation.Sigmoid) { }
}
