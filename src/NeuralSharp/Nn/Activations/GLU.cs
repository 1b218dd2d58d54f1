using System.Text.Json.Nodes;

namespace NeuralSharp.Nn;

/// <summary>
/// Gated linear unit (PyTorch's <c>nn.GLU</c>): splits the input in halves a, b along <c>dim</c> and returns
/// a ⊙ sigmoid(b), so that dimension halves; no parameters.
/// </summary>
public sealed class GLU : Module
{
    /// <summary>Creates the module.</summary>
    /// <param name="dim">The dimension to split (negative counts from the end); its size must be even.</param>
    public GLU(int dim = -1) => Dimension = dim;

    /// <summary>The dimension split in halves.</summary>
    public int Dimension { get; }

    /// <inheritdoc/>
    /// <exception cref="ArgumentException">When the dimension's size is odd or it is out of range.</exception>
    public override Tensor Forward(Tensor input) => Functional.Glu(input, Dimension);

    /// <inheritdoc/>
    public override JsonObject ToConfig() => new() { ["type"] = "GLU", ["dim"] = Dimension };

    /// <inheritdoc/>
    protected override string ExtraRepr() => $"dim={Dimension}";
}
