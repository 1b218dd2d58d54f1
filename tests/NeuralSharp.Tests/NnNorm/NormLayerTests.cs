using System.Text.Json.Nodes;
using NeuralSharp.Nn;
using NeuralSharp.Tests.Autograd;
using static NeuralSharp.Tests.NnLayers.LayerContractTests;

namespace NeuralSharp.Tests.NnNorm;

/// <summary>BatchNorm1d, Embedding and z-loss: finite differences, the module contract (state dict, config round trip incl. buffers), bad configurations.</summary>
public class NormLayerTests
{
    public static TheoryData<string> Modules() => new("BatchNorm1d", "BatchNorm1dNoAffine", "BatchNorm1dCumulative", "BatchNorm1dUntracked", "Embedding", "EmbeddingPadding");

    private static (Module Module, Tensor Input, string[] Keys, int[] OutShape) Create(string name, ulong seed) => name switch
    {
        "BatchNorm1d" => (new BatchNorm1d(6), RandomInput((int)seed, [5, 6]), ["weight", "bias", "running_mean", "running_var", "num_batches_tracked"], [5, 6]),
        "BatchNorm1dNoAffine" => (new BatchNorm1d(6, 1e-3f, 0.3f, affine: false), RandomInput((int)seed, [4, 6, 3]), ["running_mean", "running_var", "num_batches_tracked"], [4, 6, 3]),
        "BatchNorm1dCumulative" => (new BatchNorm1d(6, momentum: null), RandomInput((int)seed, [5, 6]), ["weight", "bias", "running_mean", "running_var", "num_batches_tracked"], [5, 6]),
        "BatchNorm1dUntracked" => (new BatchNorm1d(6, trackRunningStats: false), RandomInput((int)seed, [5, 6]), ["weight", "bias"], [5, 6]),
        "Embedding" => (new Embedding(9, 4, random: new RandomSource(seed)), Indices(9, [3, 5], seed), ["weight"], [3, 5, 4]),
        _ => (new Embedding(9, 4, paddingIdx: -2, random: new RandomSource(seed)), Indices(9, [2, 7], seed), ["weight"], [2, 7, 4]),
    };

    private static Tensor Indices(int num, int[] shape, ulong seed)
    {
        var r = new RandomSource(seed);
        var t = Tensor.Empty(shape);
        for (int i = 0; i < t.Size; i++) t.Data[i] = r.NextInt(num);
        return t;
    }

    [Theory]
    [MemberData(nameof(Modules))]
    public void StateDictKeysShapesAndOutput(string name)
    {
        var (m, x, keys, outShape) = Create(name, 1);
        Assert.Equal(keys.Order(StringComparer.Ordinal), m.StateDict().Keys.Order(StringComparer.Ordinal));
        if (m is BatchNorm1d bn && bn.NumBatchesTracked != null) Assert.Empty(bn.NumBatchesTracked.ShapeArray);
        Assert.Equal(outShape, m.Forward(x).ShapeArray);
        m.Eval();
        Assert.Equal(outShape, m.Forward(x).ShapeArray);
    }

    /// <summary>After some training steps (so buffers are not at their defaults): config -> JSON -> registry -> state dict, and a safetensors file, reproduce the eval output bit for bit.</summary>
    [Theory]
    [MemberData(nameof(Modules))]
    public void ConfigStateDictAndSafetensorsRoundTripIncludingBuffers(string name)
    {
        var (original, x, _, _) = Create(name, 3);
        foreach (var p in original.Parameters()) Init.Uniform(p, new RandomSource(4), -1f, 1f);
        using (GradMode.NoGrad()) for (int s = 0; s < 3; s++) original.Forward(Create(name, (ulong)(10 + s)).Input);
        original.Eval();
        float[] expected;
        using (GradMode.NoGrad()) expected = original.Forward(x).ToArray();

        string text = original.ToConfig().ToJsonString();
        var rebuilt = ModuleRegistry.Create(JsonNode.Parse(text)!.AsObject());
        Assert.Equal(original.GetType(), rebuilt.GetType());
        Assert.Equal(text, rebuilt.ToConfig().ToJsonString());
        Assert.Equal(original.ToString(), rebuilt.ToString());
        rebuilt.LoadStateDict(original.StateDict());
        rebuilt.Eval();
        using (GradMode.NoGrad()) AssertBitEqual(expected, rebuilt.Forward(x).Data, name + " rebuilt");

        string path = Path.Combine(Path.GetTempPath(), $"ns-norm-{name}-{Environment.ProcessId}.safetensors");
        try
        {
            NeuralSharp.Serialization.SafeTensors.Save(path, original.StateDict());
            using var file = NeuralSharp.Serialization.SafeTensors.Load(path);
            var fromFile = ModuleRegistry.Create(JsonNode.Parse(text)!.AsObject());
            fromFile.LoadStateDict(file.ToDictionary());
            foreach (var (key, t) in original.StateDict()) AssertBitEqual(t.Data, fromFile.StateDict()[key].Data, name + " " + key);
            fromFile.Eval();
            using (GradMode.NoGrad()) AssertBitEqual(expected, fromFile.Forward(x).Data, name + " from file");
        }
        finally { File.Delete(path); }
    }

