using NeuralSharp.Onnx.Import;
using NeuralSharp.Onnx.Ops;
using NeuralSharp.Onnx.Protos;
using static NeuralSharp.Onnx.Tests.OnnxTestModels;

namespace NeuralSharp.Onnx.Tests.Ops;

/// <summary>One-node models of the elementwise operators: build, load, run; and the factories' shape inference.</summary>
internal static class ElementwiseModels
{
    /// <summary>Loads a model of one <paramref name="op"/> node over graph inputs x0, x1... of the given tensors' types and shapes ("" skips an input).</summary>
    public static OnnxModel Load(string op, int opset, OnnxTensor?[] inputs, OnnxElementType outType, params AttributeProto[] attributes)
    {
        var names = inputs.Select((t, i) => t == null ? "" : $"x{i}").ToArray();
        var declared = inputs.Select((t, i) => (t, i)).Where(p => p.t != null).Select(p => Input($"x{p.i}", p.t!.ElementType, p.t.ShapeArray));
        return OnnxTestModels.Load(Model([Node(op, names, ["y"], attributes)], declared, [Output("y", outType)], opset: opset));
    }

    /// <summary>Loads a model of one <paramref name="op"/> node over graph inputs of the given types and shapes (-1 = symbolic).</summary>
    public static OnnxModel LoadTyped(string op, int opset, (OnnxElementType Type, int[] Shape)[] inputs, OnnxElementType outType, params AttributeProto[] attributes) =>
        OnnxTestModels.Load(Model([Node(op, inputs.Select((_, i) => $"x{i}").ToArray(), ["y"], attributes)],
            inputs.Select((v, i) => Input($"x{i}", v.Type, v.Shape)), [Output("y", outType)], opset: opset));

    /// <summary>Runs one <paramref name="op"/> node on <paramref name="inputs"/> (null = omitted optional input).</summary>
    public static OnnxTensor Run(string op, int opset, OnnxTensor?[] inputs, OnnxElementType outType, params AttributeProto[] attributes) =>
        Load(op, opset, inputs, outType, attributes).Run(inputs.Where(t => t != null).Select(t => t!).ToArray())[0];

    /// <summary>Runs a float op on float inputs.</summary>
    public static float[] RunFloat(string op, int opset, OnnxTensor?[] inputs, params AttributeProto[] attributes) =>
        Run(op, opset, inputs, OnnxElementType.Float, attributes).ToArray<float>();

    /// <summary>The factory's inferred outputs for a node over inputs of the given infos.</summary>
    public static ValueInfo[] Infer(string op, int opset, ValueInfo?[] inputs, params AttributeProto[] attributes)
    {
        var node = Node(op, inputs.Select((v, i) => v == null ? "" : $"x{i}").ToArray(), ["y"], attributes);
        var factory = OperatorRegistry.Default.Find("", op, opset) ?? throw new InvalidOperationException($"{op} is not registered at opset {opset}");
        return factory(new OpContext(node, opset, inputs, null)).Outputs;
    }

    public static OnnxTensor F(float[] values, params int[] shape) => OnnxTensor.FromArray(values, shape.Length == 0 && values.Length != 1 ? [values.Length] : shape);
}

/// <summary>Values of the elementwise operators beyond what the conformance data covers: integer semantics, broadcasting, special values.</summary>
public class ElementwiseTests
{
    private static OnnxTensor T<TV>(TV[] values, params int[] shape) => OnnxTensor.FromArray(values, shape.Length == 0 ? [values.Length] : shape);

    [Fact]
    public void IntegerDivisionTruncatesTowardZeroLikeC()
    {
        var y = ElementwiseModels.Run("Div", 14, [T(new[] { 7, -7, 7, -7, int.MinValue }), T(new[] { 2, 2, -2, -2, -1 })], OnnxElementType.Int32);
        Assert.Equal(new[] { 3, -3, -3, 3, int.MinValue }, y.ToArray<int>());
        var u = ElementwiseModels.Run("Div", 14, [T(new byte[] { 200, 7 }), T(new byte[] { 255, 2 })], OnnxElementType.UInt8);
        Assert.Equal(new byte[] { 0, 3 }, u.ToArray<byte>());
    }

