using System.Globalization;
using System.Text.Json.Nodes;

namespace NeuralSharp.Nn;

/// <summary>
/// Softmax of x / T along one dimension: T &gt; 1 flattens the distribution, T &lt; 1 sharpens it (distillation,
/// calibration, sampling); no parameters. PyTorch has no module for it: it equals <c>nn.Softmax(dim)(x / T)</c>.
/// </summary>
public sealed class SoftmaxWithTemperature : Module
{
    /// <summary>Creates the module.</summary>
    /// <param name="dim">The dimension to normalise over (negative counts from the end).</param>
    /// <param name="temperature">T, positive and finite.</param>
    /// <exception cref="ArgumentOutOfRangeException">When the temperature is not positive and finite.</exception>
    public SoftmaxWithTemperature(int dim = -1, float temperature = 1f)
    {
        if (!(temperature > 0f) || float.IsInfinity(temperature))
            throw new ArgumentOutOfRangeException(nameof(temperature), $"SoftmaxWithTemperature: temperature must be positive and finite, got {temperature}.");
        Dimension = dim;
        Temperature = temperature;
    }

    /// <summary>The dimension normalised over.</summary>
    public int Dimension { get; }

    /// <summary>The temperature T.</summary>
    public float Temperature { get; }

    /// <inheritdoc/>
    public override Tensor Forward(Tensor input) => Functional.Softmax(input, Dimension, Temperature);

    /// <inheritdoc/>
    public override JsonObject ToConfig() => new() { ["type"] = "SoftmaxWithTemperature", ["dim"] = Dimension, ["temperature"] = Temperature };

    /// <inheritdoc/>
    protected override string ExtraRepr() => $"dim={Dimension}, temperature={Temperature.ToString("G", CultureInfo.InvariantCulture)}";
}
