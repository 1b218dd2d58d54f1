using NeuralSharp.Kernels;

namespace NeuralSharp.Nn;

/// <summary>Hyperbolic tangent.</summary>
public sealed class Tanh : ActivationModule
{
    /// <summary>Creates the activation.</summary>
    public Tanh() : base(Activation.Tanh) { }
}
