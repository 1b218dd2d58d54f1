using System.Globalization;
using System.Text.Json.Nodes;

namespace NeuralSharp.Nn;

/// <summary>
/// RMS normalisation over the last dimension (PyTorch 2.4's <c>nn.RMSNorm</c>): y = x/√(mean(x²) + eps)·γ,
/// γ initialised to ones.
/// </summary>
public sealed class RMSNorm : Module
{
    /// <summary>Creates the layer.</summary>
    /// <param name="normalizedShape">The size of the last dimension.</param>
    /// <param name="eps">Added to the mean square.</param>
    /// <param name="elementwiseAffine">Learn γ.</param>
    public RMSNorm(int normalizedShape, float eps = 1e-6f, bool elementwiseAffine = true)
    {
        if (normalizedShape <= 0) throw new ArgumentOutOfRangeException(nameof(normalizedShape), $"RMSNorm: normalizedShape must be positive, got {normalizedShape}.");
        NormalizedShape = normalizedShape;
        Eps = eps;
        if (elementwiseAffine) Weight = RegisterParameter("weight", Tensor.Ones(normalizedShape));
    }

    /// <summary>The normalised dimension's size.</summary>
    public int NormalizedShape { get; }

    /// <summary>Mean-square epsilon.</summary>
    public float Eps { get; }

    /// <summary>γ, or null without affine.</summary>
    public Tensor? Weight { get; }

    /// <inheritdoc/>
    public override Tensor Forward(Tensor input) => Functional.RmsNorm(input, Weight, Eps);

    /// <inheritdoc/>
    public override JsonObject ToConfig() => new() { ["type"] = "RMSNorm", ["normalized_shape"] = NormalizedShape, ["eps"] = Eps, ["elementwise_affine"] = Weight != null };

    /// <inheritdoc/>
    protected override string ExtraRepr() => $"({NormalizedShape},), eps={Eps.ToString(CultureInfo.InvariantCulture)}";
}
