using System.Text.Json.Nodes;

namespace NeuralSharp.Nn;

/// <summary>Softmin along one dimension (PyTorch's <c>nn.Softmin</c>): softmax(-x), max-subtracted; no parameters.</summary>
public sealed class Softmin : Module
{
    /// <summary>Creates the module.</summary>
    /// <param name="dim">The dimension to normalise over (negative counts from the end).</param>
    public Softmin(int dim = -1) => Dimension = dim;

    /// <summary>The dimension normalised over.</summary>
    public int Dimension { get; }

    /// <inheritdoc/>
    public override Tensor Forward(Tensor input) => Functional.Softmin(input, Dimension);

    /// <inheritdoc/>
    public override JsonObject ToConfig() => new() { ["type"] = "Softmin", ["dim"] = Dimension };

    /// <inheritdoc/>
    protected override string ExtraRepr() => $"dim={Dimension}";
}
