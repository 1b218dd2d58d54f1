using System.Globalization;

namespace NeuralSharp.Nn;

/// <summary>
/// Builds classifiers from a block specification, the grammar of <c>neuralsharp train --block</c>:
/// <list type="bullet">
/// <item><c>mlp</c>: <see cref="Mlp.Create"/>(inputs, hidden, classes, activation, dropout) — every hidden width is used.</item>
/// <item><c>ffn[:hidden=N]</c>: <see cref="FeedForward"/>(width, N, activation); N defaults to 4·width.</item>
/// <item><c>swiglu|geglu|reglu|glu[:hidden=N]</c>: <see cref="GatedFeedForward"/>(width, N, variant), no biases; N defaults to
/// round(8/3·width) (the same parameters as an ffn of 4·width up to biases).</item>
/// <item><c>moe:E:K[:hidden=N][:capacity=F|none]</c>: <see cref="MixtureOfExperts"/> of E <see cref="FeedForward"/>(width, N, activation)
/// experts, top-K routing; N defaults to width; capacity defaults to none (no token is dropped: without a residual around the
/// block a dropped token would lose all its features).</item>
/// <item><c>fff:depth=D[:leaf=N]</c>: <see cref="FastFeedForward"/>(width, D, N, activation); N defaults to max(1, width / 2^D)
/// (all leaves together have width neurons).</item>
/// </list>
/// For every spec but <c>mlp</c> the model is <c>Linear(inputs, width) → block → [Dropout] → Linear(width, classes)</c>
/// with width = hidden[0]; several blocks may be given comma-separated (<c>swiglu,moe:4:1</c>) and run in order.
/// Names and keys are case-insensitive. Initialisation: each layer's own (PyTorch's Linear default).
/// </summary>
public static class ModelBuilder
{
    /// <summary>The accepted block grammar, for help texts and error messages.</summary>
    public const string BlockGrammar =
        "mlp | ffn[:hidden=N] | swiglu|geglu|reglu|glu[:hidden=N] | moe:E:K[:hidden=N][:capacity=F|none] | fff:depth=D[:leaf=N] (several blocks comma-separated)";

    /// <summary>Creates a classifier [B, inputs] → logits [B, classes] for <paramref name="block"/> (see the type's remarks).</summary>
    /// <param name="inputs">Input features, &gt; 0.</param>
    /// <param name="hidden">Hidden widths: all of them for <c>mlp</c>; otherwise hidden[0] is the block width (required).</param>
    /// <param name="classes">Number of classes, &gt; 0.</param>
    /// <param name="block">The block specification.</param>
    /// <param name="activation">The activation of the mlp, of ffn blocks, of MoE experts and of FFF leaves.</param>
    /// <param name="dropout">Dropout after each mlp hidden activation, or after the last block.</param>
    /// <param name="random">Initialisation source; <see cref="RandomSource.Global"/> when null.</param>
    /// <exception cref="ArgumentException">For a malformed or unknown spec (the message names the spec and the grammar), or a bad width.</exception>
    public static Sequential CreateClassifier(int inputs, IReadOnlyList<int> hidden, int classes, string block = "mlp",
        string activation = "relu", float dropout = 0f, RandomSource? random = null)
    {
        ArgumentNullException.ThrowIfNull(block);
        random ??= RandomSource.Global;
        if (block.Trim().Equals("mlp", StringComparison.OrdinalIgnoreCase))
            return Mlp.Create(inputs, hidden, classes, activation, dropout, random);
        if (inputs <= 0) throw new ArgumentOutOfRangeException(nameof(inputs), $"ModelBuilder: inputs must be positive, got {inputs}.");
        if (classes <= 0) throw new ArgumentOutOfRangeException(nameof(classes), $"ModelBuilder: classes must be positive, got {classes}.");
        if (hidden.Count == 0 || hidden[0] <= 0)
            throw new ArgumentException($"ModelBuilder: block '{block}' needs a positive width (the first hidden width), got none.", nameof(hidden));
        if (!(dropout >= 0f && dropout < 1f)) throw new ArgumentOutOfRangeException(nameof(dropout), $"ModelBuilder: dropout must be in [0, 1), got {dropout}.");
        Mlp.CreateActivation(activation);
        int width = hidden[0];
        var specs = block.Split(',', StringSplitOptions.TrimEntries);
        var model = new Sequential();
        model.Add(new Linear(inputs, width, random: random));
        foreach (var spec in specs) model.Add(CreateBlock(spec, width, activation, random));
        if (dropout > 0f) model.Add(new Dropout(dropout, new RandomSource(((ulong)random.NextUInt32() << 32) | random.NextUInt32())));
        model.Add(new Linear(width, classes, random: random));
        return model;
    }

