using System.Text.Json.Nodes;
using NeuralSharp.Data;

namespace NeuralSharp.Tests.Data;

public class PreprocessorTests
{
    private static InMemoryDataset RandomDataset(int rows, int cols, int seed)
    {
        var random = new Random(seed);
        var features = new float[rows * cols];
        for (int i = 0; i < features.Length; i++) features[i] = (float)(random.NextDouble() * 10 * (i % cols + 1) - 3);
        for (int r = 0; r < rows; r++) features[r * cols] = 2.5f; // a constant feature
        return new InMemoryDataset(features, new int[rows], [cols], 1);
    }

    [Fact]
    public void StandardizerGivesZeroMeanUnitStd()
    {
        var train = RandomDataset(200, 5, 1234);
        var s = new Standardizer();
        s.Fit(train);
        var z = train.Transform(s);
        for (int j = 0; j < 5; j++)
        {
            double sum = 0, sq = 0;
            for (int r = 0; r < z.Count; r++) sum += z.Features[r * 5 + j];
            double mean = sum / z.Count;
            for (int r = 0; r < z.Count; r++) sq += Math.Pow(z.Features[r * 5 + j] - mean, 2);
            Assert.True(Math.Abs(mean) < 1e-5, $"feature {j} mean {mean}");
            double std = Math.Sqrt(sq / z.Count);
            Assert.True(j == 0 ? std == 0 : Math.Abs(std - 1) < 1e-5, $"feature {j} std {std}");
        }
        Assert.Equal(1f, s.Std[0]);
        Assert.Equal(2.5f, s.Mean[0]);
        Assert.All(Enumerable.Range(0, z.Count), r => Assert.Equal(0f, z.Features[r * 5]));
    }

    [Fact]
    public void StandardizerMatchesDoubleReference()
    {
        float[] x = [1, 2, 3, 4, 10, 20, 30, 40]; // rows of 2: feature 0 = 1,3,10,30; feature 1 = 2,4,20,40
        var s = new Standardizer();
        s.Fit(x, 2);
        double m0 = (1 + 3 + 10 + 30) / 4.0, v0 = (Math.Pow(1 - m0, 2) + Math.Pow(3 - m0, 2) + Math.Pow(10 - m0, 2) + Math.Pow(30 - m0, 2)) / 4;
        Assert.Equal((float)m0, s.Mean[0]);
        Assert.Equal((float)Math.Sqrt(v0), s.Std[0]);
        float[] one = [1, 2];
        s.Transform(one);
        Assert.Equal((float)((1 - m0) / (float)Math.Sqrt(v0)), one[0], 6);
    }

    [Fact]
    public void MinMaxScalerMapsTrainingRangeToUnitInterval()
    {
        var train = RandomDataset(100, 4, 7);
        var m = new MinMaxScaler();
        m.Fit(train);
        var t = train.Transform(m);
        for (int j = 0; j < 4; j++)
        {
            var column = Enumerable.Range(0, t.Count).Select(r => t.Features[r * 4 + j]).ToArray();
            Assert.Equal(j == 0 ? 0f : 0f, column.Min());
            Assert.Equal(j == 0 ? 0f : 1f, column.Max());
        }
        float[] outside = [2.5f, m.Max[1] + (m.Max[1] - m.Min[1]), m.Min[2], m.Max[3]];
        m.Transform(outside);
        Assert.Equal(new[] { 0f, 2f, 0f, 1f }, outside);
    }

    [Fact]
    public void TrainStatisticsAreAppliedToTestData()
    {
        var (train, test) = RandomDataset(100, 3, 11).Split(0.3, seed: 5);
        var s = new Standardizer();
        s.Fit(train);
        var transformed = test.Transform(s);
        var expected = test.Features.ToArray();
        s.TransformBatch(expected, test.Count);
        Assert.Equal(expected, transformed.Features.ToArray());
        Assert.Equal(test.Labels.ToArray(), transformed.Labels.ToArray());
    }

    [Fact]
    public void JsonRoundTripIsBitExact()
    {
        var data = RandomDataset(50, 6, 3);
        IPreprocessor[] all = [new Standardizer(), new MinMaxScaler()];
        foreach (var p in all)
        {
            p.Fit(data);
            string text = p.ToJson().ToJsonString();
            var restored = Preprocessors.FromJson(JsonNode.Parse(text)!.AsObject());
            Assert.Equal(p.GetType(), restored.GetType());
            Assert.Equal(p.ToJson().ToJsonString(), restored.ToJson().ToJsonString());
            var a = data.Features.ToArray();
            var b = data.Features.ToArray();
            p.TransformBatch(a, data.Count);
            restored.TransformBatch(b, data.Count);
            Assert.Equal(a, b);
            // Also when the JSON object is used directly, without text.
            var direct = Preprocessors.FromJson(p.ToJson());
            Assert.Equal(p.ToJson().ToJsonString(), direct.ToJson().ToJsonString());
        }
        Assert.Equal("Standardizer", (string?)all[0].ToJson()["type"]);
        Assert.Equal("MinMaxScaler", (string?)all[1].ToJson()["type"]);
        Assert.False(Preprocessors.FromJson(new Standardizer().ToJson()).IsFitted);
    }

    [Fact]
    public void ErrorsAreReported()
    {
        Assert.Throws<FormatException>(() => Preprocessors.FromJson(new JsonObject { ["type"] = "Nope" }));
        Assert.Throws<FormatException>(() => Preprocessors.FromJson(new JsonObject()));
        Assert.Throws<FormatException>(() => Preprocessors.FromJson(new JsonObject { ["type"] = 3 }));
        Assert.Throws<FormatException>(() => Preprocessors.FromJson(new JsonObject { ["type"] = "Standardizer", ["mean"] = new JsonArray(1) }));
        var s = new Standardizer();
        Assert.Throws<InvalidOperationException>(() => s.Transform(new float[3]));
        Assert.Throws<ArgumentException>(() => s.Fit(new float[] { 1, float.NaN }, 2));
        Assert.Throws<ArgumentException>(() => s.Fit(ReadOnlySpan<float>.Empty, 2));
        s.Fit(new float[] { 1, 2, 3, 4 }, 2);
        Assert.Throws<ArgumentException>(() => s.Transform(new float[3]));
        Assert.Throws<ArgumentException>(() => s.TransformBatch(new float[3], 2));
        var wide = new InMemoryDataset(new float[3], [0], [3], 1);
        Assert.Throws<ArgumentException>(() => wide.Transform(s));
    }
}
