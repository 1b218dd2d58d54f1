using System.Text.Json.Nodes;

namespace NeuralSharp.Nn;

/// <summary>
/// A lookup table of learned vectors (PyTorch's <c>nn.Embedding</c>): weight [numEmbeddings, embeddingDim], output
/// [..indices' shape, embeddingDim]. Initialisation as PyTorch: weight ~ N(0, 1) (<see cref="Init.Normal"/>), the padding row
/// zeroed; the padding row receives no gradient.
/// </summary>
public sealed class Embedding : Module
{
    /// <summary>Creates the layer.</summary>
    /// <param name="numEmbeddings">Table rows, &gt; 0.</param>
    /// <param name="embeddingDim">Vector length, &gt; 0.</param>
    /// <param name="paddingIdx">A row excluded from gradients and initialised to zeros, in [-numEmbeddings, numEmbeddings)
    /// (negative values count from the end, as PyTorch), or null.</param>
    /// <param name="random">Source for initialisation; <see cref="RandomSource.Global"/> when null.</param>
    /// <exception cref="ArgumentOutOfRangeException">When a size is not positive or paddingIdx is out of range.</exception>
    public Embedding(int numEmbeddings, int embeddingDim, int? paddingIdx = null, RandomSource? random = null)
    {
        if (numEmbeddings <= 0) throw new ArgumentOutOfRangeException(nameof(numEmbeddings), $"Embedding: numEmbeddings must be positive, got {numEmbeddings}.");
        if (embeddingDim <= 0) throw new ArgumentOutOfRangeException(nameof(embeddingDim), $"Embedding: embeddingDim must be positive, got {embeddingDim}.");
        if (paddingIdx is int p)
        {
            if (p < -numEmbeddings || p >= numEmbeddings)
                throw new ArgumentOutOfRangeException(nameof(paddingIdx), $"Embedding: paddingIdx must be within [-{numEmbeddings}, {numEmbeddings}), got {p}.");
            paddingIdx = p < 0 ? p + numEmbeddings : p;
        }
        NumEmbeddings = numEmbeddings;
        EmbeddingDim = embeddingDim;
        PaddingIdx = paddingIdx;
        Weight = RegisterParameter("weight", Tensor.Empty(numEmbeddings, embeddingDim));
        ResetParameters(random ?? RandomSource.Global);
    }

    /// <summary>Table rows.</summary>
    public int NumEmbeddings { get; }

    /// <summary>Vector length.</summary>
    public int EmbeddingDim { get; }

    /// <summary>The padding row (normalised to [0, numEmbeddings)), or null.</summary>
    public int? PaddingIdx { get; }

    /// <summary>The table [numEmbeddings, embeddingDim].</summary>
    public Tensor Weight { get; }

    /// <summary>Re-draws the weight from N(0, 1) and zeroes the padding row (PyTorch's reset_parameters).</summary>
    public void ResetParameters(RandomSource random)
    {
        Init.Normal(Weight, random);
        if (PaddingIdx is int p) Weight.Data.Slice(p * EmbeddingDim, EmbeddingDim).Clear();
    }

    /// <summary>Looks up integer indices of the given shape; the output is [..shape, embeddingDim].</summary>
    /// <exception cref="ArgumentException">When an index is out of range (naming it and its position) or the shape does not match.</exception>
    public Tensor Forward(ReadOnlySpan<int> indices, params int[] shape) => Functional.Embedding(Weight, indices, shape, PaddingIdx);

    /// <summary>Looks up indices stored as floats (each must be an integer in [0, numEmbeddings)); the output is [..input's shape, embeddingDim].</summary>
    /// <exception cref="ArgumentException">When a value is not an integer in range (naming it and its position).</exception>
    public override Tensor Forward(Tensor input) => Functional.Embedding(Weight, input, PaddingIdx);

    /// <inheritdoc/>
    public override JsonObject ToConfig() => new()
    {
        ["type"] = "Embedding", ["num_embeddings"] = NumEmbeddings, ["embedding_dim"] = EmbeddingDim,
        ["padding_idx"] = PaddingIdx is int p ? JsonValue.Create(p) : null,
    };

    /// <inheritdoc/>
    protected override string ExtraRepr() => $"{NumEmbeddings}, {EmbeddingDim}" + (PaddingIdx is int p ? $", padding_idx={p}" : "");
}
