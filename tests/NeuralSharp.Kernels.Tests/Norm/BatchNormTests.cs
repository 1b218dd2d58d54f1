namespace NeuralSharp.Kernels.Tests;

public class BatchNormTests
{
    private static IEnumerable<(int N, int C, int L)> Shapes()
    {
        // N ≥ 4: with two values per channel the variance can be ~eps and float rounding of x - mean dominates (ill-conditioned, not a kernel error).
        for (int c = 1; c <= 67; c += 3) yield return (4 + c % 5, c, 1);
        yield return (3, 257, 1);
        yield return (2, 1, 1);
        foreach (int l in new[] { 2, 3, 7, 16, 17, 33 }) yield return (1 + l % 3, 1 + l % 5, l);
        yield return (0, 4, 1);
        yield return (3, 0, 1);
    }

    [Theory]
    [InlineData(true, true)]
    [InlineData(false, false)]
    [InlineData(true, false)]
    [InlineData(false, true)]
    public void Training_ForwardAndBackward_MatchDoubleReference(bool hasGamma, bool hasBeta)
    {
        var rng = new Random(1234);
        const float eps = 1e-5f;
        foreach (var (n, c, l) in Shapes())
        {
            int size = n * c * l, off = 1 + size % 3;
            var x = TestUtil.Array(rng, size, -2f, 4f);
            var gamma = hasGamma ? TestUtil.Array(rng, c, 0.5f, 1.5f, pad: 0) : [];
            var beta = hasBeta ? TestUtil.Array(rng, c, pad: 0) : [];
            var y = new float[x.Length];
            var (mean, variance, rstd) = (new float[c], new float[c], new float[c]);
            BatchNorm.ForwardTraining(x.AsSpan(off, size), gamma, beta, eps, y.AsSpan(off, size), mean, variance, rstd, n, c, l);
            if (n * l == 0) continue;
            var xd = TestUtil.ToDouble(x.AsSpan(off, size));
            var (gd, bd) = (TestUtil.ToDouble(gamma), TestUtil.ToDouble(beta));
            var ey = new double[size];
            var (em, ev) = (new double[c], new double[c]);
            BatchNormReference.ForwardTraining(xd, gd, bd, eps, ey, em, ev, n, c, l);
            string shape = $"[{n},{c},{l}]";
            TestUtil.AllClose(ey, y.AsSpan(off, size), 1e-5, 1e-5, "bn y " + shape);
            TestUtil.AllClose(em, mean, 1e-5, 1e-6, "bn mean " + shape);
            TestUtil.AllClose(ev, variance, 1e-5, 1e-6, "bn variance " + shape);

            var dy = TestUtil.Array(rng, size);
            var dx = TestUtil.Array(rng, size);
            var dgamma = TestUtil.Array(rng, c, pad: 0);
            var dbeta = TestUtil.Array(rng, c, pad: 0);
            var (dx0, dg0, db0) = ((float[])dx.Clone(), (float[])dgamma.Clone(), (float[])dbeta.Clone());
            BatchNorm.Backward(x.AsSpan(off, size), gamma, mean, rstd, dy.AsSpan(off, size), dx.AsSpan(off, size), dgamma, dbeta,
                new float[3 * c], training: true, n, c, l);
            var yy = new double[size];
            var (mm, vv) = (new double[c], new double[c]);
            double Objective(double[] xs, double[] g, double[] b)
            {
                BatchNormReference.ForwardTraining(xs, g, b, eps, yy, mm, vv, n, c, l);
                double s = 0;
                for (int k = 0; k < size; k++) s += dy[off + k] * yy[k];
                return s;
            }
            var ones = Enumerable.Repeat(1.0, c).ToArray();
            var zeros = new double[c];
            CheckGradient(xd, v => Objective(v, gd, bd), dx0.AsSpan(off, size), dx.AsSpan(off, size), "bn dx " + shape);
            CheckGradient(hasGamma ? gd : ones, v => Objective(xd, v, bd), dg0, dgamma, "bn dgamma " + shape);
            CheckGradient(hasBeta ? bd : zeros, v => Objective(xd, gd.Length == 0 ? ones : gd, v), db0, dbeta, "bn dbeta " + shape);
        }
    }

