using System.Globalization;
using System.Text.Json.Nodes;

namespace NeuralSharp.Nn;

/// <summary>
/// Layer normalisation over the last dimension (PyTorch's <c>nn.LayerNorm</c> with a 1-D normalized_shape):
/// y = (x - mean)/√(var + eps)·γ + β. γ is initialised to ones, β to zeros.
/// </summary>
public sealed class LayerNorm : Module
{
    /// <summary>Creates the layer.</summary>
    /// <param name="normalizedShape">The size of the last dimension.</param>
    /// <param name="eps">Added to the variance.</param>
    /// <param name="elementwiseAffine">Learn γ and β.</param>
    public LayerNorm(int normalizedShape, float eps = 1e-5f, bool elementwiseAffine = true)
    {
        if (normalizedShape <= 0) throw new ArgumentOutOfRangeException(nameof(normalizedShape), $"LayerNorm: normalizedShape must be positive, got {normalizedShape}.");
        NormalizedShape = normalizedShape;
        Eps = eps;
        if (elementwiseAffine)
        {
            Weight = RegisterParameter("weight", Tensor.Ones(normalizedShape));
            Bias = RegisterParameter("bias", Tensor.Zeros(normalizedShape));
        }
    }

    /// <summary>The normalised dimension's size.</summary>
    public int NormalizedShape { get; }

    /// <summary>Variance epsilon.</summary>
    public float Eps { get; }

    /// <summary>γ, or null without affine.</summary>
    public Tensor? Weight { get; }

    /// <summary>β, or null without affine.</summary>
    public Tensor? Bias { get; }

    /// <inheritdoc/>
    public override Tensor Forward(Tensor input) => Functional.LayerNorm(input, Weight, Bias, Eps);

    /// <inheritdoc/>
    public override JsonObject ToConfig() => new() { ["type"] = "LayerNorm", ["normalized_shape"] = NormalizedShape, ["eps"] = Eps, ["elementwise_affine"] = Weight != null };

    /// <inheritdoc/>
    protected override string ExtraRepr() => $"({NormalizedShape},), eps={Eps.ToString(CultureInfo.InvariantCulture)}, elementwise_affine={(Weight != null ? "True" : "False")}";
}
