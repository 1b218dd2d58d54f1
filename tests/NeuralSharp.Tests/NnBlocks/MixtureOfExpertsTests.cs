using System.Text.Json.Nodes;
using NeuralSharp.Nn;
using NeuralSharp.Tests.Autograd;

namespace NeuralSharp.Tests.NnBlocks;

public class MixtureOfExpertsTests
{
    /// <summary>An expert that records the rows it is run on (a Linear Dim → Dim underneath).</summary>
    private sealed class CountingExpert : Module
    {
        private readonly Linear _linear;

        public CountingExpert(int dim, RandomSource random) => _linear = RegisterModule("linear", new Linear(dim, dim, random: random));

        public List<float[]> Calls { get; } = [];

        public override Tensor Forward(Tensor input)
        {
            Calls.Add(input.ToArray());
            return _linear.Forward(input);
        }

        public override JsonObject ToConfig() => throw new NotSupportedException();
    }

    private static MixtureOfExperts Make(int numExperts, int topK, float? capacity, bool renormalize = true, float temperature = 1f, ulong seed = 1)
    {
        var moe = new MixtureOfExperts(4, 6, numExperts, topK, capacity, temperature, "tanh", renormalize, auxLossWeight: 0.01f, random: new RandomSource(seed));
        BlockTestUtil.Randomize(moe, seed + 10);
        return moe;
    }

    [Fact]
    public void StateDictKeysFollowPyTorchNames()
    {
        var moe = new MixtureOfExperts(4, 6, 3, 1, random: new RandomSource(1));
        var keys = moe.NamedParameters().Select(p => p.Key).ToArray();
        Assert.Equal("router.weight", keys[0]);
        Assert.Equal(["experts.0.w1.weight", "experts.0.w1.bias", "experts.0.w2.weight", "experts.0.w2.bias"], keys[1..5]);
        Assert.Contains("experts.2.w2.bias", keys);
        Assert.Equal(4 * 3 + 3 * (4 * 6 + 6 + 6 * 4 + 4), moe.ParameterCount());
    }

    /// <summary>
    /// The reference: every expert runs on every token and its output is weighted by a dense gate matrix,
    /// G = renorm(softmax(x·Rᵀ/T) ⊙ topk-mask) ⊙ kept-mask, built from plain tensor ops.
    /// </summary>
    private static Tensor DenseReference(MixtureOfExperts moe, Tensor x)
    {
        int n = x.Dim(0), e = moe.NumExperts, k = moe.TopK;
        var probs = Functional.Softmax(Functional.Linear(x, moe.Router.Weight), -1, moe.Temperature);
        var selected = Tensor.Zeros(n, e);
        var kept = Tensor.Zeros(n, e);
        var load = new int[e];
        int capacity = moe.CapacityFactor is float cf ? (int)Math.Ceiling(cf * n * k / e) : n;
        var ranking = new int[n][];
        for (int t = 0; t < n; t++)
            ranking[t] = Enumerable.Range(0, e).OrderByDescending(j => probs.Data[t * e + j]).ThenBy(j => j).Take(k).ToArray();
        for (int s = 0; s < k; s++)
            for (int t = 0; t < n; t++)
            {
                int j = ranking[t][s];
                selected.Data[t * e + j] = 1f;
                if (load[j] < capacity) { load[j]++; kept.Data[t * e + j] = 1f; }
            }
        var gates = Functional.Mul(probs, selected);
        if (moe.Renormalize) gates = Functional.Div(gates, Functional.Sum(gates, 1, keepDim: true));
        gates = Functional.Mul(gates, kept);
        Tensor? y = null;
        for (int j = 0; j < e; j++)
        {
            var term = Functional.Mul(moe.Experts[j].Forward(x), BlockTestUtil.Column(gates, j));
            y = y == null ? term : Functional.Add(y, term);
        }
        return y!;
    }

