using NeuralSharp.Onnx.Protos;
using static NeuralSharp.Onnx.Tests.OnnxTestModels;

namespace NeuralSharp.Onnx.Tests.Ops;

/// <summary>Softmax/LogSoftmax/Hardmax opset semantics, LayerNormalization and BatchNormalization: values, shapes, refusals.</summary>
public class NnNormalizationTests
{
    private static float[] Random(int n, int seed)
    {
        var r = new Random(seed);
        return Enumerable.Range(0, n).Select(_ => (float)(r.NextDouble() * 4 - 2)).ToArray();
    }

    private static ValueInfoProto Inferred(string name) => new() { Name = name };

    /// <summary>Softmax in double over [outer, dim, inner].</summary>
    private static double[] SoftmaxReference(float[] x, int outer, int dim, int inner, bool log)
    {
        var y = new double[x.Length];
        for (int o = 0; o < outer; o++)
            for (int i = 0; i < inner; i++)
            {
                int b = o * dim * inner + i;
                double max = Enumerable.Range(0, dim).Max(d => (double)x[b + d * inner]);
                double sum = Enumerable.Range(0, dim).Sum(d => Math.Exp(x[b + d * inner] - max));
                for (int d = 0; d < dim; d++)
                {
                    double z = x[b + d * inner] - max - Math.Log(sum);
                    y[b + d * inner] = log ? z : Math.Exp(z);
                }
            }
        return y;
    }

