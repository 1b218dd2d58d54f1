using System.Globalization;
using System.Text.Json.Nodes;

namespace NeuralSharp.Nn;

/// <summary>
/// Pre-norm transformer encoder block: h = x + dropout(Attn(Norm1(x))); y = h + dropout(FFN(Norm2(h))).
/// x [B, T, Dim] -> [B, T, Dim]. Children (state-dict keys): <c>norm1</c>, <c>attn</c> (<see cref="MultiheadSelfAttention"/>:
/// in_proj_weight, in_proj_bias, out_proj.*), <c>norm2</c>, <c>ffn</c> (<see cref="FeedForward"/> w1/w2 or SwiGLU
/// <see cref="GatedFeedForward"/> w1/w2/w3), plus the parameterless <c>dropout1</c>, <c>dropout2</c>.
/// The dropout probability applies to the attention weights, to both residual branches and inside the plain FFN (after
/// its activation), as PyTorch's nn.TransformerEncoderLayer(norm_first=True). Initialisation: each child's own
/// (attention as PyTorch's MultiheadAttention, linears uniform ±1/√fan_in, norms ones/zeros).
/// </summary>
public sealed class TransformerEncoderBlock : Module
{
    /// <summary>Creates the block.</summary>
    /// <param name="dim">Model width, &gt; 0 and divisible by <paramref name="numHeads"/>.</param>
    /// <param name="numHeads">Attention heads, &gt; 0.</param>
    /// <param name="ffnHidden">Hidden width of the feed-forward sub-layer, &gt; 0.</param>
    /// <param name="ffn">Plain feed-forward (with biases) or SwiGLU (without).</param>
    /// <param name="norm">LayerNorm (eps 1e-5) or RMSNorm (eps 1e-6); None is rejected (a pre-norm block needs a norm).</param>
    /// <param name="dropout">Dropout probability in [0, 1) (see the class remarks).</param>
    /// <param name="activation">The plain feed-forward's activation (see <see cref="Mlp.CreateActivation"/>); unused by SwiGLU.</param>
    /// <param name="random">Initialisation and dropout source; <see cref="RandomSource.Global"/> when null.</param>
    /// <exception cref="ArgumentOutOfRangeException">When a size is not positive, the dropout is outside [0, 1), or norm/ffn is not a valid choice.</exception>
    /// <exception cref="ArgumentException">When dim is not divisible by numHeads, or the activation is unknown.</exception>
    public TransformerEncoderBlock(int dim, int numHeads, int ffnHidden, EncoderFeedForward ffn = EncoderFeedForward.FeedForward,
        BlockNorm norm = BlockNorm.LayerNorm, float dropout = 0f, string activation = "gelu", RandomSource? random = null)
    {
        if (dim <= 0) throw new ArgumentOutOfRangeException(nameof(dim), $"TransformerEncoderBlock: dim must be positive, got {dim}.");
        if (ffnHidden <= 0) throw new ArgumentOutOfRangeException(nameof(ffnHidden), $"TransformerEncoderBlock: ffnHidden must be positive, got {ffnHidden}.");
        if (norm is not (BlockNorm.LayerNorm or BlockNorm.RMSNorm))
            throw new ArgumentOutOfRangeException(nameof(norm), $"TransformerEncoderBlock: norm must be LayerNorm or RMSNorm, got {norm}.");
        if (ffn is not (EncoderFeedForward.FeedForward or EncoderFeedForward.SwiGLU))
            throw new ArgumentOutOfRangeException(nameof(ffn), $"TransformerEncoderBlock: unknown ffn {ffn}.");
        if (!(dropout >= 0f && dropout < 1f))
            throw new ArgumentOutOfRangeException(nameof(dropout), $"TransformerEncoderBlock: dropout must be in [0, 1), got {dropout}.");
        random ??= RandomSource.Global;
        Dim = dim;
        NumHeads = numHeads;
        FfnHidden = ffnHidden;
        FfnKind = ffn;
        NormKind = norm;
        DropoutP = dropout;
        ActivationName = activation;
        Norm1 = RegisterModule("norm1", norm.Create(dim)!);
        Attn = RegisterModule("attn", new MultiheadSelfAttention(dim, numHeads, bias: true, dropout, random));
        Dropout1 = RegisterModule("dropout1", new Dropout(dropout, NextRandom(random)));
        Norm2 = RegisterModule("norm2", norm.Create(dim)!);
        Ffn = ffn == EncoderFeedForward.SwiGLU
            ? RegisterModule<Module>("ffn", new GatedFeedForward(dim, ffnHidden, GluVariant.SwiGLU, bias: false, random: random))
            : RegisterModule<Module>("ffn", new FeedForward(dim, ffnHidden, activation, dropout, random: random));
        Dropout2 = RegisterModule("dropout2", new Dropout(dropout, NextRandom(random)));
    }

