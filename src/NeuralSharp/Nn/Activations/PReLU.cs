using System.Globalization;
using System.Text.Json.Nodes;

namespace NeuralSharp.Nn;

/// <summary>
/// PReLU (PyTorch's <c>nn.PReLU</c>): x for x &gt; 0, w[c] x otherwise, with a learned slope per channel (dimension 1 of
/// the input, the last dimension of [N, C]) or one shared slope. Parameter "weight" [num_parameters], initialised to
/// the constant <c>init</c> (0.25 by default, as PyTorch).
/// </summary>
public sealed class PReLU : Module
{
    /// <summary>Creates the layer.</summary>
    /// <param name="numParameters">1 (one shared slope) or the number of input channels; &gt; 0.</param>
    /// <param name="init">Initial value of every slope; finite.</param>
    /// <exception cref="ArgumentOutOfRangeException">When numParameters is not positive or init is not finite.</exception>
    public PReLU(int numParameters = 1, float init = 0.25f)
    {
        if (numParameters <= 0)
            throw new ArgumentOutOfRangeException(nameof(numParameters), $"PReLU: numParameters must be positive (1 or the channel count), got {numParameters}.");
        if (!float.IsFinite(init)) throw new ArgumentOutOfRangeException(nameof(init), $"PReLU: init must be finite, got {init}.");
        NumParameters = numParameters;
        Init = init;
        Weight = RegisterParameter("weight", Tensor.Full(init, numParameters));
    }

    /// <summary>The number of slopes.</summary>
    public int NumParameters { get; }

    /// <summary>The initial slope.</summary>
    public float Init { get; }

    /// <summary>The slopes [num_parameters].</summary>
    public Tensor Weight { get; }

    /// <summary>Sets every slope back to <see cref="Init"/> (PyTorch's reset_parameters: constant init).</summary>
    public void ResetParameters() => Weight.Data.Fill(Init);

    /// <inheritdoc/>
    /// <exception cref="ArgumentException">When num_parameters &gt; 1 and the input's dimension 1 is not num_parameters.</exception>
    public override Tensor Forward(Tensor input) => Functional.Prelu(input, Weight);

    /// <inheritdoc/>
    public override JsonObject ToConfig() => new() { ["type"] = "PReLU", ["num_parameters"] = NumParameters, ["init"] = Init };

    /// <inheritdoc/>
    protected override string ExtraRepr() => $"num_parameters={NumParameters}, init={Init.ToString("G", CultureInfo.InvariantCulture)}";
}
