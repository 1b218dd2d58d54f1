using NeuralSharp.Nn;
using NeuralSharp.Tests.Fixtures;

namespace NeuralSharp.Tests.Reference;

/// <summary>BatchNorm1d, z-loss and Embedding against PyTorch 1.13 (fixtures from Fixtures/make_fixtures_norm.py).</summary>
public class NormFixtureTests
{
    private static void Close(Fixture f, string name, ReadOnlySpan<float> actual) => PyTorchFixtureTests.AssertClose(f.Floats(name), actual, f.Case + " " + name);

    private static Tensor Load(Fixture f, string name) => Tensor.FromArray(f.Floats(name), f.Shape(name));

    [Fact]
    public void BatchNorm1dTrainTwoStepsThenEval()
    {
        var f = Fixture.Load("norm_batch_norm1d");
        var bn = new BatchNorm1d(5, (float)f.Attr("eps"), (float)f.Attr("momentum"));
        f.Floats("weight").CopyTo(bn.Weight!.Data);
        f.Floats("bias").CopyTo(bn.Bias!.Data);

        var x1 = Load(f, "x1").RequireGrad();
        var y1 = bn.Forward(x1);
        Close(f, "y1", y1.Data);
        y1.Backward(Load(f, "dy1"));
        Close(f, "grad_x1", x1.Grad!.Data);
        Close(f, "grad_weight1", bn.Weight.Grad!.Data);
        Close(f, "grad_bias1", bn.Bias.Grad!.Data);

        Close(f, "y2", bn.Forward(Load(f, "x2")).Data);
        Close(f, "running_mean", bn.RunningMean!.Data);
        Close(f, "running_var", bn.RunningVar!.Data);
        Assert.Equal(f.Ints("num_batches_tracked")[0], (long)bn.NumBatchesTracked!.Item());

        bn.Eval();
        bn.ZeroGrad();
        var x3 = Load(f, "x3").RequireGrad();
        var y3 = bn.Forward(x3);
        Close(f, "y3", y3.Data);
        y3.Backward(Load(f, "dy3"));
        Close(f, "grad_x3", x3.Grad!.Data);
        Close(f, "grad_weight3", bn.Weight.Grad!.Data);
        Close(f, "grad_bias3", bn.Bias.Grad!.Data);
        Assert.Equal(2f, bn.NumBatchesTracked.Item()); // eval does not count
    }

    [Fact]
    public void BatchNormThreeDimensionalTraining()
    {
        var f = Fixture.Load("norm_batch_norm1d_3d");
        var x = Load(f, "x").RequireGrad();
        var w = Load(f, "weight").RequireGrad();
        var b = Load(f, "bias").RequireGrad();
        var rm = Tensor.Zeros(3);
        var rv = Tensor.Ones(3);
        var y = Functional.BatchNorm(x, rm, rv, w, b, training: true, (float)f.Attr("momentum"), (float)f.Attr("eps"));
        Close(f, "y", y.Data);
        y.Backward(Load(f, "dy"));
        Close(f, "grad_x", x.Grad!.Data);
        Close(f, "grad_weight", w.Grad!.Data);
        Close(f, "grad_bias", b.Grad!.Data);
        Close(f, "running_mean", rm.Data);
        Close(f, "running_var", rv.Data);
    }

    [Fact]
    public void ZLoss()
    {
        var f = Fixture.Load("norm_z_loss");
        var x = Load(f, "logits").RequireGrad();
        var loss = Functional.ZLoss(x, (float)f.Attr("coefficient"));
        Close(f, "loss", loss.Data);
        loss.Backward();
        Close(f, "grad_logits", x.Grad!.Data);
    }

    [Fact]
    public void CrossEntropyWithZLoss()
    {
        var f = Fixture.Load("norm_z_loss_cross_entropy");
        var x = Load(f, "logits").RequireGrad();
        var targets = f.Ints("target").Select(v => (int)v).ToArray();
        var loss = Functional.CrossEntropyWithZLoss(x, targets, (float)f.Attr("coefficient"));
        Close(f, "loss", loss.Data);
        loss.Backward();
        Close(f, "grad_logits", x.Grad!.Data);
    }

    [Fact]
    public void EmbeddingWithPaddingIdx()
    {
        var f = Fixture.Load("norm_embedding");
        int[] shape = f.Shape("indices");
        var indices = f.Ints("indices").Select(v => (int)v).ToArray();
        var emb = new Embedding(7, 4, paddingIdx: (int)f.Attr("padding_idx"), random: new RandomSource(1));
        f.Floats("weight").CopyTo(emb.Weight.Data);
        var y = emb.Forward(indices, shape);
        Assert.Equal([.. shape, 4], y.ShapeArray);
        Close(f, "y", y.Data);
        y.Backward(Load(f, "dy"));
        Close(f, "grad_weight", emb.Weight.Grad!.Data);

        // The float-index overload gives the same values.
        emb.ZeroGrad();
        var floatIndices = Tensor.FromArray(indices.Select(i => (float)i).ToArray(), shape);
        var y2 = emb.Forward(floatIndices);
        Close(f, "y", y2.Data);
        y2.Backward(Load(f, "dy"));
        Close(f, "grad_weight", emb.Weight.Grad!.Data);
    }
}
