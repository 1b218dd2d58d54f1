using System.Globalization;
using System.Text.Json.Nodes;

namespace NeuralSharp.Nn;

/// <summary>
/// The transformer feed-forward block: y = W2·dropout(act(W1·norm(x) + b1)) + b2 [+ x].
/// x [.., Dim] -> [.., OutDim]. Children (state-dict keys): <c>norm</c> (optional pre-norm), <c>w1</c>
/// (Linear Dim→Hidden), <c>act</c>, <c>dropout</c>, <c>w2</c> (Linear Hidden→OutDim). Initialisation: the
/// linears use PyTorch's default (uniform ±1/√fan_in, see <see cref="Linear"/>), norms ones/zeros.
/// </summary>
public sealed class FeedForward : Module
{
    /// <summary>Creates the block.</summary>
    /// <param name="dim">Input width (Dim), &gt; 0.</param>
    /// <param name="hidden">Hidden width, &gt; 0.</param>
    /// <param name="activation">Activation name (see <see cref="Mlp.CreateActivation"/>).</param>
    /// <param name="dropout">Dropout probability after the activation, in [0, 1).</param>
    /// <param name="norm">Optional pre-normalisation of the input.</param>
    /// <param name="residual">Add the input to the output (needs OutDim = Dim).</param>
    /// <param name="outDim">Output width; Dim when null.</param>
    /// <param name="bias">Whether the two linears learn biases.</param>
    /// <param name="random">Initialisation and dropout-mask source; <see cref="RandomSource.Global"/> when null.</param>
    /// <exception cref="ArgumentException">When a width is not positive, the dropout is outside [0, 1), the activation is unknown,
    /// or <paramref name="residual"/> is set with OutDim ≠ Dim (the exception names the argument).</exception>
    public FeedForward(int dim, int hidden, string activation = "gelu", float dropout = 0f, BlockNorm norm = BlockNorm.None,
        bool residual = false, int? outDim = null, bool bias = true, RandomSource? random = null)
    {
        if (dim <= 0) throw new ArgumentOutOfRangeException(nameof(dim), $"FeedForward: dim must be positive, got {dim}.");
        if (hidden <= 0) throw new ArgumentOutOfRangeException(nameof(hidden), $"FeedForward: hidden must be positive, got {hidden}.");
        if (outDim is <= 0) throw new ArgumentOutOfRangeException(nameof(outDim), $"FeedForward: outDim must be positive, got {outDim}.");
        if (!(dropout >= 0f && dropout < 1f)) throw new ArgumentOutOfRangeException(nameof(dropout), $"FeedForward: dropout must be in [0, 1), got {dropout}.");
        if (residual && outDim is int o && o != dim)
            throw new ArgumentException($"FeedForward: residual needs outDim = dim ({dim}), got {o}.", nameof(residual));
        random ??= RandomSource.Global;
        Dim = dim;
        Hidden = hidden;
        OutDim = outDim ?? dim;
        ActivationName = activation;
        DropoutP = dropout;
        NormKind = norm;
        Residual = residual;
        var act = Mlp.CreateActivation(activation);
        Norm = norm.Create(dim) is { } n ? RegisterModule("norm", n) : null;
        W1 = RegisterModule("w1", new Linear(dim, hidden, bias, random));
        Act = RegisterModule("act", act);
        Dropout = RegisterModule("dropout", new Dropout(dropout, new RandomSource(((ulong)random.NextUInt32() << 32) | random.NextUInt32())));
        W2 = RegisterModule("w2", new Linear(hidden, OutDim, bias, random));
    }

    /// <summary>Input width.</summary>
    public int Dim { get; }

    /// <summary>Hidden width.</summary>
    public int Hidden { get; }

    /// <summary>Output width.</summary>
    public int OutDim { get; }

    /// <summary>The activation's name as given.</summary>
    public string ActivationName { get; }

    /// <summary>Dropout probability.</summary>
    public float DropoutP { get; }

    /// <summary>Which pre-norm.</summary>
    public BlockNorm NormKind { get; }

    /// <summary>Whether the input is added to the output.</summary>
    public bool Residual { get; }

    /// <summary>The pre-norm, or null.</summary>
    public Module? Norm { get; }

    /// <summary>First linear (Dim → Hidden).</summary>
    public Linear W1 { get; }

    /// <summary>The activation.</summary>
    public ActivationModule Act { get; }

    /// <summary>The dropout after the activation.</summary>
    public Dropout Dropout { get; }

    /// <summary>Second linear (Hidden → OutDim).</summary>
    public Linear W2 { get; }

    /// <inheritdoc/>
    public override Tensor Forward(Tensor input)
    {
        if (input.Rank < 1 || input.Dim(-1) != Dim)
            throw new ArgumentException($"FeedForward: expected input [.., {Dim}], got {ShapeUtil.Format(input.Shape)}.", nameof(input));
        var h = Norm?.Forward(input) ?? input;
        h = W1.Forward(h, Act.Kind, Act.Alpha); // linear + activation fused into one op
        h = Dropout.Forward(h);
        var y = W2.Forward(h);
        return Residual ? Functional.Add(y, input) : y;
    }

    /// <inheritdoc/>
    public override JsonObject ToConfig() => new()
    {
        ["type"] = "FeedForward", ["dim"] = Dim, ["hidden"] = Hidden, ["out_dim"] = OutDim, ["activation"] = ActivationName,
        ["dropout"] = DropoutP, ["norm"] = NormKind.ConfigName(), ["residual"] = Residual, ["bias"] = W1.Bias != null,
    };

    /// <inheritdoc/>
    protected override string ExtraRepr() =>
        $"dim={Dim}, hidden={Hidden}, out_dim={OutDim}, dropout={DropoutP.ToString(CultureInfo.InvariantCulture)}, residual={(Residual ? "True" : "False")}";
}
