using NeuralSharp.Nn;
using NeuralSharp.Tests.Autograd;
using NeuralSharp.Tests.NnBlocks;

namespace NeuralSharp.Tests.NnAttention;

/// <summary>MultiheadSelfAttention and TransformerEncoderBlock: finite differences, layout, round trips, bad configs and masks.</summary>
public class AttentionModuleTests
{
    private static Tensor PaddingMask()
    {
        var m = Tensor.Ones(2, 3);
        m.Data[5] = 0f; // batch 1, last token padded
        return m;
    }

    [Theory]
    [InlineData(true, false, false)]
    [InlineData(true, true, true)]
    [InlineData(false, true, false)]
    public void MultiheadSelfAttentionGradientsMatchFiniteDifferences(bool bias, bool causal, bool padding)
    {
        var mha = new MultiheadSelfAttention(4, 2, bias, random: new RandomSource(1));
        BlockTestUtil.Randomize(mha, 2, 0.7f);
        var mask = padding ? PaddingMask() : null;
        var x = GradCheck.Random(3, 2, 3, 4);
        GradCheck.Check(t => mha.Forward(t[0], mask, causal), [x, .. mha.Parameters()]);
    }

    [Theory]
    [InlineData(EncoderFeedForward.FeedForward, BlockNorm.LayerNorm, true)]
    [InlineData(EncoderFeedForward.SwiGLU, BlockNorm.RMSNorm, false)]
    public void EncoderBlockGradientsMatchFiniteDifferences(EncoderFeedForward ffn, BlockNorm norm, bool causal)
    {
        var block = new TransformerEncoderBlock(4, 2, 6, ffn, norm, random: new RandomSource(1));
        BlockTestUtil.Randomize(block, 2, 0.6f);
        var mask = PaddingMask();
        GradCheck.Check(t => block.Forward(t[0], mask, causal), [GradCheck.Random(3, 2, 3, 4), .. block.Parameters()], rtol: 3e-2f);
    }

    [Fact]
    public void ParameterLayoutFollowsPyTorch()
    {
        var mha = new MultiheadSelfAttention(6, 3, random: new RandomSource(1));
        Assert.Equal(["in_proj_weight", "in_proj_bias", "out_proj.weight", "out_proj.bias"], mha.NamedParameters().Select(p => p.Key).ToArray());
        Assert.Equal([18, 6], mha.InProjWeight.ShapeArray);
        Assert.Equal(4 * 6 * 6 + 4 * 6, mha.ParameterCount());
        Assert.All(mha.InProjBias!.ToArray(), v => Assert.Equal(0f, v));
        Assert.All(mha.OutProj.Bias!.ToArray(), v => Assert.Equal(0f, v));
        float xavier = MathF.Sqrt(6f / (6 + 18));
        Assert.All(mha.InProjWeight.ToArray(), v => Assert.InRange(v, -xavier, xavier));
        Assert.Equal(["in_proj_weight", "out_proj.weight"], new MultiheadSelfAttention(6, 3, bias: false).NamedParameters().Select(p => p.Key).ToArray());

        var block = new TransformerEncoderBlock(6, 3, 8, EncoderFeedForward.SwiGLU, BlockNorm.RMSNorm);
        Assert.Equal(["norm1.weight", "attn.in_proj_weight", "attn.in_proj_bias", "attn.out_proj.weight", "attn.out_proj.bias",
            "norm2.weight", "ffn.w1.weight", "ffn.w3.weight", "ffn.w2.weight"], block.NamedParameters().Select(p => p.Key).ToArray());
        var plain = new TransformerEncoderBlock(6, 3, 8);
        Assert.Equal(["norm1.weight", "norm1.bias", "attn.in_proj_weight", "attn.in_proj_bias", "attn.out_proj.weight", "attn.out_proj.bias",
            "norm2.weight", "norm2.bias", "ffn.w1.weight", "ffn.w1.bias", "ffn.w2.weight", "ffn.w2.bias"], plain.NamedParameters().Select(p => p.Key).ToArray());
    }

    [Fact]
    public void SaveLoadRoundTripsExactly()
    {
        BlockTestUtil.AssertRoundTrip(new MultiheadSelfAttention(6, 2, random: new RandomSource(1)), [2, 4, 6]);
        BlockTestUtil.AssertRoundTrip(new MultiheadSelfAttention(6, 3, bias: false, dropout: 0.25f, random: new RandomSource(1)), [2, 4, 6]);
        BlockTestUtil.AssertRoundTrip(new TransformerEncoderBlock(8, 2, 12, random: new RandomSource(1)), [2, 5, 8]);
        BlockTestUtil.AssertRoundTrip(new TransformerEncoderBlock(8, 4, 12, EncoderFeedForward.SwiGLU, BlockNorm.RMSNorm, 0.1f, random: new RandomSource(1)), [2, 5, 8]);
        BlockTestUtil.AssertRoundTrip(new TransformerEncoderBlock(8, 1, 4, EncoderFeedForward.FeedForward, BlockNorm.RMSNorm, 0f, "relu", new RandomSource(1)), [1, 3, 8]);
    }

