using System.Text.Json.Nodes;
using NeuralSharp.Kernels;

namespace NeuralSharp.Nn;

/// <summary>
/// Fully connected layer y = x·Wᵀ + b (PyTorch's <c>nn.Linear</c>): weight [Out, In], bias [Out].
/// Initialisation as PyTorch's default: W and b uniform in ±1/√In (Kaiming-uniform with a = √5).
/// </summary>
public sealed class Linear : Module
{
    /// <summary>Creates the layer.</summary>
    /// <param name="inFeatures">Input features (In), &gt; 0.</param>
    /// <param name="outFeatures">Output features (Out), &gt; 0.</param>
    /// <param name="bias">Whether to learn an additive bias.</param>
    /// <param name="random">Source for initialisation; <see cref="RandomSource.Global"/> when null.</param>
    /// <exception cref="ArgumentOutOfRangeException">When a width is not positive.</exception>
    public Linear(int inFeatures, int outFeatures, bool bias = true, RandomSource? random = null)
    {
        if (inFeatures <= 0) throw new ArgumentOutOfRangeException(nameof(inFeatures), $"Linear: inFeatures must be positive, got {inFeatures}.");
        if (outFeatures <= 0) throw new ArgumentOutOfRangeException(nameof(outFeatures), $"Linear: outFeatures must be positive, got {outFeatures}.");
        InFeatures = inFeatures;
        OutFeatures = outFeatures;
        Weight = RegisterParameter("weight", Tensor.Empty(outFeatures, inFeatures));
        Bias = bias ? RegisterParameter("bias", Tensor.Empty(outFeatures)) : null;
        ResetParameters(random ?? RandomSource.Global);
    }

    /// <summary>Input features.</summary>
    public int InFeatures { get; }

    /// <summary>Output features.</summary>
    public int OutFeatures { get; }

    /// <summary>The weight [Out, In].</summary>
    public Tensor Weight { get; }

    /// <summary>The bias [Out], or null.</summary>
    public Tensor? Bias { get; }

    /// <summary>Re-draws W and b uniformly in ±1/√In (PyTorch's reset_parameters).</summary>
    public void ResetParameters(RandomSource random)
    {
        float bound = 1f / MathF.Sqrt(InFeatures);
        Fill(Weight.Data, random, bound);
        if (Bias != null) Fill(Bias.Data, random, bound);
    }

    private static void Fill(Span<float> data, RandomSource random, float bound)
    {
        for (int i = 0; i < data.Length; i++) data[i] = (2f * random.NextFloat() - 1f) * bound;
    }

    /// <inheritdoc/>
    public override Tensor Forward(Tensor input) => Functional.Linear(input, Weight, Bias);

    /// <summary>The layer followed by an activation, fused into one op (used by <see cref="Sequential"/>).</summary>
    public Tensor Forward(Tensor input, Activation activation, float alpha) => Functional.Linear(input, Weight, Bias, activation, alpha);

    /// <inheritdoc/>
    public override JsonObject ToConfig() => new() { ["type"] = "Linear", ["in_features"] = InFeatures, ["out_features"] = OutFeatures, ["bias"] = Bias != null };

    /// <inheritdoc/>
    protected override string ExtraRepr() => $"in_features={InFeatures}, out_features={OutFeatures}, bias={(Bias != null ? "True" : "False")}";
}
