using NeuralSharp.Onnx.Ops;
using static NeuralSharp.Onnx.Tests.OnnxTestModels;

namespace NeuralSharp.Onnx.Tests.Ops;

/// <summary>
/// The broadcasting drivers against a naive per-element reference, and the float32 kernels behind the unary
/// operators against the formulas in double at ONNX's backend-test tolerance (rtol 1e-3, atol 1e-7).
/// </summary>
public class ElementwiseKernelTests
{
    private static int[] RandomShape(Random r, int rank)
    {
        int[] sizes = [1, 1, 2, 3, 5, 17];
        return Enumerable.Range(0, rank).Select(_ => sizes[r.Next(sizes.Length)]).ToArray();
    }

    /// <summary>A shape that broadcasts to <paramref name="full"/>: a suffix of it with some dimensions set to 1.</summary>
    private static int[] Operand(Random r, int[] full)
    {
        int rank = r.Next(full.Length + 1);
        return full[(full.Length - rank)..].Select(d => r.Next(3) == 0 ? 1 : d).ToArray();
    }

    [Fact]
    public void BinaryDriverMatchesNaiveBroadcasting()
    {
        var r = new Random(1234);
        for (int trial = 0; trial < 400; trial++)
        {
            var full = RandomShape(r, r.Next(5));
            if (trial % 50 == 0 && full.Length > 0) full[r.Next(full.Length)] = 0;
            var sa = Operand(r, full); var sb = Operand(r, full);
            var shape = Broadcast.Shape(sa, sb, m => new Exception(m));
            var a = Enumerable.Range(0, (int)OnnxTensor.ElementCount(sa)).Select(_ => (long)r.Next(-100, 100)).ToArray();
            var b = Enumerable.Range(0, (int)OnnxTensor.ElementCount(sb)).Select(_ => (long)r.Next(-100, 100)).ToArray();
            var y = new long[OnnxTensor.ElementCount(shape)];
            ElementwiseLoops.Binary<long, long, long, ArithRun<long>>(new(ArithOp.Sub), a, sa, b, sb, y, shape);
            var fa = a.Select(v => (float)v).ToArray(); var fb = b.Select(v => (float)v).ToArray();
            var fy = new float[y.Length];
            ElementwiseLoops.Binary<float, float, float, ArithRun<float>>(new(ArithOp.Mul), fa, sa, fb, sb, fy, shape);
            var index = new int[shape.Length];
            for (int i = 0; i < y.Length; i++)
            {
                long va = a[Broadcast.Offset(index, sa)], vb = b[Broadcast.Offset(index, sb)];
                Assert.Equal(va - vb, y[i]);
                Assert.Equal(va * vb, fy[i]);
                Broadcast.Increment(index, shape);
            }
        }
    }

    [Fact]
    public void SelectDriverMatchesNaiveBroadcasting()
    {
        var r = new Random(1234);
        for (int trial = 0; trial < 200; trial++)
        {
            var full = RandomShape(r, r.Next(5));
            var sc = Operand(r, full); var sx = Operand(r, full); var sz = Operand(r, full);
            var shape = Broadcast.Shape([sc, sx, sz], m => new Exception(m))!;
            var c = Enumerable.Range(0, (int)OnnxTensor.ElementCount(sc)).Select(_ => r.Next(2) == 0).ToArray();
            var x = Enumerable.Range(0, (int)OnnxTensor.ElementCount(sx)).Select(i => i).ToArray();
            var z = Enumerable.Range(0, (int)OnnxTensor.ElementCount(sz)).Select(i => -1 - i).ToArray();
            var y = new int[OnnxTensor.ElementCount(shape)];
            ElementwiseLoops.Select<int>(c, sc, x, sx, z, sz, y, shape);
            var index = new int[shape.Length];
            for (int i = 0; i < y.Length; i++)
            {
                int expected = c[Broadcast.Offset(index, sc)] ? x[Broadcast.Offset(index, sx)] : z[Broadcast.Offset(index, sz)];
                Assert.Equal(expected, y[i]);
                Broadcast.Increment(index, shape);
            }
        }
    }

    private static double Softplus(double x) => Math.Max(x, 0) + Math.Log(1 + Math.Exp(-Math.Abs(x)));

    public static TheoryData<string, int, double, double> UnaryCases() => new()
    {
        // op, opset, input range [lo, hi]
        { "Sqrt", 13, 0, 100 }, { "Exp", 13, -80, 80 }, { "Log", 13, 1e-30, 1e6 }, { "Erf", 13, -5, 5 },
        { "Reciprocal", 13, -10, 10 }, { "Tanh", 13, -12, 12 }, { "Sigmoid", 13, -30, 30 }, { "Softsign", 1, -50, 50 },
        { "Softplus", 1, -30, 30 }, { "HardSwish", 14, -6, 6 }, { "Mish", 18, -20, 20 }, { "Relu", 14, -5, 5 },
        { "LeakyRelu", 16, -5, 5 }, { "Elu", 6, -10, 5 }, { "Selu", 6, -10, 5 }, { "Celu", 12, -10, 5 }, { "HardSigmoid", 6, -5, 5 },
        { "Sin", 7, -20, 20 }, { "Cos", 7, -20, 20 }, { "Floor", 13, -50, 50 }, { "Ceil", 13, -50, 50 }, { "Round", 11, -50, 50 },
        { "Abs", 13, -5, 5 }, { "Neg", 13, -5, 5 }, { "Sign", 13, -5, 5 }, { "ThresholdedRelu", 10, -3, 3 },
    };