    [Fact]
    public void BatchNormRunningStatisticsFollowPyTorchsUpdate()
    {
        var bn = new BatchNorm1d(3, momentum: 0.25f);
        var x = Tensor.FromArray([1f, 2f, 3f, 3f, 6f, -1f], 2, 3);
        bn.Forward(x);
        // Channel 0: mean 2, unbiased var 2; channel 1: mean 4, var 8; channel 2: mean 1, var 8.
        Assert.Equal([0.5f, 1f, 0.25f], bn.RunningMean!.ToArray());
        Assert.Equal([0.75f + 0.5f, 0.75f + 2f, 0.75f + 2f], bn.RunningVar!.ToArray());
        Assert.Equal(1f, bn.NumBatchesTracked!.Item());

        var cumulative = new BatchNorm1d(3, momentum: null);
        cumulative.Forward(x);
        cumulative.Forward(Tensor.FromArray([0f, 0f, 0f, 2f, 2f, 2f], 2, 3));
        // Cumulative average of the two batches' means: (mean1 + mean2) / 2.
        Assert.Equal([1.5f, 2.5f, 1f], cumulative.RunningMean!.ToArray());
        Assert.Equal(2f, cumulative.NumBatchesTracked!.Item());
    }

    [Fact]
    public void BatchNormTrainingGradientsMatchFiniteDifferences()
    {
        GradCheck.Check(t => Functional.BatchNorm(t[0], null, null, t[1], t[2], training: true), [GradCheck.Random(1, 5, 4), GradCheck.Positive(2, 4), GradCheck.Random(3, 4)]);
        GradCheck.Check(t => Functional.BatchNorm(t[0], null, null, t[1], t[2], training: true), [GradCheck.Random(4, 3, 2, 5), GradCheck.Positive(5, 2), GradCheck.Random(6, 2)]);
        GradCheck.Check(t => Functional.BatchNorm(t[0], null, null, null, null, training: true), [GradCheck.Random(7, 6, 3)]);
        GradCheck.Check(t => Functional.BatchNorm(t[0], Tensor.Zeros(4), Tensor.Full(2f, 4), t[1], t[2], training: false),
            [GradCheck.Random(8, 3, 4), GradCheck.Positive(9, 4), GradCheck.Random(10, 4)]);
    }

    [Fact]
    public void EmbeddingGradientScatterAddsRowsAndSkipsPadding()
    {
        var emb = new Embedding(5, 3, paddingIdx: 1, random: new RandomSource(2));
        Assert.All(emb.Weight.Data.Slice(3, 3).ToArray(), v => Assert.Equal(0f, v));
        int[] idx = [0, 1, 3, 0, 1];
        var y = emb.Forward(idx, 5);
        Assert.Equal([5, 3], y.ShapeArray);
        y.Backward(Tensor.Ones(5, 3));
        Assert.Equal([2f, 2f, 2f, 0f, 0f, 0f, 0f, 0f, 0f, 1f, 1f, 1f, 0f, 0f, 0f], emb.Weight.Grad!.ToArray());
        GradCheck.Check(t => Functional.Embedding(t[0], [2, 2, 0, 3], [2, 2], null), [GradCheck.Random(1, 4, 3)]);
    }

    [Fact]
    public void ZLossMatchesFiniteDifferencesAndTheFormula()
    {
        var x = Tensor.FromArray([1f, 2f, 3f, -1f, 0f, 50f], 2, 3);
        double lse0 = Math.Log(Math.Exp(1) + Math.Exp(2) + Math.Exp(3)), lse1 = 50 + Math.Log(1 + Math.Exp(-51) + Math.Exp(-50));
        Assert.Equal(0.5 * (lse0 * lse0 + lse1 * lse1) * 0.1, Functional.ZLoss(x, 0.1f).Item(), 1e-3);
        GradCheck.Check(t => Functional.ZLoss(t[0], 0.5f), [GradCheck.Random(3, 4, 5)], eps: 1e-2f);
        GradCheck.Check(t => Functional.CrossEntropyWithZLoss(t[0], [1, 0, 4, 2], 0.3f), [GradCheck.Random(4, 4, 5)]);
    }

