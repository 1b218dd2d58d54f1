using System.Globalization;
using System.Text.Json.Nodes;

namespace NeuralSharp.Nn;

/// <summary>
/// Inverted dropout: in training zeroes each element with probability p and scales the rest by 1/(1-p);
/// the identity in evaluation mode. Its own <see cref="RandomSource"/> makes masks reproducible.
/// </summary>
public sealed class Dropout : Module
{
    /// <summary>Creates the module.</summary>
    /// <param name="p">Drop probability in [0, 1).</param>
    /// <param name="random">Mask source; when null, one seeded from <see cref="RandomSource.Global"/>.</param>
    /// <exception cref="ArgumentOutOfRangeException">When p is outside [0, 1).</exception>
    public Dropout(float p = 0.5f, RandomSource? random = null)
    {
        if (!(p >= 0f && p < 1f)) throw new ArgumentOutOfRangeException(nameof(p), $"Dropout: p must be in [0, 1), got {p}.");
        P = p;
        Random = random ?? new RandomSource(((ulong)RandomSource.Global.NextUInt32() << 32) | RandomSource.Global.NextUInt32());
    }

    /// <summary>Drop probability.</summary>
    public float P { get; }

    /// <summary>The mask generator (its state belongs in checkpoints).</summary>
    public RandomSource Random { get; }

    /// <inheritdoc/>
    public override Tensor Forward(Tensor input) => Functional.Dropout(input, P, Training, Random);

    /// <inheritdoc/>
    public override JsonObject ToConfig() => new() { ["type"] = "Dropout", ["p"] = P };

    /// <inheritdoc/>
    protected override string ExtraRepr() => "p=" + P.ToString(CultureInfo.InvariantCulture);
}
