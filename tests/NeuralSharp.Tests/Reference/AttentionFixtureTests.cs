using NeuralSharp.Nn;
using NeuralSharp.Tests.Fixtures;

namespace NeuralSharp.Tests.Reference;

/// <summary>Scaled dot-product attention, MultiheadSelfAttention and the pre-norm encoder block against PyTorch 1.13
/// (fixtures from Fixtures/make_fixtures_attn.py; masks there use NeuralSharp's convention, 1 = keep).</summary>
public class AttentionFixtureTests
{
    private static void Close(Fixture f, string name, ReadOnlySpan<float> actual) => PyTorchFixtureTests.AssertClose(f.Floats(name), actual, f.Case + " " + name);

    private static Tensor Load(Fixture f, string name) => Tensor.FromArray(f.Floats(name), f.Shape(name));

    public static TheoryData<string> SdpaCases() => new() { "attn_sdpa", "attn_sdpa_causal", "attn_sdpa_padding", "attn_sdpa_causal_padding_3d" };

    [Theory]
    [MemberData(nameof(SdpaCases))]
    public void ScaledDotProductAttentionMatchesTheComposition(string name)
    {
        var f = Fixture.Load(name);
        var q = Load(f, "q").RequireGrad();
        var k = Load(f, "k").RequireGrad();
        var v = Load(f, "v").RequireGrad();
        var mask = f.Has("key_mask") ? Load(f, "key_mask") : null;
        var y = Functional.ScaledDotProductAttention(q, k, v, mask, causal: f.Attr("causal") != 0);
        Assert.Equal(f.Shape("y"), y.ShapeArray);
        Close(f, "y", y.Data);
        y.Backward(Load(f, "dy"));
        Close(f, "grad_q", q.Grad!.Data);
        Close(f, "grad_k", k.Grad!.Data);
        Close(f, "grad_v", v.Grad!.Data);
    }

    public static TheoryData<string> MhaCases() => new() { "attn_mha", "attn_mha_masks", "attn_mha_nobias_padding" };

    [Theory]
    [MemberData(nameof(MhaCases))]
    public void MultiheadSelfAttentionMatchesTorch(string name)
    {
        var f = Fixture.Load(name);
        var mha = new MultiheadSelfAttention((int)f.Attr("embed_dim"), (int)f.Attr("num_heads"), bias: f.Attr("bias") != 0, random: new RandomSource(1));
        CheckAgainstTorch(f, mha, (m, x, mask) => ((MultiheadSelfAttention)m).Forward(x, mask, f.Attr("causal") != 0));
    }

    public static TheoryData<string> BlockCases() => new() { "attn_block_layer_norm", "attn_block_rms_swiglu" };

    [Theory]
    [MemberData(nameof(BlockCases))]
    public void PreNormEncoderBlockMatchesTorchModules(string name)
    {
        var f = Fixture.Load(name);
        var ffn = f.AttrString("ffn") == "swiglu" ? EncoderFeedForward.SwiGLU : EncoderFeedForward.FeedForward;
        var norm = f.AttrString("norm") == "rms_norm" ? BlockNorm.RMSNorm : BlockNorm.LayerNorm;
        var block = new TransformerEncoderBlock((int)f.Attr("dim"), (int)f.Attr("num_heads"), (int)f.Attr("ffn_hidden"), ffn, norm, random: new RandomSource(1));
        CheckAgainstTorch(f, block, (m, x, mask) => ((TransformerEncoderBlock)m).Forward(x, mask, f.Attr("causal") != 0));
    }

    /// <summary>Loads torch's state dict (strict keys), runs forward + backward and compares y and every gradient.</summary>
    private static void CheckAgainstTorch(Fixture f, Module module, Func<Module, Tensor, Tensor, Tensor> forward)
    {
        var state = f.TensorNames.Where(n => n.StartsWith("state.", StringComparison.Ordinal))
            .ToDictionary(n => n["state.".Length..], n => Load(f, n));
        module.LoadStateDict(state, strict: true);
        var x = Load(f, "x").RequireGrad();
        var y = forward(module, x, Load(f, "key_mask"));
        Close(f, "y", y.Data);
        y.Backward(Load(f, "dy"));
        Close(f, "grad_x", x.Grad!.Data);
        var parameters = module.NamedParameters().ToDictionary(p => p.Key, p => p.Value);
        Assert.Equal(parameters.Keys.Order(StringComparer.Ordinal), state.Keys.Order(StringComparer.Ordinal));
        foreach (var (key, p) in parameters) Close(f, "grad." + key, p.Grad!.Data);
    }
}
