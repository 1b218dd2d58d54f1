using NeuralSharp.Onnx.Protos;
using static NeuralSharp.Onnx.Tests.OnnxTestModels;

namespace NeuralSharp.Onnx.Tests.Ops;

/// <summary>The Reduce* family and ArgMax/ArgMin: opset variants of the axes, shape inference, values against a naive reference, errors.</summary>
public class NnReduceTests
{
    private static float[] Random(int n, int seed, double lo = -2, double hi = 2)
    {
        var r = new Random(seed);
        return Enumerable.Range(0, n).Select(_ => (float)(lo + r.NextDouble() * (hi - lo))).ToArray();
    }

    /// <summary>An output declared by name only, so that its type and shape come from inference.</summary>
    private static ValueInfoProto Inferred(string name) => new() { Name = name };

    /// <summary>A naive reduction in double: for each output index, visit every input index that maps to it.</summary>
    private static double[] Reference(float[] x, int[] shape, bool[] reduced, string kind)
    {
        int rank = shape.Length;
        var outShape = shape.Select((d, i) => reduced[i] ? 1 : d).ToArray();
        int outLength = outShape.Aggregate(1, (a, b) => a * b);
        var values = Enumerable.Range(0, outLength).Select(_ => new List<double>()).ToArray();
        var index = new int[rank];
        for (int flat = 0; flat < x.Length; flat++)
        {
            int o = 0;
            for (int i = 0; i < rank; i++) o = o * outShape[i] + (reduced[i] ? 0 : index[i]);
            values[o].Add(x[flat]);
            for (int i = rank - 1; i >= 0; i--) { if (++index[i] < shape[i]) break; index[i] = 0; }
        }
        return values.Select(v => kind switch
        {
            "ReduceSum" => v.Sum(),
            "ReduceMean" => v.Sum() / v.Count,
            "ReduceMax" => v.Count == 0 ? double.NegativeInfinity : v.Max(),
            "ReduceMin" => v.Count == 0 ? double.PositiveInfinity : v.Min(),
            "ReduceProd" => v.Aggregate(1.0, (a, b) => a * b),
            "ReduceL1" => v.Sum(Math.Abs),
            "ReduceL2" => Math.Sqrt(v.Sum(t => t * t)),
            "ReduceSumSquare" => v.Sum(t => t * t),
            "ReduceLogSum" => Math.Log(v.Sum()),
            "ReduceLogSumExp" => Math.Log(v.Sum(Math.Exp)),
            _ => throw new ArgumentException(kind),
        }).ToArray();
    }

    public static TheoryData<string> Kinds() =>
        ["ReduceSum", "ReduceMean", "ReduceMax", "ReduceMin", "ReduceProd", "ReduceL1", "ReduceL2", "ReduceSumSquare", "ReduceLogSum", "ReduceLogSumExp"];

