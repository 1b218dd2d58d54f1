using NeuralSharp.Kernels;
using NeuralSharp.Nn;
using NeuralSharp.Optim;

namespace NeuralSharp.Tests.NnBlocks;

/// <summary>
/// Linear's inference cache (a packed copy of W, <see cref="Linear.PrepareForInference()"/>): the cached forward equals
/// the uncached one, training releases it, and every refresh path (PrepareForInference again, ResetParameters) gives the
/// current weights, never stale ones; concurrent eval forwards agree.
/// </summary>
public class InferenceCacheTests
{
    private static Tensor Input(int rows, int cols, ulong seed) => Tensor.Normal(new RandomSource(seed), 0f, 1f, rows, cols);

    private static float[] EvalForward(Module m, Tensor x)
    {
        m.Eval();
        using var noGrad = GradMode.NoGrad();
        return m.Forward(x).ToArray();
    }

    private static void AssertBitEqual(float[] expected, float[] actual, string what)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
            if (BitConverter.SingleToInt32Bits(expected[i]) != BitConverter.SingleToInt32Bits(actual[i]))
                Assert.Fail($"{what}: element {i} is {actual[i]}, expected {expected[i]}");
    }

    private static void AssertClose(float[] expected, float[] actual, string what, float tol = 2e-5f)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
            Assert.True(Math.Abs(expected[i] - actual[i]) <= tol * (1 + Math.Abs(expected[i])), $"{what}: element {i} is {actual[i]}, expected {expected[i]}");
    }

    private static bool Differs(float[] a, float[] b) => a.Where((v, i) => v != b[i]).Any();

    [Theory]
    [InlineData(1), InlineData(5), InlineData(12), InlineData(13), InlineData(32), InlineData(41), InlineData(100)]
    public void CachedLinearMatchesUncached(int rows)
    {
        foreach (var (act, alpha) in new[] { (Activation.Identity, 0f), (Activation.GeluErf, 0f), (Activation.LeakyRelu, 0.1f) })
        {
            var cached = new Linear(70, 50, random: new RandomSource(3));
            var plain = new Linear(70, 50, random: new RandomSource(3));
            cached.Eval();
            plain.Eval();
            cached.PrepareForInference();
            var x = Input(rows, 70, 5);
            float[] expected, actual;
            using (GradMode.NoGrad())
            {
                expected = plain.Forward(x, act, alpha).ToArray();
                actual = cached.Forward(x, act, alpha).ToArray();
            }
            bool used = GemmPackedB.Pays(rows, 50, 70);
            Assert.Equal(used, cached.InferenceCacheBytes > 0);
            // The packed product sums in the blocked GEMM's order, as the uncached call does from 41 rows on (and below
            // the threshold nothing changes); in between the uncached call uses its row-dot path (another order).
            if (!used || rows > 40 || !System.Runtime.Intrinsics.Vector512.IsHardwareAccelerated) AssertBitEqual(expected, actual, $"{act} rows={rows}");
            else AssertClose(expected, actual, $"{act} rows={rows}");
        }
    }

    [Fact]
    public void FewOutputsAndSingleRowsDoNotPack()
    {
        var router = new Linear(64, 8, bias: false, random: new RandomSource(1));
        router.Eval();
        router.PrepareForInference();
        using (GradMode.NoGrad()) router.Forward(Input(256, 64, 2));
        Assert.Equal(0, router.InferenceCacheBytes); // 8 outputs: the dot-product path is faster than a 32-wide tile
        var wide = new Linear(64, 100, random: new RandomSource(1)).Eval();
        ((Linear)wide).PrepareForInference();
        using (GradMode.NoGrad()) wide.Forward(Input(1, 64, 2));
        Assert.Equal(0, ((Linear)wide).InferenceCacheBytes);
        using (GradMode.NoGrad()) wide.Forward(Input(64, 64, 2));
        Assert.Equal(64L * 128 * sizeof(float), ((Linear)wide).InferenceCacheBytes); // one copy, Out padded to the tile
    }

    [Fact]
    public void EvalOutputWithCacheEqualsTrainingModeOutput()
    {
        // 64 rows: both take the blocked GEMM, so the outputs agree bit for bit (no dropout, so the modes compute the same).
        var x = Input(64, 48, 7);
        var trained = new FeedForward(48, 96, "gelu", random: new RandomSource(11));
        var cached = new FeedForward(48, 96, "gelu", random: new RandomSource(11));
        trained.Train();
        var expected = trained.Forward(x).ToArray(); // records a graph
        Assert.Equal(2, Linear.PrepareAllForInference(cached));
        AssertBitEqual(expected, EvalForward(cached, x), "FeedForward eval with cache");
        Assert.True(cached.W1.InferenceCacheBytes > 0 && cached.W2.InferenceCacheBytes > 0);

        var gated = new GatedFeedForward(48, 96, random: new RandomSource(12));
        var gatedExpected = gated.Forward(x).ToArray();
        Assert.Equal(3, Linear.PrepareAllForInference(gated));
        AssertBitEqual(gatedExpected, EvalForward(gated, x), "GatedFeedForward eval with cache");
    }

    [Fact]
    public void MixtureOfExpertsWithCacheMatchesUncached()
    {
        var x = Input(300, 32, 9);
        var moe = new MixtureOfExperts(32, 64, 4, topK: 2, capacityFactor: null, random: new RandomSource(13));
        var expected = EvalForward(moe, x);
        Assert.Equal(1 + 4 * 2, Linear.PrepareAllForInference(moe));
        var actual = EvalForward(moe, x);
        AssertClose(expected, actual, "MoE with cache");
        Assert.True(moe.Experts.All(e => ((FeedForward)e).W1.InferenceCacheBytes > 0));
        Linear.ReleaseAllInferenceCaches(moe);
        AssertBitEqual(expected, EvalForward(moe, x), "MoE after release");
    }

    /// <summary>The same FeedForward evaluated without any cache (a clone with the current weights).</summary>
    private static float[] Uncached(FeedForward model, Tensor x)
    {
        var clone = new FeedForward(model.Dim, model.Hidden, model.ActivationName, random: new RandomSource(99));
        clone.LoadStateDict(model.StateDict());
        return EvalForward(clone, x);
    }

    [Theory]
    [InlineData(true), InlineData(false)]
    public void OptimizerStepNeverLeavesStaleWeights(bool trainMode)
    {
        var x = Input(64, 48, 7);
        var model = new FeedForward(48, 96, "gelu", random: new RandomSource(11));
        Linear.PrepareAllForInference(model);
        var before = EvalForward(model, x);
        Assert.True(model.W1.InferenceCacheBytes > 0);

        // One training step (in training mode, or in eval mode with gradients on): the recording forward releases the cache.
        model.Train(trainMode);
        var opt = new Sgd(model.Parameters(), learningRate: 0.1f);
        Functional.Sum(Functional.Mul(model.Forward(x), model.Forward(x))).Backward();
        opt.Step();
        Assert.False(model.W1.IsPreparedForInference);

        var after = EvalForward(model, x);
        Assert.True(Differs(before, after));
        AssertBitEqual(Uncached(model, x), after, "after the step");
        Linear.PrepareAllForInference(model);
        AssertBitEqual(Uncached(model, x), EvalForward(model, x), "after the step, cache rebuilt");
        Assert.True(model.W1.InferenceCacheBytes > 0);
    }

    [Fact]
    public void LoadStateDictRefreshesTheCache()
    {
        var x = Input(64, 48, 7);
        var model = new FeedForward(48, 96, "gelu", random: new RandomSource(11));
        var other = new FeedForward(48, 96, "gelu", random: new RandomSource(12));
        Linear.PrepareAllForInference(model);
        var before = EvalForward(model, x);
        Assert.True(model.W1.InferenceCacheBytes > 0);
        model.LoadStateDict(other.StateDict()); // no second PrepareForInference: the load itself drops the packed copy
        Assert.True(model.W1.IsPreparedForInference);
        var after = EvalForward(model, x);
        Assert.True(Differs(before, after));
        AssertBitEqual(EvalForward(other, x), after, "after LoadStateDict");
    }

    [Fact]
    public void ResetParametersRefreshesTheCache()
    {
        var x = Input(64, 48, 7);
        var layer = new Linear(48, 96, random: new RandomSource(1));
        layer.Eval();
        layer.PrepareForInference();
        var before = EvalForward(layer, x);
        layer.ResetParameters(new RandomSource(2));
        var after = EvalForward(layer, x);
        Assert.True(Differs(before, after));
        Assert.True(layer.IsPreparedForInference);
        layer.ReleaseInferenceCache();
        AssertBitEqual(EvalForward(layer, x), after, "after ResetParameters");
    }

    [Fact]
    public void ConcurrentEvalForwardsAgree()
    {
        var x = Input(64, 48, 7);
        var model = new FeedForward(48, 96, "gelu", random: new RandomSource(11));
        var expected = Uncached(model, x);
        model.Eval();
        Linear.PrepareAllForInference(model);
        var results = new float[16][];
        Parallel.For(0, results.Length, new ParallelOptions { MaxDegreeOfParallelism = 4 }, i =>
        {
            using var noGrad = GradMode.NoGrad();
            results[i] = model.Forward(x).ToArray();
        });
        foreach (var r in results) AssertBitEqual(expected, r, "concurrent forward");
    }
}