    [Theory]
    [InlineData(8, 2, null, true)]
    [InlineData(8, 2, 1.0f, true)]   // capacity 4 of 16·2/8·1: some assignments are dropped
    [InlineData(4, 1, 0.5f, false)]  // Switch: top-1 with the raw probability, tight capacity
    [InlineData(3, 3, null, true)]
    public void ForwardAndBackwardMatchTheDenseMaskedComputation(int experts, int k, float? capacity, bool renormalize)
    {
        var moe = Make(experts, k, capacity, renormalize, temperature: 0.7f);
        var x = GradCheck.Random(3, 16, 4).RequireGrad();
        var dy = GradCheck.Random(4, 16, 4);
        var y = moe.Forward(x);
        y.Backward(dy);
        var grads = moe.Parameters().Select(p => p.Grad?.ToArray() ?? new float[p.Size]).ToList();
        var gx = x.Grad!.ToArray();
        if (capacity == 1.0f) Assert.True(moe.LastDroppedAssignments > 0, "the case should drop assignments");
        Assert.Equal(16 * k - moe.LastDroppedAssignments, moe.LastExpertTokenCounts.Sum());

        moe.ZeroGrad();
        x.ZeroGrad();
        var reference = DenseReference(moe, x);
        BlockTestUtil.AssertClose(reference.Data, y.Data, "y", 1e-5f, 1e-6f);
        reference.Backward(dy);
        BlockTestUtil.AssertClose(x.Grad!.Data, gx, "grad x", 1e-4f, 1e-6f);
        var parameters = moe.Parameters().ToList();
        for (int i = 0; i < parameters.Count; i++)
            BlockTestUtil.AssertClose(parameters[i].Grad?.ToArray() ?? new float[parameters[i].Size], grads[i], "grad " + i, 1e-4f, 1e-6f);
    }

    [Theory]
    [InlineData(4, 4, true)]   // all experts: the output does not depend on the order of selection
    [InlineData(4, 2, true)]
    [InlineData(4, 1, false)]
    public void GradCheckWithoutCapacityLimit(int experts, int k, bool renormalize)
    {
        var moe = Make(experts, k, null, renormalize, seed: 2);
        foreach (ref float w in moe.Router.Weight.Data) w *= 3f; // clear routing decisions
        var x = GradCheck.Random(5, 6, 4);
        // Routing must not change under the ±1e-2 perturbation: check the gap between the k-th and (k+1)-th probability.
        if (k < experts)
        {
            using var _ = GradMode.NoGrad();
            var p = Functional.Softmax(moe.Router.Forward(x), -1);
            for (int t = 0; t < 6; t++)
            {
                var sorted = p.Data.Slice(t * experts, experts).ToArray().OrderDescending().ToArray();
                Assert.True(sorted[k - 1] - sorted[k] > 0.02f, $"token {t}: near tie, pick another seed");
            }
        }
        using (GradMode.NoGrad()) moe.Forward(x);
        // Experts that receive no token get no gradient at all; check the router and the experts in use.
        var used = Enumerable.Range(0, experts).Where(e => moe.LastExpertTokenCounts[e] > 0).SelectMany(e => moe.Experts[e].Parameters());
        Assert.True(used.Count() >= 8, "at least two experts in use");
        GradCheck.Check(t => moe.Forward(t[0]), [x, moe.Router.Weight, .. used], atol: 3e-3f);
    }

    [Fact]
    public void AuxiliaryLossIsTheSwitchFormulaAndDifferentiableThroughP()
    {
        var moe = Make(4, 2, null, seed: 3);
        var x = GradCheck.Random(6, 10, 4);
        moe.Forward(x);
        var aux = moe.AuxiliaryLoss!;
        Assert.Equal(0, aux.Rank);
        using (GradMode.NoGrad())
        {
            var p = Functional.Softmax(moe.Router.Forward(x), -1);
            var top1 = p.ArgMaxRows();
            double expected = 0;
            for (int e = 0; e < 4; e++)
            {
                double f = top1.Count(c => c == e) / 10.0, meanP = 0;
                for (int t = 0; t < 10; t++) meanP += p.Data[t * 4 + e] / 10.0;
                expected += f * meanP;
            }
            expected *= 0.01 * 4;
            Assert.Equal(expected, aux.Item(), 1e-6);
        }
        GradCheck.Check(t => { moe.Forward(t[0]); return Functional.Reshape(moe.AuxiliaryLoss!, 1); }, [x, moe.Router.Weight], atol: 1e-4f);
    }

    [Fact]
    public void TopOneOfEightRunsEachExpertOnceOnlyOnItsTokens()
    {
        var counters = new List<CountingExpert>();
        var moe = new MixtureOfExperts(4, 8, 1, (i, r) => { var c = new CountingExpert(4, r); counters.Add(c); return c; },
            capacityFactor: null, renormalize: false, random: new RandomSource(5));
        BlockTestUtil.Randomize(moe, 6, 3f);
        var x = GradCheck.Random(7, 40, 4);
        moe.Forward(x);
        int[] top1;
        using (GradMode.NoGrad()) top1 = moe.Router.Forward(x).ArgMaxRows();
        int total = 0;
        for (int e = 0; e < 8; e++)
        {
            var mine = Enumerable.Range(0, 40).Where(t => top1[t] == e).ToArray();
            Assert.True(counters[e].Calls.Count == (mine.Length > 0 ? 1 : 0), $"expert {e} ran {counters[e].Calls.Count} times");
            if (mine.Length == 0) continue;
            var rows = counters[e].Calls[0];
            Assert.Equal(mine.Length * 4, rows.Length);
            for (int m = 0; m < mine.Length; m++)
                Assert.Equal(x.Data.Slice(mine[m] * 4, 4).ToArray(), rows.AsSpan(m * 4, 4).ToArray());
            Assert.Equal(mine.Length, moe.LastExpertTokenCounts[e]);
            total += mine.Length;
        }
        Assert.Equal(40, total);
        Assert.True(counters.Count(c => c.Calls.Count == 1) >= 4, "the test should spread tokens over several experts");
    }