    [Theory]
    [MemberData(nameof(Kinds))]
    public void EveryAxisSubsetMatchesNaiveReference(string kind)
    {
        // Sizes 1 inside the shape exercise the merging of dimensions, 37 the SIMD paths and their tails; LogSum needs positive sums.
        int[][] shapes = [[2, 3, 1, 5], [3, 1, 4, 2], [7], [2, 0, 3], [1, 1], [], [3, 2, 37]];
        foreach (var shape in shapes)
        {
            int n = shape.Aggregate(1, (a, b) => a * b);
            var x = Random(n, 7 + n, kind == "ReduceLogSum" ? 0.1 : -2, kind == "ReduceProd" ? 1.5 : 2);
            for (int mask = 0; mask < 1 << shape.Length; mask++)
            {
                var reduced = Enumerable.Range(0, shape.Length).Select(i => (mask >> i & 1) != 0).ToArray();
                var axes = Enumerable.Range(0, shape.Length).Where(i => reduced[i]).Select(i => (long)i).ToArray();
                if (axes.Length == 0) reduced = Enumerable.Repeat(true, shape.Length).ToArray(); // no axes: all
                foreach (bool keep in new[] { true, false })
                {
                    var attrs = new List<AttributeProto> { Attr("keepdims", keep ? 1L : 0L) };
                    if (axes.Length > 0) attrs.Add(Attr("axes", axes));
                    var model = Load(Model([Node(kind, ["x"], ["y"], attrs.ToArray())], [Input("x", OnnxElementType.Float, shape)], [Inferred("y")], opset: 11));
                    var y = model.Run(OnnxTensor.FromArray(x, shape))[0];
                    var expectedShape = shape.Select((d, i) => reduced[i] ? 1 : d).Where((d, i) => keep || !reduced[i]).ToArray();
                    Assert.Equal(expectedShape, y.ShapeArray);
                    Assert.Equal(expectedShape, model.Outputs[0].Shape);
                    var expected = Reference(x, shape, reduced, kind);
                    var actual = y.AsSpan<float>().ToArray();
                    Assert.Equal(expected.Length, actual.Length);
                    for (int i = 0; i < expected.Length; i++)
                    {
                        if (double.IsInfinity(expected[i]) || double.IsNaN(expected[i])) { Assert.Equal((float)expected[i], actual[i]); continue; }
                        Assert.True(Math.Abs(actual[i] - expected[i]) <= 1e-6 + 1e-5 * Math.Abs(expected[i]),
                            $"{kind} [{string.Join(",", shape)}] axes [{string.Join(",", axes)}] element {i}: {actual[i]} vs {expected[i]}");
                    }
                }
            }
        }
    }

    [Fact]
    public void ReduceSumTakesAxesAsAttributeBefore13AndAsInputFrom13()
    {
        var x = OnnxTensor.FromArray(new float[] { 1, 2, 3, 4, 5, 6 }, 2, 3);
        var old = Load(Model([Node("ReduceSum", ["x"], ["y"], Attr("axes", new long[] { 1 }), Attr("keepdims", 0L))],
            [Input("x", OnnxElementType.Float, 2, 3)], [Inferred("y")], opset: 11));
        Assert.Equal(new float[] { 6, 15 }, old.Run(x)[0].ToArray<float>());

        var constant = Load(Model([Node("ReduceSum", ["x", "axes"], ["y"], Attr("keepdims", 0L))],
            [Input("x", OnnxElementType.Float, 2, 3)], [Inferred("y")],
            new Dictionary<string, OnnxTensor> { ["axes"] = OnnxTensor.FromArray(new long[] { 0 }, 1) }, opset: 13));
        Assert.Equal(new[] { 3 }, constant.Outputs[0].Shape);
        Assert.Equal(new float[] { 5, 7, 9 }, constant.Run(x)[0].ToArray<float>());

        // At 13 the attribute no longer exists: refusing it beats silently reducing over all axes.
        var e = Assert.Throws<OnnxUnsupportedException>(() => Load(Model([Node("ReduceSum", ["x"], ["y"], Attr("axes", new long[] { 1 }))],
            [Input("x", OnnxElementType.Float, 2, 3)], [Inferred("y")], opset: 13)));
        Assert.Contains("unsupported attribute 'axes'", e.Message);
    }

    [Fact]
    public void RuntimeAxesInputInfersRankWithKeepDimsAndReducesAtRunTime()
    {
        var model = Load(Model([Node("ReduceSum", ["x", "axes"], ["y"])],
            [Input("x", OnnxElementType.Float, 2, 1, 3), Input("axes", OnnxElementType.Int64, 1)], [Inferred("y")], opset: 13));
        Assert.Equal(new[] { -1, 1, -1 }, model.Outputs[0].Shape);
        var y = model.Run(OnnxTensor.FromArray(new float[] { 1, 2, 3, 4, 5, 6 }, 2, 1, 3), OnnxTensor.FromArray(new long[] { -1 }, 1))[0];
        Assert.Equal(new[] { 2, 1, 1 }, y.ShapeArray);
        Assert.Equal(new float[] { 6, 15 }, y.ToArray<float>());
        var e = Assert.Throws<ArgumentException>(() => model.Run(OnnxTensor.FromArray(new float[6], 2, 1, 3), OnnxTensor.FromArray(new long[] { 3 }, 1)));
        Assert.Contains("ReduceSum", e.Message);
        Assert.Contains("out of range", e.Message);
    }

