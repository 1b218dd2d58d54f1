using System.Text.Json.Nodes;
using NeuralSharp.Kernels;

namespace NeuralSharp.Nn;

/// <summary>Leaky ReLU: x for x &gt; 0, else negativeSlope · x.</summary>
public sealed class LeakyReLU : ActivationModule
{
    /// <summary>Creates the activation with PyTorch's default slope 0.01.</summary>
    public LeakyReLU(float negativeSlope = 0.01f) : base(Activation.LeakyRelu, negativeSlope) { }

    /// <inheritdoc/>
    protected override void AddConfig(JsonObject config) => config["negative_slope"] = Alpha;

    /// <inheritdoc/>
    protected override string ExtraRepr() => $"negative_slope={F(Alpha)}";
}
