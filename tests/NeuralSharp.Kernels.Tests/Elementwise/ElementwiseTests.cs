namespace NeuralSharp.Kernels.Tests;

public class ElementwiseTests
{
    private delegate void Kernel(ReadOnlySpan<float> x, ReadOnlySpan<float> y, Span<float> d);

    /// <summary>Runs fast and reference on the same unaligned slices for lengths 0..257 (d starts random, for accumulating kernels).</summary>
    private static void Check(Kernel fast, Kernel reference, double rel, string what, float lo = -3f, float hi = 3f)
    {
        var rng = new Random(1234);
        foreach (var (n, off) in TestUtil.LengthsAndOffsets())
        {
            var x = TestUtil.Array(rng, n, lo, hi);
            var y = TestUtil.Array(rng, n, lo, hi);
            var d0 = TestUtil.Array(rng, n);
            var d1 = (float[])d0.Clone();
            fast(x.AsSpan(off, n), y.AsSpan(off, n), d0.AsSpan(off, n));
            reference(x.AsSpan(off, n), y.AsSpan(off, n), d1.AsSpan(off, n));
            TestUtil.AllClose(d1, d0, rel, 1e-30, $"{what} n={n}"); // also checks the padding was not touched
        }
    }

    [Theory]
    [InlineData(BinaryOp.Add)]
    [InlineData(BinaryOp.Sub)]
    [InlineData(BinaryOp.Mul)]
    [InlineData(BinaryOp.Div)]
    public void BinaryOps_MatchReference(BinaryOp op)
    {
        Check((x, y, d) => Elementwise.Binary(op, x, y, d), (x, y, d) => ElementwiseReference.Binary(op, x, y, d), 0, $"Binary {op}");
        Check((x, y, d) => Elementwise.BinaryScalarRight(op, x, 1.7f, d), (x, y, d) => ElementwiseReference.BinaryScalarRight(op, x, 1.7f, d), 0, $"Right {op}");
        Check((x, y, d) => Elementwise.BinaryScalarLeft(op, -0.3f, y, d), (x, y, d) => ElementwiseReference.BinaryScalarLeft(op, -0.3f, y, d), 0, $"Left {op}");
    }

    [Fact]
    public void Binary_DestinationMayAliasInputs()
    {
        var rng = new Random(1234);
        var x = TestUtil.Array(rng, 100);
        var y = TestUtil.Array(rng, 100);
        var expected = new float[x.Length];
        ElementwiseReference.Binary(BinaryOp.Div, x, y, expected);
        var xa = (float[])x.Clone();
        Elementwise.Binary(BinaryOp.Div, xa, y, xa);
        Assert.Equal(expected, xa);
        var ya = (float[])y.Clone();
        Elementwise.Binary(BinaryOp.Div, x, ya, ya);
        Assert.Equal(expected, ya);
    }

    [Fact]
    public void AccumulatingKernels_MatchReference()
    {
        Check((x, y, d) => Elementwise.Add(x, d), (x, y, d) => ElementwiseReference.Add(x, d), 0, "Add");
        Check(Elementwise.MultiplyAdd, ElementwiseReference.MultiplyAdd, 0, "MultiplyAdd");
        Check((x, y, d) => Elementwise.MultiplyAdd(x, 0.37f, d), (x, y, d) => ElementwiseReference.MultiplyAdd(x, 0.37f, d), 0, "MultiplyAdd scalar");
        Check((x, y, d) => Elementwise.Scale(x, -2.5f, d), (x, y, d) => ElementwiseReference.Scale(x, -2.5f, d), 0, "Scale");
        Check((x, y, d) => Elementwise.DivBackwardDenominator(x, y, x, d), (x, y, d) => ElementwiseReference.DivBackwardDenominator(x, y, x, d), 1e-6, "DivBackwardDenominator");
    }

    [Fact]
    public void MathFunctions_MatchReference()
    {
        Check((x, y, d) => Elementwise.Exp(x, d), (x, y, d) => ElementwiseReference.Exp(x, d), 1e-6, "Exp", -90f, 90f);
        Check((x, y, d) => Elementwise.Log(x, d), (x, y, d) => ElementwiseReference.Log(x, d), 1e-6, "Log", 1e-3f, 1e3f);
        Check((x, y, d) => Elementwise.Sqrt(x, d), (x, y, d) => ElementwiseReference.Sqrt(x, d), 0, "Sqrt", 0f, 100f);
        foreach (float p in new[] { 0f, 1f, 2f, 3f, 0.5f, -1f, -2.5f })
        {
            Check((x, y, d) => Elementwise.Pow(x, p, d), (x, y, d) => ElementwiseReference.Pow(x, p, d), 0, $"Pow {p}", 0.01f, 4f);
            Check((x, y, d) => Elementwise.Pow(x, p, d), (x, y, d) => ElementwiseReference.Pow(x, p, d), 0, $"Pow {p} signed");
            Check((x, y, d) => Elementwise.PowBackward(x, p, y, d), (x, y, d) => ElementwiseReference.PowBackward(x, p, y, d), 1e-6, $"PowBackward {p}", 0.01f, 4f);
        }
    }

    [Fact]
    public void Pow_SpecialCasesFollowMathFPow()
    {
        float[] x = [0f, -0f, float.NaN, float.PositiveInfinity, float.NegativeInfinity, -2f, 3f, 1f];
        foreach (float p in new[] { 0f, 1f, 2f, 0.5f, -1f })
        {
            var d = new float[x.Length];
            Elementwise.Pow(x, p, d);
            for (int i = 0; i < x.Length; i++) Assert.Equal(MathF.Pow(x[i], p), d[i]);
        }
    }

    [Fact]
    public void Fill_SetsEveryElement()
    {
        var a = new float[37];
        Elementwise.Fill(a.AsSpan(1, 35), 2.5f);
        Assert.Equal(0f, a[0]);
        Assert.Equal(0f, a[36]);
        for (int i = 1; i < 36; i++) Assert.Equal(2.5f, a[i]);
    }

    [Fact]
    public void MismatchedLengths_Throw()
    {
        var ex = Assert.Throws<ArgumentException>(() => Elementwise.Binary(BinaryOp.Add, new float[3], new float[4], new float[3]));
        Assert.Contains("Binary", ex.Message);
        Assert.Throws<ArgumentException>(() => Elementwise.MultiplyAdd(new float[3], 1f, new float[2]));
        Assert.Throws<ArgumentException>(() => Elementwise.PowBackward(new float[3], 2f, new float[3], new float[2]));
    }
}
