using System.Text.Json.Nodes;

namespace NeuralSharp.Nn;

/// <summary>Softmax along one dimension (max-subtracted, numerically stable).</summary>
public sealed class Softmax : Module
{
    /// <summary>Creates the module.</summary>
    /// <param name="dim">The dimension to normalise over (negative counts from the end).</param>
    public Softmax(int dim = -1) => Dimension = dim;

    /// <summary>The dimension normalised over.</summary>
    public int Dimension { get; }

    /// <inheritdoc/>
    public override Tensor Forward(Tensor input) => Functional.Softmax(input, Dimension);

    /// <inheritdoc/>
    public override JsonObject ToConfig() => new() { ["type"] = "Softmax", ["dim"] = Dimension };

    /// <inheritdoc/>
    protected override string ExtraRepr() => $"dim={Dimension}";
}