    [Fact]
    public void EmptyAxesReduceAllUnlessNoop()
    {
        var x = OnnxTensor.FromArray(new float[] { 1, 2, 3, 4 }, 2, 2);
        var all = Load(Model([Node("ReduceMean", ["x"], ["y"], Attr("keepdims", 0L))], [Input("x", OnnxElementType.Float, -1, 2)], [Inferred("y")], opset: 18));
        Assert.Equal(Array.Empty<int>(), all.Outputs[0].Shape);
        Assert.Equal(new float[] { 2.5f }, all.Run(x)[0].ToArray<float>());

        var noop = Load(Model([Node("ReduceMean", ["x", "axes"], ["y"], Attr("noop_with_empty_axes", 1L))], [Input("x", OnnxElementType.Float, -1, 2)], [Inferred("y")],
            new Dictionary<string, OnnxTensor> { ["axes"] = OnnxTensor.FromArray(Array.Empty<long>(), 0) }, opset: 18));
        Assert.Equal(new[] { -1, 2 }, noop.Outputs[0].Shape);
        Assert.Equal(x.ToArray<float>(), noop.Run(x)[0].ToArray<float>());
    }

    [Fact]
    public void ReduceMeanTakesAxesAsInputFrom18AndKeepsSymbolicDims()
    {
        var model = Load(Model([Node("ReduceMean", ["x", "axes"], ["y"])], [Input("x", OnnxElementType.Float, -1, 4, 3)], [Inferred("y")],
            new Dictionary<string, OnnxTensor> { ["axes"] = OnnxTensor.FromArray(new long[] { 1 }, 1) }, opset: 18));
        Assert.Equal(new[] { -1, 1, 3 }, model.Outputs[0].Shape);
        var x = Random(2 * 4 * 3, 3);
        var y = model.Run(OnnxTensor.FromArray(x, 2, 4, 3))[0].ToArray<float>();
        for (int b = 0; b < 2; b++)
            for (int j = 0; j < 3; j++)
                Assert.Equal(Enumerable.Range(0, 4).Average(k => (double)x[(b * 4 + k) * 3 + j]), y[b * 3 + j], 5);
    }

    [Fact]
    public void RepeatedOrOutOfRangeAxesAreFormatErrors()
    {
        var e = Assert.Throws<OnnxFormatException>(() => Load(Model([Node("ReduceMax", ["x"], ["y"], Attr("axes", new long[] { 1, -1 }))],
            [Input("x", OnnxElementType.Float, 2, 3)], [Inferred("y")], opset: 13)));
        Assert.Contains("repeated", e.Message);
        e = Assert.Throws<OnnxFormatException>(() => Load(Model([Node("ReduceMax", ["x"], ["y"], Attr("axes", new long[] { 2 }))],
            [Input("x", OnnxElementType.Float, 2, 3)], [Inferred("y")], opset: 13)));
        Assert.Contains("out of range", e.Message);
    }

    [Fact]
    public void IntegerSumsMaxAndMinAreExactAndMeanOfIntegersIsRefused()
    {
        long big = 1L << 60;
        var x = OnnxTensor.FromArray(new long[] { big, 1, -3, big, 2, 7 }, 2, 3);
        foreach (var (op, expected) in new[] { ("ReduceSum", new long[] { big - 2, big + 9 }), ("ReduceMax", new[] { big, big }), ("ReduceMin", new long[] { -3, 2 }) })
        {
            var model = Load(Model([Node(op, ["x"], ["y"], Attr("axes", new long[] { 1 }), Attr("keepdims", 0L))],
                [Input("x", OnnxElementType.Int64, 2, 3)], [Output("y", OnnxElementType.Int64)], opset: 11));
            Assert.Equal(expected, model.Run(x)[0].ToArray<long>());
        }
        var e = Assert.Throws<OnnxUnsupportedException>(() => Load(Model([Node("ReduceMean", ["x"], ["y"])],
            [Input("x", OnnxElementType.Int64, 2, 3)], [Output("y", OnnxElementType.Int64)], opset: 13)));
        Assert.Contains("unsupported data type int64", e.Message);
    }

