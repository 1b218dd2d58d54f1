using System.Globalization;
using System.Text.Json.Nodes;

namespace NeuralSharp.Nn;

/// <summary>
/// Sparse mixture of experts (Shazeer 2017; Switch Transformer, Fedus 2021). For each token x [Dim]:
/// p = softmax(router(x)/T) over E experts, the top-k experts are selected and
/// y = Σ_{e in top-k, kept} g_e · expert_e(x), with g the selected probabilities renormalised to sum 1
/// (<see cref="Renormalize"/>; off: the raw probabilities, as Switch's top-1 routing). x [.., Dim] -> [.., Dim].
/// <para>Tokens are grouped by expert: each expert gathers its rows, runs once over them, and the weighted rows are
/// scattered back (<see cref="Functional.IndexSelectRows"/>, <see cref="Functional.IndexAddRows(Tensor, IReadOnlyList{int[]}, IReadOnlyList{Tensor})"/>).</para>
/// <para>Capacity: each expert takes at most C = ceil(capacityFactor · N · k / E) tokens. Assignments are served in
/// priority order — every token's first choice before any second choice, tokens in batch order within a choice — and an
/// assignment beyond C is dropped: that expert contributes nothing to that token (its output lacks the term; with a
/// residual around the block the token passes through unchanged). With capacityFactor null there is no limit.</para>
/// <para>Load balancing (Switch): after each Forward, <see cref="AuxiliaryLoss"/> = α · E · Σ_e f_e · P_e, f_e the fraction of
/// tokens whose top-1 choice is e (before capacity drops), P_e the mean router probability of e; differentiable through P.
/// Add it to the training loss.</para>
/// Children (state-dict keys): <c>router</c> (Linear Dim→E, no bias; PyTorch's default init), <c>experts.{i}</c>.
/// </summary>
public sealed class MixtureOfExperts : Module, IAuxiliaryLossSource
{
    private readonly ExpertList _experts;

    /// <summary>Creates a mixture of <see cref="FeedForward"/> experts (Dim → hidden → Dim).</summary>
    /// <param name="dim">Model width, &gt; 0.</param>
    /// <param name="hidden">Each expert's hidden width, &gt; 0.</param>
    /// <param name="numExperts">E, ≥ 1.</param>
    /// <param name="topK">k, in [1, E].</param>
    /// <param name="capacityFactor">Capacity factor (&gt; 0), or null for no capacity limit.</param>
    /// <param name="temperature">Router softmax temperature (&gt; 0).</param>
    /// <param name="activation">The experts' activation name.</param>
    /// <param name="renormalize">Renormalise the k selected gates to sum 1 (false: raw probabilities).</param>
    /// <param name="auxLossWeight">α of the load-balancing loss (Switch uses 0.01).</param>
    /// <param name="random">Initialisation source; <see cref="RandomSource.Global"/> when null.</param>
    /// <exception cref="ArgumentException">For a bad setting, naming the argument.</exception>
    public MixtureOfExperts(int dim, int hidden, int numExperts, int topK, float? capacityFactor = 1.25f, float temperature = 1f,
        string activation = "gelu", bool renormalize = true, float auxLossWeight = 0.01f, RandomSource? random = null)
        : this(dim, numExperts, topK, ExpertFactory(dim, hidden, activation), capacityFactor, temperature, renormalize, auxLossWeight, random)
    {
    }