    private static void AssertClose(double[] expected, ReadOnlySpan<float> actual, double tolerance = 1e-5)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
            Assert.True(Math.Abs(actual[i] - expected[i]) <= tolerance * (1 + Math.Abs(expected[i])), $"element {i}: {actual[i]} vs {expected[i]}");
    }

    [Theory]
    [InlineData("Softmax", 11)]
    [InlineData("Softmax", 13)]
    [InlineData("LogSoftmax", 11)]
    [InlineData("LogSoftmax", 13)]
    public void AxisOneMeansTrailingBlockBefore13AndOneAxisFrom13(string op, int opset)
    {
        int[] shape = [2, 3, 4];
        var x = Random(24, 1);
        var model = Load(Model([Node(op, ["x"], ["y"], Attr("axis", 1L))], [Input("x", OnnxElementType.Float, -1, 3, 4)], [Inferred("y")], opset: opset));
        Assert.Equal(new[] { -1, 3, 4 }, model.Outputs[0].Shape);
        var y = model.Run(OnnxTensor.FromArray(x, shape))[0];
        var expected = opset < 13 ? SoftmaxReference(x, 2, 12, 1, op == "LogSoftmax") : SoftmaxReference(x, 2, 3, 4, op == "LogSoftmax");
        AssertClose(expected, y.AsSpan<float>());
    }

    [Theory]
    [InlineData(1, 2, 12, 1)]   // opset 1: default axis 1, coerced to [2, 12]
    [InlineData(13, 6, 4, 1)]   // opset 13: default axis -1
    public void DefaultAxisDependsOnOpset(int opset, int outer, int dim, int inner)
    {
        var x = Random(24, 2);
        var model = Load(Model([Node("Softmax", ["x"], ["y"])], [Input("x", OnnxElementType.Float, 2, 3, 4)], [Inferred("y")], opset: opset));
        AssertClose(SoftmaxReference(x, outer, dim, inner, false), model.Run(OnnxTensor.FromArray(x, 2, 3, 4))[0].AsSpan<float>());
    }

    [Fact]
    public void DoubleSoftmaxAndHardmaxRun()
    {
        var x = new double[] { 1, 2, 3, 3, 0, -1 };
        var soft = Load(Model([Node("LogSoftmax", ["x"], ["y"])], [Input("x", OnnxElementType.Double, 2, 3)], [Output("y", OnnxElementType.Double)], opset: 13))
            .Run(OnnxTensor.FromArray(x, 2, 3))[0].ToArray<double>();
        double l0 = Math.Log(Math.Exp(1) + Math.Exp(2) + Math.Exp(3));
        Assert.Equal(1 - l0, soft[0], 12);
        var hard = Load(Model([Node("Hardmax", ["x"], ["y"], Attr("axis", 0L))], [Input("x", OnnxElementType.Double, 2, 3)], [Output("y", OnnxElementType.Double)], opset: 11))
            .Run(OnnxTensor.FromArray(x, 2, 3))[0].ToArray<double>();
        // opset 11, axis 0: one block of all six values; the first maximum (3 at index 2) wins.
        Assert.Equal(new double[] { 0, 0, 1, 0, 0, 0 }, hard);
    }

    [Fact]
    public void SoftmaxAxisOutOfRangeIsAFormatErrorAndInt32IsRefused()
    {
        var e = Assert.Throws<OnnxFormatException>(() => Load(Model([Node("Softmax", ["x"], ["y"], Attr("axis", 3L))],
            [Input("x", OnnxElementType.Float, 2, 3)], [Inferred("y")], opset: 13)));
        Assert.Contains("axis 3 is out of range", e.Message);
        var u = Assert.Throws<OnnxUnsupportedException>(() => Load(Model([Node("Softmax", ["x"], ["y"])],
            [Input("x", OnnxElementType.Int32, 2, 3)], [Output("y", OnnxElementType.Int32)], opset: 13)));
        Assert.Contains("unsupported data type int32", u.Message);
    }

    /// <summary>LayerNorm reference: rows × cols, gamma and beta per column (already broadcast).</summary>
    private static (double[] Y, double[] Mean, double[] Rstd) LayerNormReference(float[] x, float[] gamma, float[]? beta, int rows, int cols, double eps)
    {
        var y = new double[x.Length]; var mean = new double[rows]; var rstd = new double[rows];
        for (int r = 0; r < rows; r++)
        {
            var row = x.Skip(r * cols).Take(cols).Select(v => (double)v).ToArray();
            double m = row.Average(), v = row.Average(t => (t - m) * (t - m));
            mean[r] = m; rstd[r] = 1 / Math.Sqrt(v + eps);
            for (int c = 0; c < cols; c++) y[r * cols + c] = (row[c] - m) * rstd[r] * gamma[c] + (beta?[c] ?? 0);
        }
        return (y, mean, rstd);
    }

    [Fact]
    public void LayerNormalizationOverTrailingDimsWithBroadcastScaleAndStatistics()
    {
        // X [-1, 3, 4], axis 1: normalise over [3, 4]; Scale [4] broadcasts over the block, B [3, 4] is full.
        var x = Random(2 * 12, 3); var scale = Random(4, 4); var bias = Random(12, 5);
        var model = Load(Model([Node("LayerNormalization", ["x", "s", "b"], ["y", "mean", "rstd"], Attr("axis", 1L), Attr("epsilon", 0.01f))],
            [Input("x", OnnxElementType.Float, -1, 3, 4)], [Inferred("y"), Inferred("mean"), Inferred("rstd")],
            new Dictionary<string, OnnxTensor> { ["s"] = OnnxTensor.FromArray(scale, 4), ["b"] = OnnxTensor.FromArray(bias, 3, 4) }));
        Assert.Equal(new[] { -1, 3, 4 }, model.Outputs[0].Shape);
        Assert.Equal(new[] { -1, 1, 1 }, model.Outputs[1].Shape);
        Assert.Equal(new[] { -1, 1, 1 }, model.Outputs[2].Shape);
        var outs = model.Run(OnnxTensor.FromArray(x, 2, 3, 4));
        var gamma = Enumerable.Range(0, 12).Select(i => scale[i % 4]).ToArray();
        var (y, mean, rstd) = LayerNormReference(x, gamma, bias, 2, 12, 0.01);
        AssertClose(y, outs[0].AsSpan<float>(), 1e-5);
        Assert.Equal(new[] { 2, 1, 1 }, outs[1].ShapeArray);
        AssertClose(mean, outs[1].AsSpan<float>(), 1e-5);
        AssertClose(rstd, outs[2].AsSpan<float>(), 1e-5);
    }

    [Fact]
    public void LayerNormalizationDefaultAxisWithoutBiasUsesTheLastDimension()
    {
        var x = Random(5 * 7, 6); var scale = Random(7, 7);
        var model = Load(Model([Node("LayerNormalization", ["x", "s"], ["y"])], [Input("x", OnnxElementType.Float, 5, 7)], [Inferred("y")],
            new Dictionary<string, OnnxTensor> { ["s"] = OnnxTensor.FromArray(scale, 7) }));
        AssertClose(LayerNormReference(x, scale, null, 5, 7, 1e-5).Y, model.Run(OnnxTensor.FromArray(x, 5, 7))[0].AsSpan<float>(), 1e-5);
    }

    [Fact]
    public void LayerNormalizationRefusesOtherStashTypesAndRejectsMismatchedScale()
    {
        var e = Assert.Throws<OnnxUnsupportedException>(() => Load(Model([Node("LayerNormalization", ["x", "s"], ["y"], Attr("stash_type", 11L))],
            [Input("x", OnnxElementType.Float, 2, 3), Input("s", OnnxElementType.Float, 3)], [Inferred("y")])));
        Assert.Contains("stash_type 11", e.Message);
        var model = Load(Model([Node("LayerNormalization", ["x", "s"], ["y"])],
            [Input("x", OnnxElementType.Float, 2, 3), Input("s", OnnxElementType.Float, 2)], [Inferred("y")]));
        var a = Assert.Throws<ArgumentException>(() => model.Run(OnnxTensor.FromArray(new float[6], 2, 3), OnnxTensor.FromArray(new float[2], 2)));
        Assert.Contains("LayerNormalization Scale", a.Message);
    }

    private static ModelProto BatchNormModel(int opset, int outputs = 1, params AttributeProto[] attrs) =>
        Model([Node("BatchNormalization", ["x", "s", "b", "m", "v"], Enumerable.Range(0, outputs).Select(i => i == 0 ? "y" : $"o{i}").ToArray(), attrs)],
            [Input("x", OnnxElementType.Float, -1, -1, 3)], Enumerable.Range(0, outputs).Select(i => Inferred(i == 0 ? "y" : $"o{i}")),
            new Dictionary<string, OnnxTensor>
            {
                ["s"] = OnnxTensor.FromArray(new float[] { 2, 0.5f }, 2), ["b"] = OnnxTensor.FromArray(new float[] { 1, -1 }, 2),
                ["m"] = OnnxTensor.FromArray(new float[] { 0.5f, -2 }, 2), ["v"] = OnnxTensor.FromArray(new float[] { 4, 0.25f }, 2),
            }, opset);

    [Theory]
    [InlineData(7)]
    [InlineData(9)]
    [InlineData(14)]
    [InlineData(15)]
    public void BatchNormalizationInferenceUsesTheGivenStatistics(int opset)
    {
        var model = Load(BatchNormModel(opset, 1, Attr("epsilon", 0f)));
        Assert.Equal(new[] { -1, -1, 3 }, model.Outputs[0].Shape);
        var x = Random(12, 8);
        var y = model.Run(OnnxTensor.FromArray(x, 2, 2, 3))[0].ToArray<float>();
        float[] s = [2, 0.5f], b = [1, -1], m = [0.5f, -2], sd = [2, 0.5f];
        for (int i = 0; i < 12; i++)
        {
            int c = i / 3 % 2;
            Assert.Equal((x[i] - m[c]) / sd[c] * s[c] + b[c], y[i], 5);
        }
    }

    [Fact]
    public void BatchNormalizationRefusesTheOldTrainingModes()
    {
        var e = Assert.Throws<OnnxUnsupportedException>(() => Load(BatchNormModel(6)));
        Assert.Contains("training mode (is_test = 0)", e.Message);
        Assert.NotNull(Load(BatchNormModel(6, 1, Attr("is_test", 1L))));
        e = Assert.Throws<OnnxUnsupportedException>(() => Load(BatchNormModel(9, 3)));
        Assert.Contains("training mode outputs", e.Message);
        e = Assert.Throws<OnnxUnsupportedException>(() => Load(BatchNormModel(9, 1, Attr("spatial", 1L))));
        Assert.Contains("unsupported attribute 'spatial'", e.Message);
    }

    [Fact]
    public void BatchNormalizationTrainingModeUsesBatchStatisticsAndUpdatesRunningOnes()
    {
        var model = Load(BatchNormModel(15, 3, Attr("training_mode", 1L), Attr("momentum", 0.75f), Attr("epsilon", 0f)));
        var x = Random(12, 9); // [N=2, C=2, L=3]
        var outs = model.Run(OnnxTensor.FromArray(x, 2, 2, 3));
        float[] s = [2, 0.5f], b = [1, -1], m = [0.5f, -2], v = [4, 0.25f];
        for (int c = 0; c < 2; c++)
        {
            var values = Enumerable.Range(0, 12).Where(i => i / 3 % 2 == c).Select(i => (double)x[i]).ToArray();
            double mean = values.Average(), variance = values.Select(t => (t - mean) * (t - mean)).Average();
            foreach (int i in Enumerable.Range(0, 12).Where(i => i / 3 % 2 == c))
                Assert.Equal((x[i] - mean) / Math.Sqrt(variance) * s[c] + b[c], outs[0].AsSpan<float>()[i], 4);
            Assert.Equal(m[c] * 0.75 + mean * 0.25, outs[1].AsSpan<float>()[c], 5);
            Assert.Equal(v[c] * 0.75 + variance * 0.25, outs[2].AsSpan<float>()[c], 5);
        }
    }

    [Fact]
    public void BatchNormalizationSpatialZeroTakesStatisticsPerActivation()
    {
        // opset 7, spatial = 0: X [N, 2, 3] with scale/B/mean/var of [2, 3], one value per (channel, position).
        var stats = Enumerable.Range(0, 4).Select(k => Random(6, 10 + k).Select(v => k == 3 ? Math.Abs(v) + 0.1f : v).ToArray()).ToArray();
        var model = Load(Model([Node("BatchNormalization", ["x", "s", "b", "m", "v"], ["y"], Attr("spatial", 0L))],
            [Input("x", OnnxElementType.Float, -1, 2, 3)], [Inferred("y")],
            new Dictionary<string, OnnxTensor>
            {
                ["s"] = OnnxTensor.FromArray(stats[0], 2, 3), ["b"] = OnnxTensor.FromArray(stats[1], 2, 3),
                ["m"] = OnnxTensor.FromArray(stats[2], 2, 3), ["v"] = OnnxTensor.FromArray(stats[3], 2, 3),
            }, opset: 7));
        var x = Random(12, 9);
        var y = model.Run(OnnxTensor.FromArray(x, 2, 2, 3))[0].ToArray<float>();
        for (int i = 0; i < 12; i++)
        {
            int k = i % 6;
            Assert.Equal((x[i] - stats[2][k]) / MathF.Sqrt(stats[3][k] + 1e-5f) * stats[0][k] + stats[1][k], y[i], 4);
        }
        var a = Assert.Throws<ArgumentException>(() => Load(BatchNormModel(15)).Run(OnnxTensor.FromArray(new float[24], 2, 4, 3)));
        Assert.Contains("BatchNormalization: scale [2] must have 4 values", a.Message);
    }
}
