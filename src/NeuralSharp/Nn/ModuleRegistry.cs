using System.Text.Json.Nodes;

namespace NeuralSharp.Nn;

/// <summary>
/// Rebuilds modules from the JSON written by <see cref="Module.ToConfig"/>. Built-in layers are known;
/// register factories for your own module types with <see cref="Register"/> (explicit, no reflection).
/// </summary>
public static class ModuleRegistry
{
    private static readonly Dictionary<string, Func<JsonObject, Module>> Factories = new(StringComparer.Ordinal)
    {
        ["Linear"] = c => new Linear(Int(c, "in_features"), Int(c, "out_features"), Bool(c, "bias", true)),
        ["Sequential"] = c => new Sequential(Array(c, "layers").Select(l => Create(l as JsonObject ?? throw Bad(c, "layers", "an array of objects"))).ToArray()),
        ["ReLU"] = _ => new ReLU(),
        ["LeakyReLU"] = c => new LeakyReLU(Float(c, "negative_slope", 0.01f)),
        ["Sigmoid"] = _ => new Sigmoid(),
        ["Tanh"] = _ => new Tanh(),
        ["GELU"] = c => new GELU(String(c, "approximate", "none") == "tanh"),
        ["SiLU"] = _ => new SiLU(),
        ["Softplus"] = c => new Softplus(Float(c, "beta", 1f)),
        ["Softmax"] = c => new Softmax(Int(c, "dim", -1)),
        ["LogSoftmax"] = c => new LogSoftmax(Int(c, "dim", -1)),
        ["Flatten"] = c => new Flatten(Int(c, "start_dim", 1)),
        ["Dropout"] = c => new Dropout(Float(c, "p", 0.5f)),
        ["LayerNorm"] = c => new LayerNorm(Int(c, "normalized_shape"), Float(c, "eps", 1e-5f), Bool(c, "elementwise_affine", true)),
        ["RMSNorm"] = c => new RMSNorm(Int(c, "normalized_shape"), Float(c, "eps", 1e-6f), Bool(c, "elementwise_affine", true)),
        // Normalisation and embedding layers (issue 4, layers-norm).
        ["BatchNorm1d"] = c => new BatchNorm1d(Int(c, "num_features"), Float(c, "eps", 1e-5f),
            c.ContainsKey("momentum") && c["momentum"] is null ? null : Float(c, "momentum", 0.1f),
            Bool(c, "affine", true), Bool(c, "track_running_stats", true)),
        ["Embedding"] = c => new Embedding(Int(c, "num_embeddings"), Int(c, "embedding_dim"),
            c["padding_idx"] is null ? null : Int(c, "padding_idx")),
        // Feed-forward blocks (issue 4, layers-blocks): Nn/FeedForward/.
        ["FeedForward"] = c => new FeedForward(Int(c, "dim"), Int(c, "hidden"), String(c, "activation", "gelu"), Float(c, "dropout", 0f),
            BlockNormExtensions.Parse(String(c, "norm", "none")), Bool(c, "residual", false), Int(c, "out_dim", Int(c, "dim")), Bool(c, "bias", true)),
        ["GatedFeedForward"] = c => new GatedFeedForward(Int(c, "dim"), Int(c, "hidden"), GluVariantExtensions.Parse(String(c, "variant", "SwiGLU")),
            Bool(c, "bias", false), BlockNormExtensions.Parse(String(c, "norm", "none")), Bool(c, "residual", false)),
        ["MixtureOfExperts"] = c => new MixtureOfExperts(Int(c, "dim"), Int(c, "num_experts"), Int(c, "top_k"),
            (_, _) => Create(c["expert"] as JsonObject ?? throw Bad(c, "expert", "an object")),
            c["capacity_factor"] is null ? null : Float(c, "capacity_factor", 0f), Float(c, "temperature", 1f), Bool(c, "renormalize", true),
            Float(c, "aux_loss_weight", 0.01f)),
        ["FastFeedForward"] = c => new FastFeedForward(Int(c, "dim"), Int(c, "depth"), Int(c, "leaf_hidden"), Int(c, "out_dim", Int(c, "dim")),
            String(c, "activation", "gelu")),
        // Activations (issue 4, layers-act)
        ["ReLU6"] = _ => new ReLU6(),
        ["ELU"] = c => new ELU(Float(c, "alpha", 1f)),
        ["SELU"] = _ => new SELU(),
        ["CELU"] = c => new CELU(Float(c, "alpha", 1f)),
        ["Mish"] = _ => new Mish(),
        ["Hardsigmoid"] = _ => new Hardsigmoid(),
        ["Hardswish"] = _ => new Hardswish(),
        ["Softsign"] = _ => new Softsign(),
        ["LogSigmoid"] = _ => new LogSigmoid(),
        ["PReLU"] = c => new PReLU(Int(c, "num_parameters", 1), Float(c, "init", 0.25f)),
        ["Softmin"] = c => new Softmin(Int(c, "dim", -1)),
        ["GLU"] = c => new GLU(Int(c, "dim", -1)),
        ["SoftmaxWithTemperature"] = c => new SoftmaxWithTemperature(Int(c, "dim", -1), Float(c, "temperature", 1f)),
        // Attention (issue 4, layers-attn): Nn/Attention/.
        ["MultiheadSelfAttention"] = c => new MultiheadSelfAttention(Int(c, "embed_dim"), Int(c, "num_heads"), Bool(c, "bias", true), Float(c, "dropout", 0f)),
        ["TransformerEncoderBlock"] = c => new TransformerEncoderBlock(Int(c, "dim"), Int(c, "num_heads"), Int(c, "ffn_hidden"),
            EncoderFeedForwardExtensions.Parse(String(c, "ffn", "feed_forward")), BlockNormExtensions.Parse(String(c, "norm", "layer_norm")),
            Float(c, "dropout", 0f), String(c, "activation", "gelu")),
    };

