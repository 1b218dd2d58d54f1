using NeuralSharp.Nn;
using NeuralSharp.Tests.Fixtures;

namespace NeuralSharp.Tests.Reference;

/// <summary>
/// FeedForward and GatedFeedForward against torch.nn blocks (Fixtures/make_fixtures_blocks.py): the parameters are
/// loaded by their state-dict keys, then y, grad_x and every parameter's gradient must agree to 1e-5 relative.
/// </summary>
public class BlockFixtureTests
{
    public static TheoryData<string> Cases()
    {
        var data = new TheoryData<string>();
        foreach (var c in Fixture.Cases("block_")) data.Add(c);
        return data;
    }

    [Fact]
    public void AllEightCasesArePresent() => Assert.Equal(8, Fixture.Cases("block_").Count());

    [Theory]
    [MemberData(nameof(Cases))]
    public void ForwardAndBackwardMatchPyTorch(string name)
    {
        var f = Fixture.Load(name);
        int dim = (int)f.Attr("dim"), hidden = (int)f.Attr("hidden");
        bool bias = f.Attr("bias") != 0, residual = f.Attr("residual") != 0;
        var norm = f.AttrString("norm") switch { "layer_norm" => BlockNorm.LayerNorm, "rms_norm" => BlockNorm.RMSNorm, _ => BlockNorm.None };
        Module module = f.Op switch
        {
            "feed_forward" => new FeedForward(dim, hidden, f.AttrString("activation"), 0f, norm, residual, (int)f.Attr("out_dim"), bias, new RandomSource(1)),
            "gated_feed_forward" => new GatedFeedForward(dim, hidden, Enum.Parse<GluVariant>(f.AttrString("variant")), bias, norm, residual, new RandomSource(1)),
            _ => throw new InvalidOperationException(f.Op),
        };
        var state = new Dictionary<string, Tensor>();
        foreach (var t in f.TensorNames.Where(t => t.StartsWith("param.", StringComparison.Ordinal)))
            state[t["param.".Length..]] = Tensor.FromArray(f.Floats(t), f.Shape(t));
        module.LoadStateDict(state); // strict: the key names must match PyTorch's exactly

        var x = Tensor.FromArray(f.Floats("x"), f.Shape("x")).RequireGrad();
        var y = module.Forward(x);
        Assert.Equal(f.Shape("y"), y.ShapeArray);
        PyTorchFixtureTests.AssertClose(f.Floats("y"), y.Data, name + " y");
        y.Backward(Tensor.FromArray(f.Floats("dy"), f.Shape("dy")));
        PyTorchFixtureTests.AssertClose(f.Floats("grad_x"), x.Grad!.Data, name + " grad_x");
        foreach (var (key, p) in module.NamedParameters())
            PyTorchFixtureTests.AssertClose(f.Floats("grad." + key), p.Grad!.Data, name + " grad." + key);
    }
}