    [Fact]
    public void CapacityDropsOverflowingTokensInPriorityOrder()
    {
        // One expert, k = 1, capacity ceil(0.5·6·1/1) = 3: the first three tokens are served, the rest get zero.
        var moe = new MixtureOfExperts(4, 5, 1, 1, capacityFactor: 0.5f, random: new RandomSource(1));
        Assert.Equal(3, moe.Capacity(6));
        Assert.Equal(6, new MixtureOfExperts(4, 5, 1, 1, capacityFactor: null, random: new RandomSource(1)).Capacity(6));
        Assert.Equal(8, new MixtureOfExperts(4, 5, 8, 2, capacityFactor: 1.25f, random: new RandomSource(1)).Capacity(25)); // ceil(1.25·25·2/8) = ceil(7.8125)
        var x = GradCheck.Random(8, 6, 4);
        var y = moe.Forward(x);
        Assert.Equal(3, moe.LastDroppedAssignments);
        var expert = moe.Experts[0].Forward(Functional.SliceRows(x, 0, 3));
        BlockTestUtil.AssertClose(expert.Data, y.Data[..12], "served rows");
        Assert.All(y.Data[12..].ToArray(), v => Assert.Equal(0f, v));
    }

    [Fact]
    public void SaveLoadRoundTripsExactly()
    {
        BlockTestUtil.AssertRoundTrip(new MixtureOfExperts(6, 8, 4, 2, random: new RandomSource(1)), [2, 5, 6]);
        BlockTestUtil.AssertRoundTrip(new MixtureOfExperts(6, 8, 3, 1, capacityFactor: null, temperature: 0.5f, activation: "relu", renormalize: false,
            auxLossWeight: 0.1f, random: new RandomSource(1)), [7, 6]);
        BlockTestUtil.AssertRoundTrip(new MixtureOfExperts(6, 3, 2, (_, r) => new GatedFeedForward(6, 4, GluVariant.SwiGLU, random: r),
            random: new RandomSource(1)), [7, 6]);
        var keys = new MixtureOfExperts(6, 3, 2, (_, r) => new GatedFeedForward(6, 4, random: r), random: new RandomSource(1)).StateDict().Keys;
        Assert.Contains("experts.1.w3.weight", keys);
    }

    [Fact]
    public void BadConfigurationsNameTheArgument()
    {
        Assert.Equal("topK", Assert.ThrowsAny<ArgumentException>(() => new MixtureOfExperts(4, 6, 3, 4)).ParamName);
        Assert.Equal("topK", Assert.ThrowsAny<ArgumentException>(() => new MixtureOfExperts(4, 6, 3, 0)).ParamName);
        Assert.Equal("numExperts", Assert.ThrowsAny<ArgumentException>(() => new MixtureOfExperts(4, 6, 0, 1)).ParamName);
        Assert.Equal("dim", Assert.ThrowsAny<ArgumentException>(() => new MixtureOfExperts(0, 6, 2, 1)).ParamName);
        Assert.Equal("hidden", Assert.ThrowsAny<ArgumentException>(() => new MixtureOfExperts(4, 0, 2, 1)).ParamName);
        Assert.Equal("capacityFactor", Assert.ThrowsAny<ArgumentException>(() => new MixtureOfExperts(4, 6, 2, 1, capacityFactor: 0f)).ParamName);
        Assert.Equal("temperature", Assert.ThrowsAny<ArgumentException>(() => new MixtureOfExperts(4, 6, 2, 1, temperature: 0f)).ParamName);
        Assert.Equal("auxLossWeight", Assert.ThrowsAny<ArgumentException>(() => new MixtureOfExperts(4, 6, 2, 1, auxLossWeight: -1f)).ParamName);
        var ex = Assert.ThrowsAny<ArgumentException>(() => new MixtureOfExperts(4, 6, 3, 4));
        Assert.Contains("numExperts", ex.Message);
    }
}
