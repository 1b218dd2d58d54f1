using System.Text.Json.Nodes;
using NeuralSharp.Kernels;

namespace NeuralSharp.Nn;

/// <summary>GELU: x·Φ(x) with the exact erf form, or the tanh approximation (PyTorch's approximate='tanh').</summary>
public sealed class GELU : ActivationModule
{
    /// <summary>Creates the activation.</summary>
    /// <param name="tanhApproximation">Use 0.5x(1 + tanh(√(2/π)(x + 0.044715x³))).</param>
    public GELU(bool tanhApproximation = false) : base(tanhApproximation ? Activation.GeluTanh : Activation.GeluErf) { }

    /// <inheritdoc/>
    protected override void AddConfig(JsonObject config) => config["approximate"] = Kind == Activation.GeluTanh ? "tanh" : "none";

    /// <inheritdoc/>
    protected override string ExtraRepr() => $"approximate='{(Kind == Activation.GeluTanh ? "tanh" : "none")}'";
}
