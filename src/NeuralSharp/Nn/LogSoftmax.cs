using System.Text.Json.Nodes;

namespace NeuralSharp.Nn;

/// <summary>LogSoftmax along one dimension (max-subtracted, numerically stable).</summary>
public sealed class LogSoftmax : Module
{
    /// <summary>Creates the module.</summary>
    /// <param name="dim">The dimension to normalise over (negative counts from the end).</param>
    public LogSoftmax(int dim = -1) => Dimension = dim;

    /// <summary>The dimension normalised over.</summary>
    public int Dimension { get; }

    /// <inheritdoc/>
    public override Tensor Forward(Tensor input) => Functional.LogSoftmax(input, Dimension);

    /// <inheritdoc/>
    public override JsonObject ToConfig() => new() { ["type"] = "LogSoftmax", ["dim"] = Dimension };

    /// <inheritdoc/>
    protected override string ExtraRepr() => $"dim={Dimension}";
}