    [Theory]
    [InlineData("ReduceMax")]
    [InlineData("ReduceMin")]
    public void MaxAndMinPropagateNaNAlongEitherAxis(string op)
    {
        var x = Random(3 * 20, 11);
        x[1 * 20 + 5] = float.NaN;
        foreach (long axis in new long[] { 0, 1 })
        {
            var model = Load(Model([Node(op, ["x"], ["y"], Attr("axes", new[] { axis }), Attr("keepdims", 0L))],
                [Input("x", OnnxElementType.Float, 3, 20)], [Inferred("y")], opset: 13));
            var y = model.Run(OnnxTensor.FromArray(x, 3, 20))[0].ToArray<float>();
            for (int i = 0; i < y.Length; i++)
                Assert.Equal(i == (axis == 0 ? 5 : 1), float.IsNaN(y[i]));
        }
    }

    [Fact]
    public void ReduceLogSumExpDoesNotOverflowAndHandlesMinusInfinity()
    {
        var model = Load(Model([Node("ReduceLogSumExp", ["x"], ["y"], Attr("axes", new long[] { 1 }), Attr("keepdims", 0L))],
            [Input("x", OnnxElementType.Float, 2, 2)], [Inferred("y")], opset: 13));
        var y = model.Run(OnnxTensor.FromArray(new float[] { 1000, 1000, float.NegativeInfinity, float.NegativeInfinity }, 2, 2))[0].ToArray<float>();
        Assert.Equal(1000 + MathF.Log(2), y[0], 3);
        Assert.Equal(float.NegativeInfinity, y[1]);
    }

    [Fact]
    public void ArgMaxAndArgMinWithTiesNaNAndKeepDims()
    {
        var x = OnnxTensor.FromArray(new float[] { 1, 3, 3, 0, 5, -1, 5, -1, 2, float.NaN, 7, float.NaN }, 3, 4);
        OnnxTensor Run(string op, int opset, params AttributeProto[] attrs) =>
            Load(Model([Node(op, ["x"], ["y"], attrs)], [Input("x", OnnxElementType.Float, -1, 4)], [Inferred("y")], opset: opset)).Run(x)[0];
        var first = Run("ArgMax", 12, Attr("axis", 1L), Attr("keepdims", 0L));
        Assert.Equal(new long[] { 1, 0, 1 }, first.ToArray<long>());
        Assert.Equal(new[] { 3 }, first.ShapeArray);
        Assert.Equal(new long[] { 2, 2, 3 }, Run("ArgMax", 12, Attr("axis", -1L), Attr("keepdims", 0L), Attr("select_last_index", 1L)).ToArray<long>());
        var min = Run("ArgMin", 13, Attr("axis", 1L));
        Assert.Equal(new[] { 3, 1 }, min.ShapeArray);
        Assert.Equal(new long[] { 3, 1, 1 }, min.ToArray<long>());
        Assert.Equal(new long[] { 0, 2, 0, 2 }, Run("ArgMin", 13).ToArray<long>()); // axis 0; NaN is the minimum too

        var e = Assert.Throws<OnnxUnsupportedException>(() => Load(Model([Node("ArgMax", ["x"], ["y"], Attr("select_last_index", 1L))],
            [Input("x", OnnxElementType.Float, 3, 4)], [Inferred("y")], opset: 11)));
        Assert.Contains("select_last_index", e.Message);
        var model = Load(Model([Node("ArgMax", ["x"], ["y"], Attr("keepdims", 0L))], [Input("x", OnnxElementType.Float, -1, 4)], [Inferred("y")], opset: 13));
        Assert.Equal(new[] { 4 }, model.Outputs[0].Shape);
        Assert.Equal(OnnxElementType.Int64, model.Outputs[0].ElementType);
    }
}
