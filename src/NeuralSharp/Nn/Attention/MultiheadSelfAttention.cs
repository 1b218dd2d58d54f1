using System.Globalization;
using System.Text.Json.Nodes;

namespace NeuralSharp.Nn;

/// <summary>
/// Multi-head self-attention with PyTorch's <c>nn.MultiheadAttention</c> parameter layout (batch_first = true, one input
/// used as query, key and value): q, k, v = x·W_qᵀ + b_q, x·W_kᵀ + b_k, x·W_vᵀ + b_v with [W_q; W_k; W_v] = in_proj_weight;
/// each is split into H heads of width E/H; per head softmax(q·kᵀ/√(E/H) + mask)·v
/// (<see cref="Functional.ScaledDotProductAttention"/>); heads concatenated and projected by out_proj.
/// x [B, T, E] -> [B, T, E]. State-dict keys: <c>in_proj_weight</c> [3E, E], <c>in_proj_bias</c> [3E], <c>out_proj.weight</c> [E, E],
/// <c>out_proj.bias</c> [E] (the biases only with bias = true), so a PyTorch state dict loads unchanged.
/// Initialisation as PyTorch: in_proj_weight Xavier-uniform, in_proj_bias and out_proj.bias zeros, out_proj.weight
/// nn.Linear's default (uniform ±1/√E).
/// </summary>
public sealed class MultiheadSelfAttention : Module
{
    /// <summary>Creates the layer.</summary>
    /// <param name="embedDim">Model width E, &gt; 0 and divisible by <paramref name="numHeads"/>.</param>
    /// <param name="numHeads">Number of heads H, &gt; 0.</param>
    /// <param name="bias">Whether the input and output projections learn biases.</param>
    /// <param name="dropout">Dropout probability on the attention weights (training only), in [0, 1).</param>
    /// <param name="random">Initialisation source (and the seed of the dropout masks); <see cref="RandomSource.Global"/> when null.</param>
    /// <exception cref="ArgumentOutOfRangeException">When a size is not positive or the dropout is outside [0, 1).</exception>
    /// <exception cref="ArgumentException">When embedDim is not divisible by numHeads (naming both).</exception>
    public MultiheadSelfAttention(int embedDim, int numHeads, bool bias = true, float dropout = 0f, RandomSource? random = null)
    {
        if (embedDim <= 0) throw new ArgumentOutOfRangeException(nameof(embedDim), $"MultiheadSelfAttention: embedDim must be positive, got {embedDim}.");
        if (numHeads <= 0) throw new ArgumentOutOfRangeException(nameof(numHeads), $"MultiheadSelfAttention: numHeads must be positive, got {numHeads}.");
        if (embedDim % numHeads != 0)
            throw new ArgumentException($"MultiheadSelfAttention: embedDim ({embedDim}) must be divisible by numHeads ({numHeads}).", nameof(numHeads));
        if (!(dropout >= 0f && dropout < 1f))
            throw new ArgumentOutOfRangeException(nameof(dropout), $"MultiheadSelfAttention: dropout must be in [0, 1), got {dropout}.");
        random ??= RandomSource.Global;
        EmbedDim = embedDim;
        NumHeads = numHeads;
        DropoutP = dropout;
        InProjWeight = RegisterParameter("in_proj_weight", Tensor.Empty(3 * embedDim, embedDim));
        InProjBias = bias ? RegisterParameter("in_proj_bias", Tensor.Zeros(3 * embedDim)) : null;
        OutProj = RegisterModule("out_proj", new Linear(embedDim, embedDim, bias, random));
        Init.XavierUniform(InProjWeight, random);
        if (OutProj.Bias != null) Init.Zeros(OutProj.Bias);
        DropoutRandom = new RandomSource(((ulong)random.NextUInt32() << 32) | random.NextUInt32());
    }

    /// <summary>Model width E.</summary>
    public int EmbedDim { get; }

    /// <summary>Number of heads H.</summary>
    public int NumHeads { get; }

