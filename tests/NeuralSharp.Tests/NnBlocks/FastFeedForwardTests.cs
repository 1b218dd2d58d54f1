using NeuralSharp.Nn;
using NeuralSharp.Tests.Autograd;

namespace NeuralSharp.Tests.NnBlocks;

public class FastFeedForwardTests
{
    private static FastFeedForward Make(int depth, int? outDim = null, ulong seed = 1)
    {
        var fff = new FastFeedForward(4, depth, 3, outDim, "tanh", new RandomSource(seed));
        BlockTestUtil.Randomize(fff, seed + 10);
        return fff;
    }

    /// <summary>Leaf probabilities as explicit products along each path: σ(z_n) going right, 1 - σ(z_n) left.</summary>
    private static Tensor[] PathProducts(FastFeedForward fff, Tensor x)
    {
        var s = Functional.Sigmoid(Functional.Linear(x, fff.Nodes.Weight, fff.Nodes.Bias));
        var result = new Tensor[fff.LeafCount];
        for (int l = 0; l < fff.LeafCount; l++)
        {
            Tensor? p = null;
            int node = 0;
            for (int level = fff.Depth - 1; level >= 0; level--)
            {
                bool right = ((l >> level) & 1) == 1;
                var col = BlockTestUtil.Column(s, node);
                var factor = right ? col : Functional.Add(Functional.Neg(col), 1f);
                p = p == null ? factor : Functional.Mul(p, factor);
                node = 2 * node + (right ? 2 : 1);
            }
            result[l] = p!;
        }
        return result;
    }

    [Fact]
    public void StateDictKeysAndShapes()
    {
        var fff = new FastFeedForward(4, 2, 3, outDim: 5, random: new RandomSource(1));
        var keys = fff.NamedParameters().Select(p => p.Key).ToArray();
        Assert.Equal(["nodes.weight", "nodes.bias", "leaves.0.w1.weight", "leaves.0.w1.bias", "leaves.0.w2.weight", "leaves.0.w2.bias"], keys[..6]);
        Assert.Equal(2 + 4 * 4, keys.Length);
        Assert.Equal([3, 4], fff.StateDict()["nodes.weight"].ShapeArray);
        Assert.Equal(3 * 4 + 3 + 4 * (4 * 3 + 3 + 3 * 5 + 5), fff.ParameterCount());
        Assert.Equal([2, 3, 5], fff.Forward(Tensor.Zeros(2, 3, 4)).ShapeArray);
        fff.Eval();
        Assert.Equal([2, 3, 5], fff.Forward(Tensor.Zeros(2, 3, 4)).ShapeArray);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    public void SoftForwardAndBackwardMatchExplicitPathProducts(int depth)
    {
        var fff = Make(depth, outDim: 2);
        var x = GradCheck.Random(3, 7, 4).RequireGrad();
        var dy = GradCheck.Random(4, 7, 2);
        var p = fff.LeafProbabilities(x);
        using (GradMode.NoGrad())
            for (int t = 0; t < 7; t++) Assert.Equal(1.0, p.Data.Slice(t * fff.LeafCount, fff.LeafCount).ToArray().Sum(v => (double)v), 1e-5);
        var y = fff.Forward(x);
        y.Backward(dy);
        var gx = x.Grad!.ToArray();
        var grads = fff.Parameters().Select(q => q.Grad!.ToArray()).ToList();
        fff.ZeroGrad();
        x.ZeroGrad();

        var paths = PathProducts(fff, x);
        Tensor? reference = null;
        for (int l = 0; l < fff.LeafCount; l++)
        {
            var term = Functional.Mul(fff.Leaves[l].Forward(x), paths[l]);
            reference = reference == null ? term : Functional.Add(reference, term);
        }
        BlockTestUtil.AssertClose(reference!.Data, y.Data, "y", 1e-5f, 1e-6f);
        reference.Backward(dy);
        BlockTestUtil.AssertClose(x.Grad!.Data, gx, "grad x", 1e-4f, 1e-6f);
        var parameters = fff.Parameters().ToList();
        for (int i = 0; i < parameters.Count; i++) BlockTestUtil.AssertClose(parameters[i].Grad!.Data, grads[i], "grad " + i, 1e-4f, 1e-6f);
    }

    [Fact]
    public void SoftModeGradCheck()
    {
        var fff = Make(2);
        GradCheck.Check(t => fff.Forward(t[0]), [GradCheck.Random(5, 3, 4), .. fff.Parameters()]);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(4)]
    public void HardInferenceIsTheSoftComputationRestrictedToTheArgmaxPath(int depth)
    {
        var fff = Make(depth, seed: (ulong)depth);
        var x = Tensor.Uniform(new RandomSource(6), -2f, 2f, 50, 4);
        int[] expectedLeaf = new int[50];
        using (GradMode.NoGrad())
        {
            var z = Functional.Linear(x, fff.Nodes.Weight, fff.Nodes.Bias);
            for (int t = 0; t < 50; t++)
            {
                int node = 0;
                for (int level = 0; level < depth; level++) node = 2 * node + (z.Data[t * fff.NodeCount + node] > 0f ? 2 : 1);
                expectedLeaf[t] = node - fff.NodeCount;
            }
        }
        Assert.Equal(expectedLeaf, fff.Route(x));
        Assert.True(expectedLeaf.Distinct().Count() > 1, "samples should reach several leaves");
        fff.Eval();
        var y = fff.Forward(x);
        using (GradMode.NoGrad())
            for (int t = 0; t < 50; t++)
            {
                var leafOut = fff.Leaves[expectedLeaf[t]].Forward(Functional.SliceRows(x, t, 1));
                BlockTestUtil.AssertClose(leafOut.Data, y.Data.Slice(t * 4, 4), $"sample {t}", 1e-5f, 1e-6f);
            }
    }

    [Fact]
    public void HardInferenceTrainsLeavesButNotNodes()
    {
        var fff = Make(2);
        fff.Eval();
        var y = fff.Forward(GradCheck.Random(7, 30, 4));
        y.Sum().Backward();
        Assert.Null(fff.Nodes.Weight.Grad);
        Assert.Contains(fff.Leaves, l => l.W1.Weight.Grad != null);
    }

    [Fact]
    public void SaveLoadRoundTripsExactly()
    {
        BlockTestUtil.AssertRoundTrip(new FastFeedForward(6, 3, 4, random: new RandomSource(1)), [2, 5, 6]);
        BlockTestUtil.AssertRoundTrip(new FastFeedForward(6, 1, 2, outDim: 3, activation: "relu", random: new RandomSource(1)), [7, 6]);
    }

    [Fact]
    public void BadConfigurationsNameTheArgument()
    {
        Assert.Equal("dim", Assert.ThrowsAny<ArgumentException>(() => new FastFeedForward(0, 2, 3)).ParamName);
        Assert.Equal("depth", Assert.ThrowsAny<ArgumentException>(() => new FastFeedForward(4, 0, 3)).ParamName);
        Assert.Equal("depth", Assert.ThrowsAny<ArgumentException>(() => new FastFeedForward(4, 17, 3)).ParamName);
        Assert.Equal("leafHidden", Assert.ThrowsAny<ArgumentException>(() => new FastFeedForward(4, 2, 0)).ParamName);
        Assert.Equal("outDim", Assert.ThrowsAny<ArgumentException>(() => new FastFeedForward(4, 2, 3, outDim: 0)).ParamName);
        Assert.Equal("name", Assert.ThrowsAny<ArgumentException>(() => new FastFeedForward(4, 2, 3, activation: "nope")).ParamName);
    }
}