    private static RandomSource NextRandom(RandomSource r) => new(((ulong)r.NextUInt32() << 32) | r.NextUInt32());

    /// <summary>Model width.</summary>
    public int Dim { get; }

    /// <summary>Attention heads.</summary>
    public int NumHeads { get; }

    /// <summary>Hidden width of the feed-forward sub-layer.</summary>
    public int FfnHidden { get; }

    /// <summary>Which feed-forward sub-layer.</summary>
    public EncoderFeedForward FfnKind { get; }

    /// <summary>Which norm.</summary>
    public BlockNorm NormKind { get; }

    /// <summary>Dropout probability.</summary>
    public float DropoutP { get; }

    /// <summary>The plain feed-forward's activation name.</summary>
    public string ActivationName { get; }

    /// <summary>Norm before the attention.</summary>
    public Module Norm1 { get; }

    /// <summary>The self-attention.</summary>
    public MultiheadSelfAttention Attn { get; }

    /// <summary>Dropout on the attention branch.</summary>
    public Dropout Dropout1 { get; }

    /// <summary>Norm before the feed-forward.</summary>
    public Module Norm2 { get; }

    /// <summary>The feed-forward sub-layer.</summary>
    public Module Ffn { get; }

    /// <summary>Dropout on the feed-forward branch.</summary>
    public Dropout Dropout2 { get; }

    /// <inheritdoc/>
    public override Tensor Forward(Tensor input) => Forward(input, null, false);

    /// <summary>The block over x [B, T, Dim] -> [B, T, Dim].</summary>
    /// <param name="x">The input [B, T, Dim].</param>
    /// <param name="keyPaddingMask">Optional [B, T]: 1 = real token, 0 = padding (see <see cref="MultiheadSelfAttention.Forward(Tensor, Tensor?, bool)"/>).</param>
    /// <param name="causal">Causal self-attention.</param>
    /// <exception cref="ArgumentException">When x or the mask has the wrong shape (naming the argument and the shapes).</exception>
    public Tensor Forward(Tensor x, Tensor? keyPaddingMask, bool causal = false)
    {
        if (x.Rank != 3 || x.Dim(2) != Dim)
            throw new ArgumentException($"TransformerEncoderBlock: expected x [B, T, {Dim}], got {ShapeUtil.Format(x.Shape)}.", nameof(x));
        var h = Functional.Add(x, Dropout1.Forward(Attn.Forward(Norm1.Forward(x), keyPaddingMask, causal)));
        return Functional.Add(h, Dropout2.Forward(Ffn.Forward(Norm2.Forward(h))));
    }

    /// <inheritdoc/>
    public override JsonObject ToConfig() => new()
    {
        ["type"] = "TransformerEncoderBlock", ["dim"] = Dim, ["num_heads"] = NumHeads, ["ffn_hidden"] = FfnHidden, ["ffn"] = FfnKind.ConfigName(),
        ["norm"] = NormKind.ConfigName(), ["dropout"] = DropoutP, ["activation"] = ActivationName,
    };

    /// <inheritdoc/>
    protected override string ExtraRepr() =>
        string.Create(CultureInfo.InvariantCulture, $"dim={Dim}, num_heads={NumHeads}, ffn_hidden={FfnHidden}, ffn={FfnKind.ConfigName()}, norm={NormKind.ConfigName()}, dropout={DropoutP}");
}