    /// <summary>Width of one head, E/H.</summary>
    public int HeadDim => EmbedDim / NumHeads;

    /// <summary>Dropout probability on the attention weights.</summary>
    public float DropoutP { get; }

    /// <summary>The stacked query, key and value projections [3E, E].</summary>
    public Tensor InProjWeight { get; }

    /// <summary>The stacked projection biases [3E], or null.</summary>
    public Tensor? InProjBias { get; }

    /// <summary>The output projection (E → E).</summary>
    public Linear OutProj { get; }

    /// <summary>The attention-dropout mask source.</summary>
    public RandomSource DropoutRandom { get; }

    /// <inheritdoc/>
    public override Tensor Forward(Tensor input) => Forward(input, null, false);

    /// <summary>Self-attention over x [B, T, E] -> [B, T, E].</summary>
    /// <param name="x">The input [B, T, E].</param>
    /// <param name="keyPaddingMask">Optional [B, T]: 1 = real token, 0 = padding (never attended to). Note: PyTorch's
    /// key_padding_mask is the opposite (True = padding).</param>
    /// <param name="causal">Each position attends only to itself and earlier positions.</param>
    /// <exception cref="ArgumentException">When x is not [B, T, E] or the mask is not [B, T] of zeros and ones (naming the argument and the shapes).</exception>
    public Tensor Forward(Tensor x, Tensor? keyPaddingMask, bool causal = false)
    {
        if (x.Rank != 3 || x.Dim(2) != EmbedDim)
            throw new ArgumentException($"MultiheadSelfAttention: expected x [B, T, {EmbedDim}], got {ShapeUtil.Format(x.Shape)}.", nameof(x));
        int b = x.Dim(0), t = x.Dim(1), e = EmbedDim;
        if (keyPaddingMask != null && (keyPaddingMask.Rank != 2 || keyPaddingMask.Dim(0) != b || keyPaddingMask.Dim(1) != t))
            throw new ArgumentException($"MultiheadSelfAttention: keyPaddingMask must be [B, T] = {ShapeUtil.Format([b, t])} for x {ShapeUtil.Format(x.Shape)}, got {ShapeUtil.Format(keyPaddingMask.Shape)}.", nameof(keyPaddingMask));
        var q = Heads(Project(x, 0), b, t);
        var k = Heads(Project(x, 1), b, t);
        var v = Heads(Project(x, 2), b, t);
        var o = Functional.ScaledDotProductAttention(q, k, v, keyPaddingMask, causal, Training ? DropoutP : 0f, DropoutRandom); // [B, H, T, Dh]
        o = Functional.Reshape(Functional.Transpose(o, 1, 2), b, t, e);
        return OutProj.Forward(o);
    }

    // x·W_iᵀ + b_i with W_i, b_i views of rows [iE, (i+1)E) of the stacked projections (gradients flow into those rows).
    private Tensor Project(Tensor x, int i) => Functional.Linear(x, Functional.SliceRows(InProjWeight, i * EmbedDim, EmbedDim),
        InProjBias is null ? null : Functional.SliceRows(InProjBias, i * EmbedDim, EmbedDim));

    // [B, T, E] -> [B, H, T, Dh].
    private Tensor Heads(Tensor y, int b, int t) => Functional.Transpose(Functional.Reshape(y, b, t, NumHeads, HeadDim), 1, 2);

    /// <inheritdoc/>
    public override JsonObject ToConfig() => new()
    {
        ["type"] = "MultiheadSelfAttention", ["embed_dim"] = EmbedDim, ["num_heads"] = NumHeads, ["bias"] = InProjBias != null, ["dropout"] = DropoutP,
    };

    /// <inheritdoc/>
    protected override string ExtraRepr() =>
        string.Create(CultureInfo.InvariantCulture, $"embed_dim={EmbedDim}, num_heads={NumHeads}, dropout={DropoutP}, bias={(InProjBias != null ? "True" : "False")}");
}