    /// <summary>Creates one block [.., width] → [.., width] from a single spec (not <c>mlp</c>).</summary>
    /// <param name="spec">One block specification, e.g. <c>swiglu:hidden=64</c>, <c>moe:8:2</c>, <c>fff:depth=6</c>.</param>
    /// <param name="width">The block's input and output width, &gt; 0.</param>
    /// <param name="activation">The activation of ffn blocks, MoE experts and FFF leaves.</param>
    /// <param name="random">Initialisation source; <see cref="RandomSource.Global"/> when null.</param>
    /// <exception cref="ArgumentException">For a malformed or unknown spec: the message names the spec and <see cref="BlockGrammar"/>.</exception>
    public static Module CreateBlock(string spec, int width, string activation = "gelu", RandomSource? random = null)
    {
        ArgumentNullException.ThrowIfNull(spec);
        if (width <= 0) throw new ArgumentOutOfRangeException(nameof(width), $"ModelBuilder: width must be positive, got {width}.");
        random ??= RandomSource.Global;
        var parts = spec.Trim().ToLowerInvariant().Split(':', StringSplitOptions.TrimEntries);
        try
        {
            switch (parts[0])
            {
                case "ffn":
                {
                    var o = Options(parts, 1, spec, "hidden");
                    return new FeedForward(width, PositiveInt(o, "hidden", spec) ?? 4 * width, activation, random: random);
                }
                case "swiglu" or "geglu" or "reglu" or "glu":
                {
                    var o = Options(parts, 1, spec, "hidden");
                    var variant = parts[0] switch { "swiglu" => GluVariant.SwiGLU, "geglu" => GluVariant.GeGLU, "reglu" => GluVariant.ReGLU, _ => GluVariant.GLU };
                    int h = PositiveInt(o, "hidden", spec) ?? Math.Max(1, (int)Math.Round(8.0 * width / 3.0));
                    return new GatedFeedForward(width, h, variant, random: random);
                }
                case "moe":
                {
                    if (parts.Length < 3) throw Malformed(spec, "moe needs the number of experts and top-k, e.g. moe:8:2");
                    int e = ParsePositive(parts[1], spec, "the number of experts E");
                    int k = ParsePositive(parts[2], spec, "top-k K");
                    var o = Options(parts, 3, spec, "hidden", "capacity");
                    int h = PositiveInt(o, "hidden", spec) ?? width;
                    float? capacity = null;
                    if (o.TryGetValue("capacity", out var c) && c != "none")
                        capacity = float.TryParse(c, NumberStyles.Float, CultureInfo.InvariantCulture, out float f) && f > 0f && float.IsFinite(f)
                            ? f : throw Malformed(spec, $"capacity must be a positive number or none, got '{c}'");
                    return new MixtureOfExperts(width, h, e, k, capacity, activation: activation, random: random);
                }
                case "fff":
                {
                    var o = Options(parts, 1, spec, "depth", "leaf");
                    int depth = PositiveInt(o, "depth", spec) ?? throw Malformed(spec, "fff needs depth=D, e.g. fff:depth=6");
                    int leaf = PositiveInt(o, "leaf", spec) ?? Math.Max(1, depth >= 31 ? 1 : width >> depth);
                    return new FastFeedForward(width, depth, leaf, activation: activation, random: random);
                }
                case "mlp":
                    throw Malformed(spec, "mlp cannot be combined with other blocks");
                default:
                    throw Malformed(spec, $"unknown block '{parts[0]}'");
            }
        }
        catch (ArgumentException ex) when (ex is not BlockSpecException)
        {
            // A constructor's own check (e.g. top-k > experts): keep its reason, add the spec and the grammar.
            throw new ArgumentException($"block spec '{spec}': {ex.Message} Expected {BlockGrammar}.", ex);
        }
    }

    private static Dictionary<string, string> Options(string[] parts, int start, string spec, params string[] allowed)
    {
        var options = new Dictionary<string, string>();
        for (int i = start; i < parts.Length; i++)
        {
            int eq = parts[i].IndexOf('=');
            if (eq <= 0) throw Malformed(spec, $"'{parts[i]}' is not key=value");
            string key = parts[i][..eq].Trim(), value = parts[i][(eq + 1)..].Trim();
            if (Array.IndexOf(allowed, key) < 0) throw Malformed(spec, $"unknown option '{key}' (allowed: {string.Join(", ", allowed)})");
            if (!options.TryAdd(key, value)) throw Malformed(spec, $"option '{key}' given twice");
        }
        return options;
    }

    private static int? PositiveInt(Dictionary<string, string> options, string key, string spec) =>
        options.TryGetValue(key, out var v) ? ParsePositive(v, spec, key) : null;

    private static int ParsePositive(string text, string spec, string what) =>
        int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out int n) && n > 0
            ? n : throw Malformed(spec, $"{what} must be a positive integer, got '{text}'");

    private static BlockSpecException Malformed(string spec, string why) => new($"block spec '{spec}': {why}. Expected {BlockGrammar}.");
}

/// <summary>A malformed block spec (already names the spec and the grammar).</summary>
internal sealed class BlockSpecException(string message) : ArgumentException(message);
