using System.Text.Json.Nodes;
using NeuralSharp.Kernels;

namespace NeuralSharp.Nn;

/// <summary>
/// CELU (PyTorch's <c>nn.CELU</c>): x for x &gt; 0, alpha (e^(x/alpha) - 1) otherwise; no parameters. Fused into a
/// preceding <see cref="Linear"/> by <see cref="Sequential"/>.
/// </summary>
public sealed class CELU : ActivationModule
{
    /// <summary>Creates the activation.</summary>
    /// <param name="alpha">The scale (PyTorch's default 1); finite and non-zero.</param>
    /// <exception cref="ArgumentOutOfRangeException">When alpha is 0 or not finite.</exception>
    public CELU(float alpha = 1f) : base(Activation.Celu, alpha)
    {
        if (!float.IsFinite(alpha) || alpha == 0f)
            throw new ArgumentOutOfRangeException(nameof(alpha), $"CELU: alpha must be finite and non-zero (it divides x), got {alpha}.");
    }

    /// <inheritdoc/>
    protected override void AddConfig(JsonObject config) => config["alpha"] = Alpha;

    /// <inheritdoc/>
    protected override string ExtraRepr() => $"alpha={F(Alpha)}";
}
