using NeuralSharp.Nn;
using NeuralSharp.Tests.Autograd;

namespace NeuralSharp.Tests.NnBlocks;

public class FeedForwardBlockTests
{
    [Fact]
    public void FeedForwardStateDictKeysAndShapes()
    {
        var ffn = new FeedForward(6, 10, norm: BlockNorm.LayerNorm, residual: true, random: new RandomSource(1));
        Assert.Equal(["norm.weight", "norm.bias", "w1.weight", "w1.bias", "w2.weight", "w2.bias"], ffn.NamedParameters().Select(p => p.Key).ToArray());
        Assert.Equal(2 * 6 + 6 * 10 + 10 + 10 * 6 + 6, ffn.ParameterCount());
        var plain = new FeedForward(6, 10, outDim: 3, bias: false, random: new RandomSource(1));
        Assert.Equal(["w1.weight", "w2.weight"], plain.NamedParameters().Select(p => p.Key).ToArray());
        Assert.Equal([2, 4, 3], plain.Forward(Tensor.Zeros(2, 4, 6)).ShapeArray);
    }

    [Fact]
    public void GatedFeedForwardStateDictKeysAndShapes()
    {
        var glu = new GatedFeedForward(6, 8, GluVariant.SwiGLU, norm: BlockNorm.RMSNorm, random: new RandomSource(1));
        Assert.Equal(["norm.weight", "w1.weight", "w3.weight", "w2.weight"], glu.NamedParameters().Select(p => p.Key).ToArray());
        Assert.Equal(6 + 3 * 6 * 8, glu.ParameterCount());
        Assert.Equal([2, 3, 6], glu.Forward(Tensor.Zeros(2, 3, 6)).ShapeArray);
    }

    [Theory]
    [InlineData(BlockNorm.None, false)]
    [InlineData(BlockNorm.LayerNorm, true)]
    [InlineData(BlockNorm.RMSNorm, true)]
    public void FeedForwardGradCheck(BlockNorm norm, bool residual)
    {
        var ffn = new FeedForward(4, 5, "tanh", norm: norm, residual: residual, random: new RandomSource(2));
        BlockTestUtil.Randomize(ffn, 3);
        GradCheck.Check(t => ffn.Forward(t[0]), [GradCheck.Random(4, 3, 4), .. ffn.Parameters()]);
    }

    [Theory]
    [InlineData(GluVariant.GLU)]
    [InlineData(GluVariant.ReGLU)]
    [InlineData(GluVariant.GeGLU)]
    [InlineData(GluVariant.SwiGLU)]
    public void GatedFeedForwardGradCheck(GluVariant variant)
    {
        var glu = new GatedFeedForward(4, 5, variant, bias: true, norm: BlockNorm.LayerNorm, residual: true, random: new RandomSource(2));
        BlockTestUtil.Randomize(glu, 3);
        GradCheck.Check(t => glu.Forward(t[0]), [GradCheck.Random(4, 3, 4), .. glu.Parameters()]);
    }

    [Fact]
    public void FeedForwardDropoutIsActiveOnlyInTraining()
    {
        var ffn = new FeedForward(4, 64, "relu", dropout: 0.5f, random: new RandomSource(2));
        var x = GradCheck.Random(1, 8, 4);
        using (GradMode.NoGrad())
        {
            var a = ffn.Forward(x).ToArray();
            var b = ffn.Forward(x).ToArray();
            Assert.NotEqual(a, b);
            ffn.Eval();
            Assert.Equal(ffn.Forward(x).ToArray(), ffn.Forward(x).ToArray());
        }
    }

    public static TheoryData<string> RoundTripCases() => new() { "ffn", "ffn_norm_res", "ffn_out", "glu", "reglu", "geglu", "swiglu_rms" };

    [Theory]
    [MemberData(nameof(RoundTripCases))]
    public void SaveLoadRoundTripsExactly(string name)
    {
        var r = new RandomSource(1);
        Module m = name switch
        {
            "ffn" => new FeedForward(6, 10, random: r),
            "ffn_norm_res" => new FeedForward(6, 10, "silu", 0.1f, BlockNorm.LayerNorm, residual: true, random: r),
            "ffn_out" => new FeedForward(6, 10, "gelu_tanh", outDim: 3, bias: false, norm: BlockNorm.RMSNorm, random: r),
            "glu" => new GatedFeedForward(6, 8, GluVariant.GLU, bias: true, random: r),
            "reglu" => new GatedFeedForward(6, 8, GluVariant.ReGLU, norm: BlockNorm.LayerNorm, random: r),
            "geglu" => new GatedFeedForward(6, 8, GluVariant.GeGLU, residual: true, random: r),
            _ => new GatedFeedForward(6, 8, GluVariant.SwiGLU, norm: BlockNorm.RMSNorm, residual: true, random: r),
        };
        BlockTestUtil.AssertRoundTrip(m, [2, 3, 6]);
    }

    [Fact]
    public void BadConfigurationsNameTheArgument()
    {
        Assert.Equal("dim", Assert.ThrowsAny<ArgumentException>(() => new FeedForward(0, 4)).ParamName);
        Assert.Equal("hidden", Assert.ThrowsAny<ArgumentException>(() => new FeedForward(4, -1)).ParamName);
        Assert.Equal("dropout", Assert.ThrowsAny<ArgumentException>(() => new FeedForward(4, 4, dropout: 1f)).ParamName);
        Assert.Equal("outDim", Assert.ThrowsAny<ArgumentException>(() => new FeedForward(4, 4, outDim: 0)).ParamName);
        Assert.Equal("residual", Assert.ThrowsAny<ArgumentException>(() => new FeedForward(4, 4, residual: true, outDim: 3)).ParamName);
        Assert.Equal("name", Assert.ThrowsAny<ArgumentException>(() => new FeedForward(4, 4, "bogus")).ParamName);
        Assert.Equal("dim", Assert.ThrowsAny<ArgumentException>(() => new GatedFeedForward(0, 4)).ParamName);
        Assert.Equal("hidden", Assert.ThrowsAny<ArgumentException>(() => new GatedFeedForward(4, 0)).ParamName);
        Assert.ThrowsAny<ArgumentException>(() => new GatedFeedForward(4, 4, (GluVariant)9));
        var ex = Assert.ThrowsAny<ArgumentException>(() => new FeedForward(4, 4, random: new RandomSource(1)).Forward(Tensor.Zeros(2, 5)));
        Assert.Contains("[.., 4]", ex.Message);
    }
}