    [Fact]
    public void IntegerDivisionByZeroThrowsArgumentException()
    {
        var model = ElementwiseModels.Load("Div", 14, [T(new long[] { 1 }), T(new long[] { 0 })], OnnxElementType.Int64);
        var e = Assert.Throws<ArgumentException>(() => model.Run(T(new long[] { 1 }), T(new long[] { 0 })));
        Assert.Contains("division by zero", e.Message);
    }

    [Fact]
    public void IntegerArithmeticWraps()
    {
        var y = ElementwiseModels.Run("Add", 14, [T(new byte[] { 250, 1 }), T(new byte[] { 10, 2 })], OnnxElementType.UInt8);
        Assert.Equal(new byte[] { 4, 3 }, y.ToArray<byte>());
        var m = ElementwiseModels.Run("Mul", 14, [T(new sbyte[] { 100, -128 }), T(new sbyte[] { 3, -1 })], OnnxElementType.Int8);
        Assert.Equal(new sbyte[] { 44, -128 }, m.ToArray<sbyte>());
        var a = ElementwiseModels.Run("Abs", 13, [T(new sbyte[] { -128, -5, 5 })], OnnxElementType.Int8);
        Assert.Equal(new sbyte[] { -128, 5, 5 }, a.ToArray<sbyte>());
        var n = ElementwiseModels.Run("Neg", 13, [T(new long[] { long.MinValue, 3 })], OnnxElementType.Int64);
        Assert.Equal(new[] { long.MinValue, -3 }, n.ToArray<long>());
    }

    [Fact]
    public void IntegerPowIsExact()
    {
        var y = ElementwiseModels.Run("Pow", 15, [T(new long[] { 3, -2, 2, 5, 1, -1, 7 }), T(new long[] { 39, 3, -1, 0, -4, -3, 2 })], OnnxElementType.Int64);
        Assert.Equal(new[] { 4052555153018976267L, -8, 0, 1, 1, -1, 49 }, y.ToArray<long>());
        // int base, float exponent: computed in double, truncated.
        var f = ElementwiseModels.Run("Pow", 15, [T(new[] { 2, 9, 10 }), T(new[] { 0.5f, 0.5f, -1f })], OnnxElementType.Int32);
        Assert.Equal(new[] { 1, 3, 0 }, f.ToArray<int>());
        // float base, int64 exponent.
        var g = ElementwiseModels.RunFloat("Pow", 15, [T(new[] { 2f, -3f }), T(new long[] { 3, 2 })]);
        Assert.Equal(new[] { 8f, 9f }, g);
    }

    [Fact]
    public void CastTruncatesSaturatesAndWraps()
    {
        var i = ElementwiseModels.Run("Cast", 13, [T(new[] { -2.7f, 2.7f, float.NaN, 1e20f })], OnnxElementType.Int32, Attr("to", (long)OnnxElementType.Int32));
        Assert.Equal(new[] { -2, 2, 0, int.MaxValue }, i.ToArray<int>());
        var w = ElementwiseModels.Run("Cast", 13, [T(new[] { 300, -1 })], OnnxElementType.UInt8, Attr("to", (long)OnnxElementType.UInt8));
        Assert.Equal(new byte[] { 44, 255 }, w.ToArray<byte>());
        var b = ElementwiseModels.Run("Cast", 13, [T(new[] { 0f, -0f, float.NaN, 0.1f })], OnnxElementType.Bool, Attr("to", (long)OnnxElementType.Bool));
        Assert.Equal(new[] { false, false, true, true }, b.ToArray<bool>());
        var f = ElementwiseModels.Run("Cast", 13, [T(new[] { true, false })], OnnxElementType.Float, Attr("to", (long)OnnxElementType.Float));
        Assert.Equal(new[] { 1f, 0f }, f.ToArray<float>());
        var h = ElementwiseModels.Run("Cast", 13, [T(new[] { 1.00048828125, 65520.0 })], OnnxElementType.Float16, Attr("to", (long)OnnxElementType.Float16));
        Assert.Equal(new[] { (Half)1.0, Half.PositiveInfinity }, h.ToArray<Half>());
        var l = ElementwiseModels.Run("Cast", 13, [T(new[] { ulong.MaxValue })], OnnxElementType.Int64, Attr("to", (long)OnnxElementType.Int64));
        Assert.Equal(new[] { -1L }, l.ToArray<long>());
    }

