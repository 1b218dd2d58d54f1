namespace NeuralSharp.Kernels.Tests;

public class NormTests
{
    private static IEnumerable<(int Rows, int Cols)> Shapes()
    {
        for (int cols = 1; cols <= 67; cols += 2) yield return (1 + cols % 4, cols);
        yield return (3, 128);
        yield return (2, 257);
        yield return (0, 5);
    }

    [Theory]
    [InlineData(true, true)]
    [InlineData(false, false)]
    [InlineData(true, false)]
    [InlineData(false, true)]
    public void LayerNorm_ForwardAndBackward_MatchDoubleReference(bool hasGamma, bool hasBeta)
    {
        var rng = new Random(1234);
        foreach (var (rows, cols) in Shapes())
        {
            int n = rows * cols, off = 1 + n % 3;
            var x = TestUtil.Array(rng, n, -2f, 4f);
            var gamma = hasGamma ? TestUtil.Array(rng, cols, 0.5f, 1.5f, pad: 0) : [];
            var beta = hasBeta ? TestUtil.Array(rng, cols, pad: 0) : [];
            var y = new float[x.Length];
            var mean = new float[rows];
            var rstd = new float[rows];
            const float eps = 1e-5f;
            LayerNorm.Forward(x.AsSpan(off, n), gamma, beta, eps, y.AsSpan(off, n), mean, rstd, rows, cols);
            var xd = TestUtil.ToDouble(x.AsSpan(off, n));
            var gd = TestUtil.ToDouble(gamma);
            var bd = TestUtil.ToDouble(beta);
            var ey = new double[n];
            NormReference.LayerNorm(xd, gd, bd, eps, ey, rows, cols);
            TestUtil.AllClose(ey, y.AsSpan(off, n), 1e-5, 1e-5, $"ln y [{rows},{cols}]");

            var dy = TestUtil.Array(rng, n);
            var dx = TestUtil.Array(rng, n);
            var dgamma = hasGamma ? TestUtil.Array(rng, cols, pad: 0) : [];
            var dbeta = hasBeta ? TestUtil.Array(rng, cols, pad: 0) : [];
            var (dx0, dg0, db0) = ((float[])dx.Clone(), (float[])dgamma.Clone(), (float[])dbeta.Clone());
            LayerNorm.Backward(x.AsSpan(off, n), gamma, mean, rstd, dy.AsSpan(off, n), dx.AsSpan(off, n), dgamma, dbeta, rows, cols);

            // Finite differences of L = sum(dy * y) on the double reference.
            var yy = new double[n];
            double L(double[] xs, double[] g, double[] b)
            {
                NormReference.LayerNorm(xs, g, b, eps, yy, rows, cols);
                double s = 0;
                for (int k = 0; k < n; k++) s += dy[off + k] * yy[k];
                return s;
            }
            CheckGradient(xd, v => L(v, gd, bd), dx0.AsSpan(off, n), dx.AsSpan(off, n), "ln dx");
            if (hasGamma) CheckGradient(gd, v => L(xd, v, bd), dg0, dgamma, "ln dgamma");
            if (hasBeta) CheckGradient(bd, v => L(xd, gd, v), db0, dbeta, "ln dbeta");
        }
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void RmsNorm_ForwardAndBackward_MatchDoubleReference(bool hasGamma)
    {
        var rng = new Random(1234);
        foreach (var (rows, cols) in Shapes())
        {
            int n = rows * cols, off = 1 + n % 3;
            var x = TestUtil.Array(rng, n, -2f, 4f);
            var gamma = hasGamma ? TestUtil.Array(rng, cols, 0.5f, 1.5f, pad: 0) : [];
            var y = new float[x.Length];
            var rstd = new float[rows];
            const float eps = 1e-6f;
            RmsNorm.Forward(x.AsSpan(off, n), gamma, eps, y.AsSpan(off, n), rstd, rows, cols);
            var xd = TestUtil.ToDouble(x.AsSpan(off, n));
            var gd = TestUtil.ToDouble(gamma);
            var ey = new double[n];
            NormReference.RmsNorm(xd, gd, eps, ey, rows, cols);
            TestUtil.AllClose(ey, y.AsSpan(off, n), 1e-5, 1e-6, $"rms y [{rows},{cols}]");

            var dy = TestUtil.Array(rng, n);
            var dx = TestUtil.Array(rng, n);
            var dgamma = hasGamma ? TestUtil.Array(rng, cols, pad: 0) : [];
            var (dx0, dg0) = ((float[])dx.Clone(), (float[])dgamma.Clone());
            RmsNorm.Backward(x.AsSpan(off, n), gamma, rstd, dy.AsSpan(off, n), dx.AsSpan(off, n), dgamma, rows, cols);
            var yy = new double[n];
            double L(double[] xs, double[] g)
            {
                NormReference.RmsNorm(xs, g, eps, yy, rows, cols);
                double s = 0;
                for (int k = 0; k < n; k++) s += dy[off + k] * yy[k];
                return s;
            }
            CheckGradient(xd, v => L(v, gd), dx0.AsSpan(off, n), dx.AsSpan(off, n), "rms dx");
            if (hasGamma) CheckGradient(gd, v => L(xd, v), dg0, dgamma, "rms dgamma");
        }
    }

    /// <summary>Central differences in double (h = 1e-6) against actual - before (the kernels accumulate).</summary>
    private static void CheckGradient(double[] at, Func<double[], double> f, ReadOnlySpan<float> before, ReadOnlySpan<float> after, string what)
    {
        for (int k = 0; k < at.Length; k++)
        {
            double keep = at[k];
            at[k] = keep + 1e-6; double fp = f(at);
            at[k] = keep - 1e-6; double fm = f(at);
            at[k] = keep;
            double fd = (fp - fm) / 2e-6;
            TestUtil.Close(before[k] + fd, after[k], 1e-4, 2e-5 * (1 + Math.Abs(fd)), $"{what}[{k}]");
        }
    }

    [Fact]
    public void LayerNorm_ConstantRow_IsZeroWithoutAffine()
    {
        var x = new float[20];
        Array.Fill(x, 3.25f);
        var y = new float[20];
        var mean = new float[1];
        var rstd = new float[1];
        LayerNorm.Forward(x, [], [], 1e-5f, y, mean, rstd, 1, 20);
        Assert.Equal(3.25f, mean[0]);
        TestUtil.Close(1 / Math.Sqrt(1e-5), rstd[0], 1e-6, 0, "rstd");
        Assert.All(y, v => Assert.Equal(0f, v));
    }

    [Fact]
    public void WrongLengths_Throw()
    {
        var ex = Assert.Throws<ArgumentException>(() => LayerNorm.Forward(new float[6], new float[2], [], 1e-5f, new float[6], new float[2], new float[2], 2, 3));
        Assert.Contains("gamma", ex.Message);
        Assert.Throws<ArgumentException>(() => RmsNorm.Backward(new float[6], [], new float[3], new float[6], new float[6], [], 2, 3));
    }
}