    [Fact]
    public void Inference_ForwardAndBackward_AreTheAffineMapOfTheRunningStatistics()
    {
        var rng = new Random(1234);
        const float eps = 1e-3f;
        foreach (var (n, c, l) in Shapes())
        {
            int size = n * c * l, off = 1 + size % 3;
            var x = TestUtil.Array(rng, size);
            var gamma = TestUtil.Array(rng, c, 0.5f, 1.5f, pad: 0);
            var beta = TestUtil.Array(rng, c, pad: 0);
            var rm = TestUtil.Array(rng, c, pad: 0);
            var rv = TestUtil.Array(rng, c, 0.1f, 3f, pad: 0);
            var y = new float[x.Length];
            var rstd = new float[c];
            BatchNorm.ForwardInference(x.AsSpan(off, size), rm, rv, gamma, beta, eps, y.AsSpan(off, size), rstd, n, c, l);
            var ey = new double[size];
            BatchNormReference.Normalize(TestUtil.ToDouble(x.AsSpan(off, size)), TestUtil.ToDouble(rm), TestUtil.ToDouble(rv),
                TestUtil.ToDouble(gamma), TestUtil.ToDouble(beta), eps, ey, n, c, l);
            TestUtil.AllClose(ey, y.AsSpan(off, size), 1e-5, 1e-5, $"bn eval y [{n},{c},{l}]");

            var dy = TestUtil.Array(rng, size);
            var dx = new float[x.Length];
            var dgamma = new float[c];
            var dbeta = new float[c];
            BatchNorm.Backward(x.AsSpan(off, size), gamma, rm, rstd, dy.AsSpan(off, size), dx.AsSpan(off, size), dgamma, dbeta,
                new float[3 * c], training: false, n, c, l);
            var edx = new double[size];
            var (edg, edb) = (new double[c], new double[c]);
            for (int b = 0; b < n; b++)
                for (int ch = 0; ch < c; ch++)
                    for (int i = 0; i < l; i++)
                    {
                        int j = (b * c + ch) * l + i;
                        double r = 1 / Math.Sqrt((double)rv[ch] + eps), g = dy[off + j];
                        edx[j] = g * gamma[ch] * r;
                        edg[ch] += g * (x[off + j] - rm[ch]) * r;
                        edb[ch] += g;
                    }
            TestUtil.AllClose(edx, dx.AsSpan(off, size), 1e-5, 1e-6, "bn eval dx");
            TestUtil.AllClose(edg, dgamma, 1e-4, 1e-5, "bn eval dgamma");
            TestUtil.AllClose(edb, dbeta, 1e-4, 1e-5, "bn eval dbeta");
        }
    }

    [Fact]
    public void RunningStatistics_UseTheUnbiasedVariance()
    {
        float[] mean = [1f, -2f], variance = [4f, 0.5f], rm = [0.5f, 0f], rv = [1f, 2f];
        BatchNorm.UpdateRunningStatistics(mean, variance, 5, 0.1f, rm, rv);
        TestUtil.Close(0.9 * 0.5 + 0.1 * 1, rm[0], 1e-6, 0, "rm0");
        TestUtil.Close(0.1 * -2, rm[1], 1e-6, 0, "rm1");
        TestUtil.Close(0.9 * 1 + 0.1 * 4 * 5 / 4.0, rv[0], 1e-6, 0, "rv0");
        TestUtil.Close(0.9 * 2 + 0.1 * 0.5 * 5 / 4.0, rv[1], 1e-6, 0, "rv1");
        var ex = Assert.Throws<ArgumentException>(() => BatchNorm.UpdateRunningStatistics(mean, variance, 1, 0.1f, rm, rv));
        Assert.Contains("count", ex.Message);
    }

    [Fact]
    public void ForwardAliasingInputAndOutputGivesTheSameResult()
    {
        var rng = new Random(5);
        foreach (int l in new[] { 1, 9 })
        {
            var x = TestUtil.Array(rng, 4 * 19 * l, pad: 0);
            var y = new float[x.Length];
            float[] m = new float[19], v = new float[19], r = new float[19];
            BatchNorm.ForwardTraining(x, [], [], 1e-5f, y, m, v, r, 4, 19, l);
            BatchNorm.ForwardTraining(x, [], [], 1e-5f, x, m, v, r, 4, 19, l);
            Assert.Equal(y, x);
        }
    }

    [Fact]
    public void WrongLengths_ThrowNamingTheArgument()
    {
        var ex = Assert.Throws<ArgumentException>(() => BatchNorm.ForwardTraining(new float[6], [], [], 1e-5f, new float[6], new float[3], new float[3], new float[2], 2, 3, 1));
        Assert.Contains("BatchNorm.ForwardTraining", ex.Message);
        Assert.Contains("rstd", ex.Message);
        ex = Assert.Throws<ArgumentException>(() => BatchNorm.Backward(new float[6], [], new float[3], new float[3], new float[6], new float[6], [], [], new float[6], true, 2, 3, 1));
        Assert.Contains("workspace", ex.Message);
        ex = Assert.Throws<ArgumentException>(() => BatchNorm.ForwardInference(new float[6], new float[3], new float[2], [], [], 1e-5f, new float[6], new float[3], 2, 3, 1));
        Assert.Contains("runningVar", ex.Message);
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
            TestUtil.Close(before[k] + fd, after[k], 1e-4, 3e-5 * (1 + Math.Abs(fd)), $"{what}[{k}]");
        }
    }
}