    /// <summary>Creates a mixture whose experts come from <paramref name="createExpert"/> (called with 0..E-1 after the router is made);
    /// each must map [M, Dim] to [M, Dim] and be rebuildable from its <see cref="Module.ToConfig"/>.</summary>
    /// <param name="dim">Model width, &gt; 0.</param>
    /// <param name="numExperts">E, ≥ 1.</param>
    /// <param name="topK">k, in [1, E].</param>
    /// <param name="createExpert">Builds expert i given the initialisation source.</param>
    /// <param name="capacityFactor">Capacity factor (&gt; 0), or null for no capacity limit.</param>
    /// <param name="temperature">Router softmax temperature (&gt; 0).</param>
    /// <param name="renormalize">Renormalise the k selected gates to sum 1 (false: raw probabilities).</param>
    /// <param name="auxLossWeight">α of the load-balancing loss.</param>
    /// <param name="random">Initialisation source; <see cref="RandomSource.Global"/> when null.</param>
    /// <exception cref="ArgumentException">For a bad setting, naming the argument.</exception>
    public MixtureOfExperts(int dim, int numExperts, int topK, Func<int, RandomSource, Module> createExpert, float? capacityFactor = 1.25f,
        float temperature = 1f, bool renormalize = true, float auxLossWeight = 0.01f, RandomSource? random = null)
    {
        if (dim <= 0) throw new ArgumentOutOfRangeException(nameof(dim), $"MixtureOfExperts: dim must be positive, got {dim}.");
        if (numExperts < 1) throw new ArgumentOutOfRangeException(nameof(numExperts), $"MixtureOfExperts: numExperts must be at least 1, got {numExperts}.");
        if (topK < 1) throw new ArgumentOutOfRangeException(nameof(topK), $"MixtureOfExperts: topK must be at least 1, got {topK}.");
        if (topK > numExperts) throw new ArgumentOutOfRangeException(nameof(topK), $"MixtureOfExperts: topK ({topK}) cannot exceed numExperts ({numExperts}).");
        if (capacityFactor is float cf && !(cf > 0f && float.IsFinite(cf)))
            throw new ArgumentOutOfRangeException(nameof(capacityFactor), $"MixtureOfExperts: capacityFactor must be positive and finite (or null for no limit), got {cf}.");
        if (!(temperature > 0f && float.IsFinite(temperature)))
            throw new ArgumentOutOfRangeException(nameof(temperature), $"MixtureOfExperts: temperature must be positive and finite, got {temperature}.");
        if (!float.IsFinite(auxLossWeight) || auxLossWeight < 0f)
            throw new ArgumentOutOfRangeException(nameof(auxLossWeight), $"MixtureOfExperts: auxLossWeight must be finite and non-negative, got {auxLossWeight}.");
        ArgumentNullException.ThrowIfNull(createExpert);
        random ??= RandomSource.Global;
        Dim = dim;
        NumExperts = numExperts;
        TopK = topK;
        CapacityFactor = capacityFactor;
        Temperature = temperature;
        Renormalize = renormalize;
        AuxLossWeight = auxLossWeight;
        Router = RegisterModule("router", new Linear(dim, numExperts, bias: false, random));
        var experts = new Module[numExperts];
        for (int i = 0; i < numExperts; i++) experts[i] = createExpert(i, random);
        _experts = RegisterModule("experts", new ExpertList(experts));
    }

    private static Func<int, RandomSource, Module> ExpertFactory(int dim, int hidden, string activation)
    {
        if (hidden <= 0) throw new ArgumentOutOfRangeException(nameof(hidden), $"MixtureOfExperts: hidden must be positive, got {hidden}.");
        Mlp.CreateActivation(activation); // validates the name before anything is built
        return (_, r) => new FeedForward(dim, hidden, activation, random: r);
    }

    /// <summary>Model width.</summary>
    public int Dim { get; }

    /// <summary>E, the number of experts.</summary>
    public int NumExperts { get; }

    /// <summary>k, experts per token.</summary>
    public int TopK { get; }

    /// <summary>Capacity factor, or null for no limit.</summary>
    public float? CapacityFactor { get; }

    /// <summary>Router softmax temperature.</summary>
    public float Temperature { get; }

    /// <summary>Whether the k selected gate values are renormalised to sum 1.</summary>
    public bool Renormalize { get; }

    /// <summary>α of the load-balancing loss.</summary>
    public float AuxLossWeight { get; }

    /// <summary>The router (Linear Dim → E, no bias).</summary>
    public Linear Router { get; }

    /// <summary>The experts.</summary>
    public IReadOnlyList<Module> Experts => Enumerable.Range(0, _experts.Count).Select(i => _experts[i]).ToArray();

    /// <summary>The load-balancing loss of the last Forward (a scalar; 0 for an empty batch), or null before any.</summary>
    public Tensor? AuxiliaryLoss { get; private set; }

    /// <summary>Tokens each expert ran on in the last Forward (after capacity drops).</summary>
    public int[] LastExpertTokenCounts { get; private set; } = [];