    [Fact]
    public void DropoutIsActiveInTrainingOnlyAndSeeded()
    {
        var x = GradCheck.Random(3, 2, 5, 8);
        float[] Run(Module m) => ((TransformerEncoderBlock)m).Forward(x, null, true).ToArray();
        var a = new TransformerEncoderBlock(8, 2, 12, dropout: 0.3f, random: new RandomSource(4));
        var b = new TransformerEncoderBlock(8, 2, 12, dropout: 0.3f, random: new RandomSource(4));
        var trainA = Run(a);
        Assert.Equal(trainA, Run(b));
        a.Eval();
        var evalA = Run(a);
        Assert.NotEqual(trainA, evalA);
        var noDropout = new TransformerEncoderBlock(8, 2, 12, dropout: 0f, random: new RandomSource(4));
        noDropout.LoadStateDict(a.StateDict());
        Assert.Equal(evalA, Run(noDropout));
    }

    [Fact]
    public void PaddedPositionsDoNotInfluenceRealTokens()
    {
        var block = new TransformerEncoderBlock(8, 2, 12, random: new RandomSource(1));
        var mask = Tensor.FromArray([1f, 1f, 1f, 0f, 0f], 1, 5);
        var x = GradCheck.Random(3, 1, 5, 8);
        var y = block.Forward(x, mask, false).ToArray();
        for (int i = 3 * 8; i < 5 * 8; i++) x.Data[i] += 10f;
        var y2 = block.Forward(x, mask, false).ToArray();
        Assert.Equal(y.AsSpan(0, 24).ToArray(), y2.AsSpan(0, 24).ToArray());
    }

    [Fact]
    public void EmbeddingFeedsTheBlockAndGradientsReachTheTable()
    {
        var emb = new Embedding(10, 8, paddingIdx: 0, random: new RandomSource(1));
        var block = new TransformerEncoderBlock(8, 2, 16, EncoderFeedForward.SwiGLU, BlockNorm.RMSNorm, random: new RandomSource(2));
        int[] tokens = [3, 5, 7, 0, 4, 4, 9, 1];
        var mask = Tensor.FromArray(tokens.Select(t => t == 0 ? 0f : 1f).ToArray(), 2, 4);
        var y = block.Forward(emb.Forward(tokens, [2, 4]), mask, causal: true);
        Assert.Equal([2, 4, 8], y.ShapeArray);
        Functional.Sum(Functional.Mul(y, y)).Backward();
        var g = emb.Weight.Grad!.ToArray();
        Assert.All(g.AsSpan(0, 8).ToArray(), v => Assert.Equal(0f, v)); // padding_idx row
        Assert.Contains(g.AsSpan(9 * 8, 8).ToArray(), v => v != 0f);
        Assert.All(g, v => Assert.True(float.IsFinite(v)));
    }

    [Fact]
    public void BadConfigurationsNameTheArguments()
    {
        var ex = Assert.Throws<ArgumentException>(() => new MultiheadSelfAttention(10, 3));
        Assert.Contains("embedDim (10)", ex.Message);
        Assert.Contains("numHeads (3)", ex.Message);
        Assert.Contains("numHeads (4)", Assert.Throws<ArgumentException>(() => new TransformerEncoderBlock(6, 4, 8)).Message);
        Assert.Equal("embedDim", Assert.Throws<ArgumentOutOfRangeException>(() => new MultiheadSelfAttention(0, 1)).ParamName);
        Assert.Equal("numHeads", Assert.Throws<ArgumentOutOfRangeException>(() => new MultiheadSelfAttention(4, 0)).ParamName);
        Assert.Equal("dropout", Assert.Throws<ArgumentOutOfRangeException>(() => new MultiheadSelfAttention(4, 2, dropout: 1f)).ParamName);
        Assert.Equal("norm", Assert.Throws<ArgumentOutOfRangeException>(() => new TransformerEncoderBlock(4, 2, 8, norm: BlockNorm.None)).ParamName);
        Assert.Equal("ffnHidden", Assert.Throws<ArgumentOutOfRangeException>(() => new TransformerEncoderBlock(4, 2, 0)).ParamName);
        Assert.Equal("dropout", Assert.Throws<ArgumentOutOfRangeException>(() => new TransformerEncoderBlock(4, 2, 8, dropout: -0.1f)).ParamName);
    }

    [Fact]
    public void BadInputsAndMasksNameTheArgumentAndShapes()
    {
        var mha = new MultiheadSelfAttention(4, 2);
        var x = Tensor.Zeros(2, 3, 4);
        var ex = Assert.Throws<ArgumentException>(() => mha.Forward(x, Tensor.Ones(3, 2)));
        Assert.Equal("keyPaddingMask", ex.ParamName);
        Assert.Contains("[2, 3]", ex.Message);
        Assert.Contains("[3, 2]", ex.Message);
        Assert.Equal("keyPaddingMask", Assert.Throws<ArgumentException>(() => mha.Forward(x, Tensor.Ones(2, 3, 1))).ParamName);
        Assert.Equal("x", Assert.Throws<ArgumentException>(() => mha.Forward(Tensor.Zeros(2, 3, 5))).ParamName);
        Assert.Equal("x", Assert.Throws<ArgumentException>(() => mha.Forward(Tensor.Zeros(3, 4))).ParamName);
        var block = new TransformerEncoderBlock(4, 2, 8);
        ex = Assert.Throws<ArgumentException>(() => block.Forward(x, Tensor.Ones(2, 4)));
        Assert.Equal("keyPaddingMask", ex.ParamName);
        Assert.Contains("[2, 4]", ex.Message);
    }
}