    [Fact]
    public void RoundIsHalfToEven()
    {
        var y = ElementwiseModels.RunFloat("Round", 11, [T(new[] { 0.5f, 1.5f, 2.5f, -0.5f, -1.5f, -2.6f, 2.4f })]);
        Assert.Equal(new[] { 0f, 2f, 2f, -0f, -2f, -3f, 2f }, y);
        var d = ElementwiseModels.Run("Round", 11, [T(new[] { 0.5, 1.5, 2.5 })], OnnxElementType.Double).ToArray<double>();
        Assert.Equal(new[] { 0.0, 2.0, 2.0 }, d);
    }

    [Fact]
    public void SignAndMaxKeepNaN()
    {
        var s = ElementwiseModels.RunFloat("Sign", 13, [T(new[] { -3f, 0f, 2f, float.NaN })]);
        Assert.Equal(new[] { -1f, 0f, 1f }, s[..3]);
        Assert.True(float.IsNaN(s[3]));
        var m = ElementwiseModels.RunFloat("Max", 13, [T(new[] { 1f, float.NaN }), T(new[] { float.NaN, 2f })]);
        Assert.True(m.All(float.IsNaN));
        var c = ElementwiseModels.RunFloat("Clip", 13, [T(new[] { float.NaN, -5f, 5f }), T(new[] { -1f }, []), T(new[] { 1f }, [])]);
        Assert.True(float.IsNaN(c[0]));
        Assert.Equal(new[] { -1f, 1f }, c[1..]);
    }

    [Fact]
    public void VariadicOpsBroadcastAllInputs()
    {
        var a = T(new[] { 1f, 2f }, 2, 1);
        var b = T(new[] { 10f, 20f, 30f }, 1, 3);
        var c = T(new[] { 100f }, 1);
        Assert.Equal(new[] { 111f, 121f, 131f, 112f, 122f, 132f }, ElementwiseModels.RunFloat("Sum", 13, [a, b, c]));
        Assert.Equal(new[] { 37f, 121f / 3, 131f / 3, 112f / 3, 122f / 3, 132f / 3 }.Select(v => MathF.Round(v, 3)),
            ElementwiseModels.RunFloat("Mean", 13, [a, b, c]).Select(v => MathF.Round(v, 3)));
        Assert.Equal(new[] { 1f, 1f, 1f, 2f, 2f, 2f }, ElementwiseModels.RunFloat("Min", 13, [a, b, c]));
        var ints = ElementwiseModels.Run("Max", 13, [T(new[] { 1, 5 }, 2, 1), T(new[] { 3, -1, 7 }, 3)], OnnxElementType.Int32);
        Assert.Equal(new[] { 3, 1, 7, 5, 5, 7 }, ints.ToArray<int>());
    }

    [Fact]
    public void WhereBroadcastsThreeOperandsOfAnyType()
    {
        var cond = T(new[] { true, false }, 2, 1);
        var x = T(new[] { "a", "b", "c" }, 3);
        var y = T(new[] { "z" }, []);
        var r = ElementwiseModels.Run("Where", 16, [cond, x, y], OnnxElementType.String);
        Assert.Equal(new[] { 2, 3 }, r.ShapeArray);
        Assert.Equal(new[] { "a", "b", "c", "z", "z", "z" }, r.ToArray<string>());
        var l = ElementwiseModels.Run("Where", 16, [T(new[] { true, false, true }), T(new long[] { 1, 2, 3 }), T(new long[] { -1 })], OnnxElementType.Int64);
        Assert.Equal(new long[] { 1, -1, 3 }, l.ToArray<long>());
    }

