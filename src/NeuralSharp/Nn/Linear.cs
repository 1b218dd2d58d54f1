using System.Text.Json.Nodes;
using NeuralSharp.Kernels;

namespace NeuralSharp.Nn;

/// <summary>
/// Fully connected layer y = x·Wᵀ + b (PyTorch's <c>nn.Linear</c>): weight [Out, In], bias [Out].
/// Initialisation as PyTorch's default: W and b uniform in ±1/√In (Kaiming-uniform with a = √5).
/// <para>Inference cache (opt-in, <see cref="PrepareForInference()"/>): the layer keeps a copy of W packed for the
/// GEMM's micro-kernel and uses it in evaluation mode for forwards that record no graph, skipping the per-call packing
/// of W (which costs as much as the product itself for a few dozen rows, e.g. an expert's tokens in a
/// <see cref="MixtureOfExperts"/>). The weights are then treated as frozen: see <see cref="PrepareForInference()"/>.</para>
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
        lock (_packGate) _packedWeight = null; // W changed: a prepared cache is rebuilt from the new values by the next forward
    }

    private static void Fill(Span<float> data, RandomSource random, float bound)
    {
        for (int i = 0; i < data.Length; i++) data[i] = (2f * random.NextFloat() - 1f) * bound;
    }

    /// <inheritdoc/>
    public override Tensor Forward(Tensor input) => Forward(input, Activation.Identity, 0.01f);

    /// <summary>The layer followed by an activation, fused into one op (used by <see cref="Sequential"/>).</summary>
    public Tensor Forward(Tensor input, Activation activation, float alpha)
    {
        if (_inferencePrepared && input.Rank >= 1 && input.Dim(-1) == InFeatures)
        {
            if (Training || Node.ShouldRecord(input, Weight, Bias))
                ReleaseInferenceCache(); // training: the weights are about to change
            else if (GemmPackedB.Pays(ShapeUtil.Product(input.ShapeRef, 0, input.Rank - 1), OutFeatures, InFeatures))
                return Functional.LinearPacked(input, Weight, Bias, activation, alpha, PackedWeight());
        }
        return Functional.Linear(input, Weight, Bias, activation, alpha);
    }

    // The inference cache: enabled by PrepareForInference, packed lazily by the first forward that uses it, published
    // once (a forward that read it keeps using its reference; GemmPackedB is immutable and GC-managed).
    private readonly object _packGate = new();
    private volatile bool _inferencePrepared;
    private volatile GemmPackedB? _packedWeight;

    /// <summary>
    /// Enables the inference cache: from the next forward on, in evaluation mode (<see cref="Module.Eval"/>) and when no
    /// graph is recorded (<see cref="GradMode.NoGrad"/>, or nothing requires a gradient), the layer multiplies by a copy
    /// of W packed once for the GEMM (built by the first such forward where it pays, <see cref="GemmPackedB.Pays"/>: from
    /// about a dozen rows, and not for 16 outputs or fewer; other forwards use W directly). Any earlier packed copy is dropped, so calling this again after changing W
    /// refreshes the cache.
    /// </summary>
    /// <remarks>
    /// <para>Contract: after this call W must not change while the cache is enabled, or forwards may use the old values.
    /// A write to W that the layer cannot see — an optimizer step on gradients of a graph recorded earlier, <see cref="ResetParameters"/> of another layer sharing W, writes through
    /// <see cref="Tensor.Data"/> — needs another call of this method (or <see cref="ReleaseInferenceCache"/>). (Tensors
    /// carry no version counter that would reveal such writes.)</para>
    /// <para>Safety nets: a forward in training mode or one that records a graph (the weights are about to be trained)
    /// releases the cache and disables it until the next call; <see cref="ResetParameters"/> on this layer and
    /// <see cref="Module.LoadStateDict"/> refresh it (the next forward repacks the new values).</para>
    /// <para>Memory: one more copy of W (In · Out floats, Out rounded up to the GEMM's register tile). Results equal the
    /// uncached forward's up to float rounding: the packed product sums in the blocked GEMM's order, which the uncached
    /// call also uses for these shapes except its few-row path (under 41 rows with AVX-512). Concurrent forwards in
    /// evaluation mode are safe: the packed copy is built once under a lock and immutable once published.</para>
    /// </remarks>
    public void PrepareForInference()
    {
        lock (_packGate)
        {
            _packedWeight = null;
            _inferencePrepared = true;
        }
    }

    /// <inheritdoc/>
    /// <remarks>New weights: a prepared inference cache is repacked from them by the next forward that uses it.</remarks>
    protected override void OnStateLoaded()
    {
        lock (_packGate) _packedWeight = null;
    }

    /// <summary>Disables the inference cache and drops the packed copy of W (its memory is reclaimed by the GC).</summary>
    public void ReleaseInferenceCache()
    {
        lock (_packGate)
        {
            _inferencePrepared = false;
            _packedWeight = null;
        }
    }

    /// <summary>True while the inference cache is enabled (<see cref="PrepareForInference()"/>), whether or not W is packed yet.</summary>
    public bool IsPreparedForInference => _inferencePrepared;

    /// <summary>Bytes held by the packed copy of W (0 before the first forward that uses it, or when disabled).</summary>
    public long InferenceCacheBytes => _packedWeight?.SizeInBytes ?? 0;

    /// <summary>
    /// Calls <see cref="PrepareForInference()"/> on every <see cref="Linear"/> in <paramref name="model"/> (itself included),
    /// e.g. after <c>model.Eval()</c> and loading the weights. Returns how many layers it prepared.
    /// </summary>
    /// <exception cref="ArgumentNullException">When model is null.</exception>
    public static int PrepareAllForInference(Module model)
    {
        ArgumentNullException.ThrowIfNull(model);
        int count = 0;
        foreach (var linear in model.Modules().OfType<Linear>())
        {
            linear.PrepareForInference();
            count++;
        }
        return count;
    }

    /// <summary>Calls <see cref="ReleaseInferenceCache"/> on every <see cref="Linear"/> in <paramref name="model"/>.</summary>
    /// <exception cref="ArgumentNullException">When model is null.</exception>
    public static void ReleaseAllInferenceCaches(Module model)
    {
        ArgumentNullException.ThrowIfNull(model);
        foreach (var linear in model.Modules().OfType<Linear>()) linear.ReleaseInferenceCache();
    }

    private GemmPackedB PackedWeight()
    {
        var packed = _packedWeight;
        if (packed != null) return packed;
        lock (_packGate)
        {
            packed = _packedWeight;
            if (packed != null) return packed;
            packed = Gemm.PackB(transB: true, InFeatures, OutFeatures, Weight.Data, InFeatures);
            // Published only while still enabled: a concurrent Release wins and the copy is used for this call alone.
            if (_inferencePrepared) _packedWeight = packed;
            return packed;
        }
    }

    /// <inheritdoc/>
    public override JsonObject ToConfig() => new() { ["type"] = "Linear", ["in_features"] = InFeatures, ["out_features"] = OutFeatures, ["bias"] = Bias != null };

    /// <inheritdoc/>
    protected override string ExtraRepr() => $"in_features={InFeatures}, out_features={OutFeatures}, bias={(Bias != null ? "True" : "False")}";
}
