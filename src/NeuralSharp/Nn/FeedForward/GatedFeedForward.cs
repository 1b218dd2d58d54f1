using System.Globalization;
using System.Text.Json.Nodes;

namespace NeuralSharp.Nn;

/// <summary>
/// Gated feed-forward block (Shazeer 2020): y = W2·(act(W1·norm(x)) ⊙ (W3·norm(x))) [+ x], act = sigmoid (GLU),
/// relu (ReGLU), gelu (GeGLU) or silu (SwiGLU). x [.., Dim] -> [.., Dim].
/// State-dict keys follow Meta's Llama: <c>w1</c> is the gated projection (the paper's W), <c>w3</c> the linear
/// projection (the paper's V), <c>w2</c> the output projection (the paper's W2); plus <c>norm</c> when pre-normed.
/// Hugging Face Llama names them gate_proj, up_proj and down_proj. Initialisation: PyTorch's Linear default
/// (uniform ±1/√fan_in); norms ones/zeros.
/// </summary>
public sealed class GatedFeedForward : Module
{
    /// <summary>Creates the block.</summary>
    /// <param name="dim">Model width (Dim), &gt; 0.</param>
    /// <param name="hidden">Hidden width, &gt; 0 (Llama uses about 8/3·Dim to match a plain FFN's parameters).</param>
    /// <param name="variant">The gate's activation.</param>
    /// <param name="bias">Whether the linears learn biases (false by default, as the paper and Llama).</param>
    /// <param name="norm">Optional pre-normalisation of the input.</param>
    /// <param name="residual">Add the input to the output.</param>
    /// <param name="random">Initialisation source; <see cref="RandomSource.Global"/> when null.</param>
    /// <exception cref="ArgumentOutOfRangeException">When a width is not positive (naming it).</exception>
    public GatedFeedForward(int dim, int hidden, GluVariant variant = GluVariant.SwiGLU, bool bias = false, BlockNorm norm = BlockNorm.None,
        bool residual = false, RandomSource? random = null)
    {
        if (dim <= 0) throw new ArgumentOutOfRangeException(nameof(dim), $"GatedFeedForward: dim must be positive, got {dim}.");
        if (hidden <= 0) throw new ArgumentOutOfRangeException(nameof(hidden), $"GatedFeedForward: hidden must be positive, got {hidden}.");
        variant.Activation(); // validates the enum value
        random ??= RandomSource.Global;
        Dim = dim;
        Hidden = hidden;
        Variant = variant;
        NormKind = norm;
        Residual = residual;
        Norm = norm.Create(dim) is { } n ? RegisterModule("norm", n) : null;
        W1 = RegisterModule("w1", new Linear(dim, hidden, bias, random));
        W3 = RegisterModule("w3", new Linear(dim, hidden, bias, random));
        W2 = RegisterModule("w2", new Linear(hidden, dim, bias, random));
    }

    /// <summary>Model width.</summary>
    public int Dim { get; }

    /// <summary>Hidden width.</summary>
    public int Hidden { get; }

    /// <summary>The gate's activation.</summary>
    public GluVariant Variant { get; }

    /// <summary>Which pre-norm.</summary>
    public BlockNorm NormKind { get; }

    /// <summary>Whether the input is added to the output.</summary>
    public bool Residual { get; }

    /// <summary>The pre-norm, or null.</summary>
    public Module? Norm { get; }

    /// <summary>Gated projection W (Dim → Hidden), activated.</summary>
    public Linear W1 { get; }

    /// <summary>Linear projection V (Dim → Hidden).</summary>
    public Linear W3 { get; }

    /// <summary>Output projection (Hidden → Dim).</summary>
    public Linear W2 { get; }

    /// <inheritdoc/>
    public override Tensor Forward(Tensor input)
    {
        if (input.Rank < 1 || input.Dim(-1) != Dim)
            throw new ArgumentException($"GatedFeedForward: expected input [.., {Dim}], got {ShapeUtil.Format(input.Shape)}.", nameof(input));
        var h = Norm?.Forward(input) ?? input;
        var gate = W1.Forward(h, Variant.Activation(), 0f); // linear + gate activation fused
        var y = W2.Forward(Functional.Mul(gate, W3.Forward(h)));
        return Residual ? Functional.Add(y, input) : y;
    }

    /// <inheritdoc/>
    public override JsonObject ToConfig() => new()
    {
        ["type"] = "GatedFeedForward", ["dim"] = Dim, ["hidden"] = Hidden, ["variant"] = Variant.ToString(),
        ["bias"] = W1.Bias != null, ["norm"] = NormKind.ConfigName(), ["residual"] = Residual,
    };

    /// <inheritdoc/>
    protected override string ExtraRepr() =>
        string.Create(CultureInfo.InvariantCulture, $"dim={Dim}, hidden={Hidden}, variant={Variant}, residual={(Residual ? "True" : "False")}");
}