    [Fact]
    public void ComparisonsAndLogicGiveBool()
    {
        var a = T(new[] { 1f, 2f, float.NaN }); var b = T(new[] { 2f }, []);
        Assert.Equal(new[] { false, false, false }, ElementwiseModels.Run("Greater", 13, [a, b], OnnxElementType.Bool).ToArray<bool>());
        Assert.Equal(new[] { true, true, false }, ElementwiseModels.Run("LessOrEqual", 16, [a, b], OnnxElementType.Bool).ToArray<bool>());
        Assert.Equal(new[] { false, true, false }, ElementwiseModels.Run("Equal", 13, [a, b], OnnxElementType.Bool).ToArray<bool>());
        var p = T(new[] { true, true, false, false }); var q = T(new[] { true, false, true, false });
        Assert.Equal(new[] { true, false, false, true }, ElementwiseModels.Run("Equal", 13, [p, q], OnnxElementType.Bool).ToArray<bool>());
        Assert.Equal(new[] { false, true, true, false }, ElementwiseModels.Run("Xor", 7, [p, q], OnnxElementType.Bool).ToArray<bool>());
        Assert.Equal(new[] { false, false, true, true }, ElementwiseModels.Run("Not", 1, [p], OnnxElementType.Bool).ToArray<bool>());
        var inf = T(new[] { float.PositiveInfinity, float.NegativeInfinity, 1f, float.NaN });
        Assert.Equal(new[] { true, false, false, false },
            ElementwiseModels.Run("IsInf", 10, [inf], OnnxElementType.Bool, Attr("detect_negative", 0L)).ToArray<bool>());
        Assert.Equal(new[] { false, false, false, true }, ElementwiseModels.Run("IsNaN", 13, [inf], OnnxElementType.Bool).ToArray<bool>());
    }

    [Fact]
    public void ParameterisedActivationsUseTheirAttributes()
    {
        var x = T(new[] { -4f, -1f, 0f, 0.5f, 3f });
        Assert.Equal(new[] { 0f, 0.1f, 0.6f, 0.85f, 1f }, ElementwiseModels.RunFloat("HardSigmoid", 6, [x], Attr("alpha", 0.5f), Attr("beta", 0.6f)), new FloatClose(1e-6f));
        Assert.Equal(new[] { 0f, 0.3f, 0.5f, 0.6f, 1f }, ElementwiseModels.RunFloat("HardSigmoid", 6, [x]), new FloatClose(1e-6f));
        var selu = ElementwiseModels.RunFloat("Selu", 6, [x], Attr("alpha", 2f), Attr("gamma", 3f));
        Assert.Equal(new[] { 3 * 2 * (MathF.Exp(-4) - 1), 3 * 2 * (MathF.Exp(-1) - 1), 0f, 1.5f, 9f }, selu, new FloatClose(1e-5f));
        Assert.Equal(new[] { 0f, 0f, 0f, 0f, 3f }, ElementwiseModels.RunFloat("ThresholdedRelu", 10, [x], Attr("alpha", 2f)));
        var celu = ElementwiseModels.RunFloat("Celu", 12, [x], Attr("alpha", 2f));
        Assert.Equal(new[] { 2 * (MathF.Exp(-2) - 1), 2 * (MathF.Exp(-0.5f) - 1), 0f, 0.5f, 3f }, celu, new FloatClose(1e-5f));
    }

    [Fact]
    public void DoubleErfIsAccurate()
    {
        (double X, double Erf)[] known =
        [
            (1e-10, 1.1283791670955126e-10), (0.5, 0.5204998778130465), (1, 0.8427007929497149),
            (2, 0.9953222650189527), (3, 0.9999779095030014), (-1.5, -0.9661051464753108), (7, 1),
        ];
        foreach (var (x, erf) in known) Assert.Equal(erf, ElementwiseOps.Erf(x), 1e-14);
    }

    /// <summary>Element-wise closeness within a relative tolerance (absolute near zero).</summary>
    internal sealed class FloatClose(float tolerance) : IEqualityComparer<float>
    {
        public bool Equals(float a, float b) => Math.Abs(a - b) <= tolerance * Math.Max(1, Math.Max(Math.Abs(a), Math.Abs(b)));
        public int GetHashCode(float obj) => 0;
    }
}