    [Fact]
    public void BadConfigurationsNameTheArgument()
    {
        Assert.Equal("numFeatures", Assert.Throws<ArgumentOutOfRangeException>(() => new BatchNorm1d(0)).ParamName);
        Assert.Equal("eps", Assert.Throws<ArgumentOutOfRangeException>(() => new BatchNorm1d(3, eps: 0f)).ParamName);
        var mom = Assert.Throws<ArgumentOutOfRangeException>(() => new BatchNorm1d(3, momentum: 1.5f));
        Assert.Equal("momentum", mom.ParamName);
        Assert.Contains("1.5", mom.Message);
        Assert.Equal("numEmbeddings", Assert.Throws<ArgumentOutOfRangeException>(() => new Embedding(0, 3)).ParamName);
        Assert.Equal("embeddingDim", Assert.Throws<ArgumentOutOfRangeException>(() => new Embedding(3, -1)).ParamName);
        var pad = Assert.Throws<ArgumentOutOfRangeException>(() => new Embedding(3, 2, paddingIdx: 3));
        Assert.Equal("paddingIdx", pad.ParamName);
        Assert.Throws<ArgumentOutOfRangeException>(() => new Embedding(3, 2, paddingIdx: -4));
        Assert.Throws<ArgumentOutOfRangeException>(() => Functional.ZLoss(Tensor.Zeros(2, 3), float.NaN));
        Assert.Throws<ArgumentException>(() => Functional.ZLoss(Tensor.Zeros(6), 1f));
    }

    [Fact]
    public void BatchNormRejectsOneValuePerChannelInTrainingAndWrongShapes()
    {
        var bn = new BatchNorm1d(4);
        var ex = Assert.Throws<ArgumentException>(() => bn.Forward(Tensor.Zeros(1, 4)));
        Assert.Contains("Expected more than 1 value per channel when training", ex.Message);
        Assert.Equal(0f, bn.NumBatchesTracked!.Item()); // nothing was counted
        Assert.Throws<ArgumentException>(() => bn.Forward(Tensor.Zeros(1, 4, 1)));
        bn.Forward(Tensor.Zeros(1, 4, 2)); // two values per channel: fine
        bn.Eval();
        Assert.Equal([1, 4], bn.Forward(Tensor.Zeros(1, 4)).ShapeArray); // eval accepts a single sample
        var shape = Assert.Throws<ArgumentException>(() => bn.Forward(Tensor.Zeros(3, 5)));
        Assert.Contains("[3, 5]", shape.Message);
        Assert.Throws<ArgumentException>(() => bn.Forward(Tensor.Zeros(3)));
        Assert.Throws<ArgumentException>(() => Functional.BatchNorm(Tensor.Zeros(3, 4), null, null, null, null, training: false));
        Assert.Throws<ArgumentException>(() => Functional.BatchNorm(Tensor.Zeros(3, 4), null, null, Tensor.Ones(3), null, training: true));
    }

    [Fact]
    public void EmbeddingErrorsNameTheIndexAndItsPosition()
    {
        var emb = new Embedding(5, 2, random: new RandomSource(1));
        var ex = Assert.Throws<ArgumentException>(() => emb.Forward([0, 1, 2, 7], 2, 2));
        Assert.Contains("index 7", ex.Message);
        Assert.Contains("[1, 1]", ex.Message);
        ex = Assert.Throws<ArgumentException>(() => emb.Forward([0, -1], 2));
        Assert.Contains("index -1", ex.Message);
        ex = Assert.Throws<ArgumentException>(() => emb.Forward(Tensor.FromArray([0f, 1.5f, 2f], 3)));
        Assert.Contains("1.5", ex.Message);
        Assert.Contains("[1]", ex.Message);
        ex = Assert.Throws<ArgumentException>(() => emb.Forward(Tensor.FromArray([0f, 5f], 1, 2)));
        Assert.Contains("[0, 1]", ex.Message);
        Assert.Throws<ArgumentException>(() => emb.Forward([0, 1, 2], 2, 2));
    }

    [Fact]
    public void RegistryReadsNullMomentumAndPaddingIdx()
    {
        var bn = (BatchNorm1d)ModuleRegistry.Create(JsonNode.Parse("""{"type":"BatchNorm1d","num_features":3,"momentum":null}""")!.AsObject());
        Assert.Null(bn.Momentum);
        Assert.Equal(0.1f, ((BatchNorm1d)ModuleRegistry.Create(JsonNode.Parse("""{"type":"BatchNorm1d","num_features":3}""")!.AsObject())).Momentum);
        var emb = (Embedding)ModuleRegistry.Create(JsonNode.Parse("""{"type":"Embedding","num_embeddings":4,"embedding_dim":2,"padding_idx":3}""")!.AsObject());
        Assert.Equal(3, emb.PaddingIdx);
        Assert.Throws<FormatException>(() => ModuleRegistry.Create(JsonNode.Parse("""{"type":"Embedding","num_embeddings":4}""")!.AsObject()));
    }
}