    // Attributes are float32 in ONNX: the reference uses the same float constants, widened.
    private static double Reference(string op, double x) => op switch
    {
        "Sqrt" => Math.Sqrt(x), "Exp" => Math.Exp(x), "Log" => Math.Log(x), "Erf" => Ops_Erf(x), "Reciprocal" => 1 / x,
        "Tanh" => Math.Tanh(x), "Sigmoid" => 1 / (1 + Math.Exp(-x)), "Softsign" => x / (1 + Math.Abs(x)),
        "Softplus" => Softplus(x), "HardSwish" => x * Math.Clamp(x / 6 + 0.5, 0, 1), "Mish" => x * Math.Tanh(Softplus(x)),
        "Relu" => Math.Max(x, 0), "LeakyRelu" => x >= 0 ? x : (double)0.01f * x, "Elu" => x >= 0 ? x : Math.Exp(x) - 1,
        "Selu" => (double)1.05070102214813232421875f * (x > 0 ? x : (double)1.67326319217681884765625f * (Math.Exp(x) - 1)), "Celu" => x >= 0 ? x : Math.Exp(x) - 1,
        "HardSigmoid" => Math.Clamp((double)0.2f * x + 0.5, 0, 1), "Sin" => Math.Sin(x), "Cos" => Math.Cos(x), "Floor" => Math.Floor(x),
        "Ceil" => Math.Ceiling(x), "Round" => Math.Round(x, MidpointRounding.ToEven), "Abs" => Math.Abs(x), "Neg" => -x,
        "Sign" => Math.Sign(x), "ThresholdedRelu" => x > 1 ? x : 0,
        _ => throw new ArgumentException(op),
    };

    private static double Ops_Erf(double x) => ElementwiseOps.Erf(x);

    [Theory]
    [MemberData(nameof(UnaryCases))]
    public void Float32KernelsMeetOnnxTolerance(string op, int opset, double lo, double hi)
    {
        var r = new Random(1234);
        const int n = 1000 + 37;
        // Uniform over the range, plus values near zero where relative accuracy is hardest (expm1, erf, tanh...).
        var x = Enumerable.Range(0, n).Select(i => (float)(i % 5 == 0 ? Math.Clamp((r.NextDouble() - 0.5) * 1e-3 * Math.Pow(10, -r.Next(6)), lo, hi)
            : lo + (hi - lo) * r.NextDouble())).ToArray();
        var y = ElementwiseModels.RunFloat(op, opset, [OnnxTensor.FromArray(x, n)]);
        var d = ElementwiseModels.Run(op, opset, [OnnxTensor.FromArray(x.Select(v => (double)v).ToArray(), n)], OnnxElementType.Double).ToArray<double>();
        var h = ElementwiseModels.Run(op, opset, [OnnxTensor.FromArray(x.Select(v => (Half)v).ToArray(), n)], OnnxElementType.Float16).ToArray<Half>();
        for (int i = 0; i < n; i++)
        {
            double e = Reference(op, x[i]);
            Assert.True(Math.Abs(y[i] - e) <= 1e-7 + 1e-3 * Math.Abs(e), $"{op}({x[i]:R}) = {y[i]:R} (float32), expected {e:R}");
            Assert.True(Math.Abs(d[i] - e) <= 1e-12 * Math.Max(1, Math.Abs(e)), $"{op}({x[i]:R}) = {d[i]:R} (double), expected {e:R}");
            double eh = Reference(op, (double)(Half)x[i]);
            if (Math.Abs(eh) < 65504)
                Assert.True(Math.Abs((double)h[i] - eh) <= 1e-3 * Math.Abs(eh) + 1e-7 || Math.Abs((double)h[i] - eh) <= 6e-8,
                    $"{op}({(double)(Half)x[i]:R}) = {(double)h[i]:R} (float16), expected {eh:R}");
        }
    }

    [Fact]
    public void Float32PowAndBroadcastingActivationsMeetTolerance()
    {
        var r = new Random(1234);
        var x = Enumerable.Range(0, 67).Select(_ => (float)(r.NextDouble() * 10)).ToArray();
        foreach (float p in new[] { 0f, 1f, 2f, 0.5f, -1.5f, 3f })
        {
            var y = ElementwiseModels.RunFloat("Pow", 15, [OnnxTensor.FromArray(x, 67), OnnxTensor.FromArray(new[] { p })]);
            for (int i = 0; i < x.Length; i++)
            {
                double e = Math.Pow(x[i], p);
                Assert.True(Math.Abs(y[i] - e) <= 1e-6 * Math.Abs(e) + 1e-30, $"Pow({x[i]}, {p}) = {y[i]}, expected {e}");
            }
        }
        var slope = Enumerable.Range(0, 5).Select(i => 0.1f * i).ToArray();
        var xs = Enumerable.Range(0, 3 * 5 * 7).Select(_ => (float)(r.NextDouble() * 2 - 1)).ToArray();
        var pr = ElementwiseModels.RunFloat("PRelu", 16, [OnnxTensor.FromArray(xs, 3, 5, 7), OnnxTensor.FromArray(slope, 5, 1)]);
        for (int i = 0; i < xs.Length; i++) Assert.Equal(xs[i] < 0 ? xs[i] * slope[i / 7 % 5] : xs[i], pr[i]);
    }
}
