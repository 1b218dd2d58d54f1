using System.Text.Json.Nodes;
using NeuralSharp.Kernels;

namespace NeuralSharp.Nn;

/// <summary>Softplus: log(1 + e^(βx)) / β, linear where βx &gt; 20 (PyTorch's threshold).</summary>
public sealed class Softplus : ActivationModule
{
    /// <summary>Creates the activation.</summary>
    public Softplus(float beta = 1f) : base(Activation.Softplus, beta)
    {
        if (!(beta > 0f)) throw new ArgumentOutOfRangeException(nameof(beta), $"Softplus: beta must be positive, got {beta}.");
    }

    /// <inheritdoc/>
    protected override void AddConfig(JsonObject config) => config["beta"] = Alpha;

    /// <inheritdoc/>
    protected override string ExtraRepr() => $"beta={F(Alpha)}, threshold=20";
}
