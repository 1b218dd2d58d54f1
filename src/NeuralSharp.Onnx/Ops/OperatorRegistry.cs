namespace NeuralSharp.Onnx.Ops;

/// <summary>
/// The operators NeuralSharp runs, by domain and name. An entry covers opset versions from its
/// <c>since</c> version up to the next entry's (ONNX's own versioning); a factory may branch on
/// <see cref="OpContext.Opset"/> for smaller differences.
/// </summary>
internal sealed class OperatorRegistry
{
    /// <summary>The ONNX default domain (<c>""</c>, also spelled <c>ai.onnx</c>).</summary>
    public const string DefaultDomain = "";

    /// <summary>NeuralSharp's own domain, for fused nodes the compiler makes.</summary>
    public const string NeuralSharpDomain = "com.neuralsharp";

    private readonly Dictionary<(string Domain, string Op), List<(int Since, OpFactory Factory)>> _ops = new();

    /// <summary>The registry with every supported operator.</summary>
    public static OperatorRegistry Default { get; } = CreateDefault();

    private static OperatorRegistry CreateDefault()
    {
        var registry = new OperatorRegistry();
        LinearOps.Register(registry);
        ElementwiseOps.Register(registry);
        ShapeOps.Register(registry);
        NnOps.Register(registry);
        return registry;
    }

    /// <summary>Adds <paramref name="op"/> from opset <paramref name="since"/> on.</summary>
    public void Add(string op, int since, OpFactory factory, string domain = DefaultDomain)
    {
        if (!_ops.TryGetValue((domain, op), out var versions))
            _ops[(domain, op)] = versions = new();
        versions.Add((since, factory));
        versions.Sort((a, b) => a.Since.CompareTo(b.Since));
    }

    /// <summary>The factory for <paramref name="op"/> at <paramref name="opset"/>, or null when unsupported.</summary>
    public OpFactory? Find(string domain, string op, int opset)
    {
        if (!_ops.TryGetValue((NormalizeDomain(domain), op), out var versions)) return null;
        OpFactory? found = null;
        foreach (var (since, factory) in versions)
            if (since <= opset) found = factory;
        return found;
    }

    /// <summary>The supported operator names of the default domain.</summary>
    public IEnumerable<string> Operators => _ops.Keys.Where(k => k.Domain == DefaultDomain).Select(k => k.Op).Order();

    /// <summary>Maps <c>ai.onnx</c> to the default domain's empty name.</summary>
    public static string NormalizeDomain(string domain) => domain == "ai.onnx" ? DefaultDomain : domain;
}
