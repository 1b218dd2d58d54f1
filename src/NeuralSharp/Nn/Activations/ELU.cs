using System.Text.Json.Nodes;
using NeuralSharp.Kernels;

namespace NeuralSharp.Nn;

/// <summary>
/// ELU (PyTorch's <c>nn.ELU</c>): x for x &gt; 0, alpha (e^x - 1) otherwise; no parameters. Fused into a preceding
/// <see cref="Linear"/> by <see cref="Sequential"/>.
/// </summary>
public sealed class ELU : ActivationModule
{
    /// <summary>Creates the activation.</summary>
    /// <param name="alpha">The value approached for x -&gt; -inf is -alpha (PyTorch's default 1); finite.</param>
    /// <exception cref="ArgumentOutOfRangeException">When alpha is not finite.</exception>
    public ELU(float alpha = 1f) : base(Activation.Elu, alpha)
    {
        if (!float.IsFinite(alpha)) throw new ArgumentOutOfRangeException(nameof(alpha), $"ELU: alpha must be finite, got {alpha}.");
    }

    /// <inheritdoc/>
    protected override void AddConfig(JsonObject config) => config["alpha"] = Alpha;

    /// <inheritdoc/>
    protected override string ExtraRepr() => $"alpha={F(Alpha)}";
}