    /// <summary>Token-expert assignments dropped for capacity in the last Forward.</summary>
    public int LastDroppedAssignments { get; private set; }

    /// <summary>The per-expert capacity for a batch of <paramref name="tokens"/> tokens: ceil(capacityFactor · tokens · k / E), or tokens without a limit.</summary>
    public int Capacity(int tokens) => CapacityFactor is float cf ? (int)Math.Ceiling((double)cf * tokens * TopK / NumExperts) : tokens;

    /// <inheritdoc/>
    public override Tensor Forward(Tensor input)
    {
        var x = BlockNormExtensions.Rows(input, Dim, "MixtureOfExperts");
        int n = x.Dim(0), e = NumExperts, k = TopK;
        var probs = Functional.Softmax(Router.Forward(x), -1, Temperature);   // [N, E]
        var top = Functional.TopK(probs, k, out int[] choice);                 // [N, k], choice [N·k]
        var gates = Renormalize ? Functional.Div(top, Functional.Sum(top, 1, keepDim: true)) : top;

        // Dispatch in priority order: all first choices, then all second choices, ...
        int capacity = Capacity(n);
        var tokens = new List<int>[e];
        var slots = new List<int>[e];
        for (int i = 0; i < e; i++) { tokens[i] = []; slots[i] = []; }
        int dropped = 0;
        for (int s = 0; s < k; s++)
            for (int t = 0; t < n; t++)
            {
                int ex = choice[t * k + s];
                if (tokens[ex].Count < capacity) { tokens[ex].Add(t); slots[ex].Add(s); }
                else dropped++;
            }

        var indexLists = new List<int[]>(e);
        var outputs = new List<Tensor>(e);
        var counts = new int[e];
        for (int i = 0; i < e; i++)
        {
            counts[i] = tokens[i].Count;
            if (counts[i] == 0) continue;
            var rows = tokens[i].ToArray();
            var ye = _experts[i].Forward(Functional.IndexSelectRows(x, rows));       // one product per expert over its rows
            var g = Functional.GatherElements(gates, rows, slots[i].ToArray());   // [M]
            outputs.Add(Functional.Mul(ye, Functional.Reshape(g, rows.Length, 1)));
            indexLists.Add(rows);
        }
        var y = Functional.IndexAddRows(Tensor.Zeros(n, Dim), indexLists, outputs);

        LastExpertTokenCounts = counts;
        LastDroppedAssignments = dropped;
        AuxiliaryLoss = LoadBalancingLoss(probs, choice, n);
        return BlockNormExtensions.Unrows(y, input);
    }

    /// <summary>α · E · Σ_e f_e · P_e (f constant from the top-1 choices, P = mean of probs over tokens).</summary>
    private Tensor LoadBalancingLoss(Tensor probs, int[] choice, int n)
    {
        if (n == 0) return Tensor.Scalar(0f);
        var f = Tensor.Zeros(NumExperts);
        var fd = f.Data;
        for (int t = 0; t < n; t++) fd[choice[t * TopK]] += 1f / n;
        var meanP = Functional.Mean(probs, 0);
        return Functional.Mul(Functional.Sum(Functional.Mul(meanP, f)), AuxLossWeight * NumExperts);
    }

    /// <inheritdoc/>
    public override JsonObject ToConfig()
    {
        var config = new JsonObject
        {
            ["type"] = "MixtureOfExperts", ["dim"] = Dim, ["num_experts"] = NumExperts, ["top_k"] = TopK,
        };
        if (CapacityFactor is float cf) config["capacity_factor"] = cf;
        config["temperature"] = Temperature;
        config["renormalize"] = Renormalize;
        config["aux_loss_weight"] = AuxLossWeight;
        config["expert"] = _experts[0].ToConfig();
        return config;
    }

    /// <inheritdoc/>
    protected override string ExtraRepr() => string.Create(CultureInfo.InvariantCulture,
        $"dim={Dim}, num_experts={NumExperts}, top_k={TopK}, capacity_factor={(CapacityFactor is float cf ? cf.ToString(CultureInfo.InvariantCulture) : "None")}");
}
