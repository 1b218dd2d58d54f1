using System.Text.Json.Nodes;

namespace NeuralSharp.Nn;

/// <summary>Collapses dimensions from <see cref="StartDim"/> on into one (a view, no copy).</summary>
public sealed class Flatten : Module
{
    /// <summary>Creates the module; PyTorch's default keeps the batch dimension (start at 1).</summary>
    public Flatten(int startDim = 1) => StartDim = startDim;

    /// <summary>The first dimension flattened.</summary>
    public int StartDim { get; }

    /// <inheritdoc/>
    public override Tensor Forward(Tensor input) => Functional.Flatten(input, StartDim);

    /// <inheritdoc/>
    public override JsonObject ToConfig() => new() { ["type"] = "Flatten", ["start_dim"] = StartDim };

    /// <inheritdoc/>
    protected override string ExtraRepr() => $"start_dim={StartDim}";
}
