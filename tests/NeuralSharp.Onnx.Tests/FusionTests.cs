using static NeuralSharp.Onnx.Tests.OnnxTestModels;

namespace NeuralSharp.Onnx.Tests;

/// <summary>The compiler's fusion of linear layers with activations gives the same values as the unfused ops.</summary>
public class FusionTests
{
    private static float[] Random(int n, int seed)
    {
        var r = new Random(seed);
        return Enumerable.Range(0, n).Select(_ => (float)(r.NextDouble() * 2 - 1)).ToArray();
    }

    private static float[] Reference(float[] x, float[] w, float[] b, int rows, int k, int n, Func<double, double> act)
    {
        var y = new float[rows * n];
        for (int i = 0; i < rows; i++)
            for (int j = 0; j < n; j++)
            {
                double s = b[j];
                for (int p = 0; p < k; p++) s += (double)x[i * k + p] * w[j * k + p];
                y[i * n + j] = (float)act(s);
            }
        return y;
    }

    [Theory]
    [InlineData("Relu")]
    [InlineData("Sigmoid")]
    [InlineData("Tanh")]
    public void GemmWithActivationFusesAndMatchesReference(string activation)
    {
        const int rows = 5, k = 7, n = 3;
        var w = Random(n * k, 1); var b = Random(n, 2); var x = Random(rows * k, 3);
        var model = Load(Model(
            [Node("Gemm", ["x", "w", "b"], ["z"], Attr("transB", 1L)), Node(activation, ["z"], ["y"])],
            [Input("x", OnnxElementType.Float, -1, k)], [Output("y")],
            new Dictionary<string, OnnxTensor> { ["w"] = OnnxTensor.FromArray(w, n, k), ["b"] = OnnxTensor.FromArray(b, n) }));
        Assert.Equal(1, model.StepCount);
        var y = model.Run(OnnxTensor.FromArray(x, rows, k))[0];
        Func<double, double> f = activation switch
        {
            "Relu" => v => Math.Max(v, 0),
            "Sigmoid" => v => 1 / (1 + Math.Exp(-v)),
            _ => Math.Tanh,
        };
        var expected = Reference(x, w, b, rows, k, n, f);
        Assert.Equal(new[] { rows, n }, y.ShapeArray);
        for (int i = 0; i < expected.Length; i++) Assert.Equal(expected[i], y.AsSpan<float>()[i], 5e-6f);
    }

    [Fact]
    public void MatMulAddGeluSubgraphFusesIntoOneStep()
    {
        const int rows = 4, k = 6, n = 5;
        var wt = Random(k * n, 4); var b = Random(n, 5); var x = Random(rows * k, 6);
        var model = Load(Model(
            [
                Node("MatMul", ["x", "w"], ["m"]), Node("Add", ["m", "b"], ["z"]),
                Node("Div", ["z", "sqrt2"], ["d"]), Node("Erf", ["d"], ["e"]), Node("Add", ["e", "one"], ["a"]),
                Node("Mul", ["z", "a"], ["p"]), Node("Mul", ["p", "half"], ["y"]),
            ],
            [Input("x", OnnxElementType.Float, -1, k)], [Output("y")],
            new Dictionary<string, OnnxTensor>
            {
                ["w"] = OnnxTensor.FromArray(wt, k, n), ["b"] = OnnxTensor.FromArray(b, n),
                ["sqrt2"] = OnnxTensor.FromArray([MathF.Sqrt(2f)]), ["one"] = OnnxTensor.FromArray([1f]), ["half"] = OnnxTensor.FromArray([0.5f]),
            }));
        Assert.Equal(1, model.StepCount);
        var w = new float[n * k];
        for (int p = 0; p < k; p++) for (int j = 0; j < n; j++) w[j * k + p] = wt[p * n + j];
        var expected = Reference(x, w, b, rows, k, n, v => 0.5 * v * (1 + Erf(v / Math.Sqrt(2))));
        var y = model.Run(OnnxTensor.FromArray(x, rows, k))[0];
        for (int i = 0; i < expected.Length; i++) Assert.Equal(expected[i], y.AsSpan<float>()[i], 5e-6f);
    }

    /// <summary>erf by Abramowitz and Stegun 7.1.26 (absolute error below 1.5e-7).</summary>
    private static double Erf(double x)
    {
        double t = 1 / (1 + 0.3275911 * Math.Abs(x));
        double y = 1 - (((((1.061405429 * t - 1.453152027) * t) + 1.421413741) * t - 0.284496736) * t + 0.254829592) * t * Math.Exp(-x * x);
        return Math.Sign(x) * y;
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void GemmBatchNormReluFoldsIntoOneStepInInferenceModeOnly(bool training)
    {
        const int rows = 6, k = 5, n = 4;
        var w = Random(n * k, 7); var b = Random(n, 8); var x = Random(rows * k, 9);
        float[] scale = [1.5f, 0.5f, -1f, 2f], beta = [0.1f, -0.2f, 0.3f, 0f], mean = [0.2f, -0.1f, 0f, 0.5f], variance = [1f, 0.25f, 4f, 0.5f];
        var bn = Node("BatchNormalization", ["z", "s", "beta", "mean", "var"], ["n"], Attr("epsilon", 1e-3f));
        if (training) bn.Attribute.Add(Attr("training_mode", 1L));
        var model = Load(Model(
            [Node("Gemm", ["x", "w", "b"], ["z"], Attr("transB", 1L)), bn, Node("Relu", ["n"], ["y"])],
            [Input("x", OnnxElementType.Float, -1, k)], [Output("y")],
            new Dictionary<string, OnnxTensor>
            {
                ["w"] = OnnxTensor.FromArray(w, n, k), ["b"] = OnnxTensor.FromArray(b, n), ["s"] = OnnxTensor.FromArray(scale, n),
                ["beta"] = OnnxTensor.FromArray(beta, n), ["mean"] = OnnxTensor.FromArray(mean, n), ["var"] = OnnxTensor.FromArray(variance, n),
            }, opset: 15));
        Assert.Equal(training ? 3 : 1, model.StepCount);
        var z = Reference(x, w, b, rows, k, n, v => v);
        var y = model.Run(OnnxTensor.FromArray(x, rows, k))[0].AsSpan<float>();
        for (int j = 0; j < n; j++)
        {
            var column = Enumerable.Range(0, rows).Select(i => (double)z[i * n + j]).ToArray();
            double m = training ? column.Average() : mean[j];
            double v = training ? column.Select(c => (c - m) * (c - m)).Average() : variance[j];
            for (int i = 0; i < rows; i++)
            {
                double expected = Math.Max(0, (column[i] - m) / Math.Sqrt(v + 1e-3) * scale[j] + beta[j]);
                Assert.Equal(expected, y[i * n + j], 5);
            }
        }
    }
}