    /// <summary>Adds (or replaces) the factory for a module type name.</summary>
    public static void Register(string type, Func<JsonObject, Module> factory) => Factories[type] = factory;

    /// <summary>Builds a module from its config (parameters freshly initialised; load a state dict afterwards).</summary>
    /// <exception cref="FormatException">When the type is unknown or a field is missing or malformed.</exception>
    public static Module Create(JsonObject config)
    {
        string type = config["type"] is JsonValue v && v.TryGetValue(out string? s) ? s : throw Bad(config, "type", "a string");
        if (!Factories.TryGetValue(type, out var factory))
            throw new FormatException($"Model config: unknown module type '{type}' (known: {string.Join(", ", Factories.Keys.Order())}).");
        return factory(config);
    }

    private static FormatException Bad(JsonObject config, string field, string expected) =>
        new($"Model config: field '{field}' of {config["type"]?.ToJsonString() ?? "a module"} must be {expected}; got {config[field]?.ToJsonString() ?? "nothing"}.");

    private static int Int(JsonObject c, string field, int? fallback = null)
    {
        if (c[field] is null && fallback.HasValue) return fallback.Value;
        if (Number(c[field]) is double d && d == Math.Floor(d) && d >= int.MinValue && d <= int.MaxValue) return (int)d;
        throw Bad(c, field, "an integer");
    }

    private static float Float(JsonObject c, string field, float fallback)
    {
        if (c[field] is null) return fallback;
        return Number(c[field]) is double d ? (float)d : throw Bad(c, field, "a number");
    }

    /// <summary>
    /// A JSON number as double, whether the node was parsed from text or built in memory (where
    /// <see cref="Module.ToConfig"/> stores floats and ints, which TryGetValue&lt;double&gt; does not convert).
    /// </summary>
    private static double? Number(JsonNode? node)
    {
        if (node is not JsonValue v || v.GetValueKind() != System.Text.Json.JsonValueKind.Number) return null;
        if (v.TryGetValue(out double d)) return d;
        if (v.TryGetValue(out float f)) return f;
        if (v.TryGetValue(out int i)) return i;
        if (v.TryGetValue(out long l)) return l;
        return double.Parse(v.ToJsonString(), System.Globalization.CultureInfo.InvariantCulture);
    }

    private static bool Bool(JsonObject c, string field, bool fallback)
    {
        if (c[field] is null) return fallback;
        if (c[field] is JsonValue v && v.TryGetValue(out bool b)) return b;
        throw Bad(c, field, "true or false");
    }

    private static string String(JsonObject c, string field, string fallback)
    {
        if (c[field] is null) return fallback;
        if (c[field] is JsonValue v && v.TryGetValue(out string? s)) return s;
        throw Bad(c, field, "a string");
    }

    private static JsonArray Array(JsonObject c, string field) => c[field] as JsonArray ?? throw Bad(c, field, "an array");
}
