namespace NeuralSharp.Kernels.Tests;

public class SoftmaxTests
{
    private static IEnumerable<(int Outer, int Dim, int Inner)> Shapes()
    {
        var rng = new Random(1234);
        for (int dim = 0; dim <= 67; dim++) yield return (1 + dim % 3, dim, 1);
        for (int i = 0; i < 60; i++) yield return (1 + rng.Next(3), rng.Next(0, 20), 2 + rng.Next(40));
        yield return (2, 5, 16);
        yield return (1, 7, 24);
        yield return (3, 1, 9);
        yield return (0, 4, 4);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Forward_MatchesDoubleReference(bool log)
    {
        var rng = new Random(1234);
        foreach (var (outer, dim, inner) in Shapes())
        {
            int n = outer * dim * inner, off = 1 + n % 3;
            var x = TestUtil.Array(rng, n, -10f, 10f);
            var y = new float[x.Length];
            if (log) Softmax.LogForward(x.AsSpan(off, n), y.AsSpan(off, n), outer, dim, inner);
            else Softmax.Forward(x.AsSpan(off, n), y.AsSpan(off, n), outer, dim, inner);
            var e = new double[n];
            SoftmaxReference.Forward(x.AsSpan(off, n), e, outer, dim, inner, log);
            TestUtil.AllClose(e, y.AsSpan(off, n), 2e-6, log ? 5e-6 : 1e-8, $"log={log} [{outer},{dim},{inner}]");
            Assert.Equal(0f, y[0]);
            Assert.Equal(0f, y[off + n]);
        }
    }

    [Fact]
    public void Forward_RowsSumToOne_AndInPlaceWorks()
    {
        var rng = new Random(1234);
        foreach (var (outer, dim, inner) in Shapes())
        {
            if (dim == 0) continue;
            int n = outer * dim * inner;
            var x = TestUtil.Array(rng, n, -20f, 20f, pad: 0);
            var y = new float[n];
            Softmax.Forward(x, y, outer, dim, inner);
            var inPlace = (float[])x.Clone();
            Softmax.Forward(inPlace, inPlace, outer, dim, inner);
            Assert.Equal(y, inPlace);
            var logInPlace = (float[])x.Clone();
            var logY = new float[n];
            Softmax.LogForward(x, logY, outer, dim, inner);
            Softmax.LogForward(logInPlace, logInPlace, outer, dim, inner);
            Assert.Equal(logY, logInPlace);
            for (int o = 0; o < outer; o++)
                for (int i = 0; i < inner; i++)
                {
                    double s = 0, sl = 0;
                    for (int d = 0; d < dim; d++) { s += y[(o * dim + d) * inner + i]; sl += Math.Exp(logY[(o * dim + d) * inner + i]); }
                    TestUtil.Close(1, s, 0, 2e-6, "sum p");
                    TestUtil.Close(1, sl, 0, 5e-6, "sum exp(log p)");
                }
        }
    }

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    [InlineData(17)]
    public void Forward_StableWithHugeLogits(int inner)
    {
        float[] row = [1e4f, -1e4f, 0f, 1e4f, 5f];
        int dim = row.Length;
        var x = new float[dim * inner];
        for (int d = 0; d < dim; d++) for (int i = 0; i < inner; i++) x[d * inner + i] = row[d];
        var y = new float[x.Length];
        var ly = new float[x.Length];
        Softmax.Forward(x, y, 1, dim, inner);
        Softmax.LogForward(x, ly, 1, dim, inner);
        for (int i = 0; i < inner; i++)
        {
            Assert.Equal(0.5f, y[0 * inner + i]);
            Assert.Equal(0f, y[1 * inner + i]);
            Assert.Equal(0.5f, y[3 * inner + i]);
            TestUtil.Close(-Math.Log(2), ly[0 * inner + i], 1e-6, 0, "log p max");
            TestUtil.Close(-2e4 - Math.Log(2), ly[1 * inner + i], 1e-6, 0, "log p min");
            Assert.True(float.IsFinite(ly[2 * inner + i]));
        }
        var eq = new float[7 * inner];
        Array.Fill(eq, 123.5f);
        Softmax.Forward(eq, eq, 1, 7, inner);
        foreach (float p in eq) TestUtil.Close(1.0 / 7, p, 1e-6, 0, "all equal");
    }

    [Fact]
    public void Forward_NaNPoisonsOnlyItsSlice()
    {
        var x = new float[2 * 3 * 20];
        x[5 * 20 + 3] = float.NaN; // outer 1, d = 2, inner 3
        var y = new float[x.Length];
        Softmax.Forward(x, y, 2, 3, 20);
        for (int k = 0; k < x.Length; k++)
        {
            bool poisoned = k >= 60 && k % 20 == 3;
            Assert.Equal(poisoned, float.IsNaN(y[k]));
        }
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Backward_MatchesDoubleReference(bool log)
    {
        var rng = new Random(1234);
        foreach (var (outer, dim, inner) in Shapes())
        {
            int n = outer * dim * inner, off = 1 + n % 3;
            var x = TestUtil.Array(rng, n, -5f, 5f);
            var y = new float[x.Length];
            if (log) Softmax.LogForward(x, y, 1, x.Length, 1);
            else Softmax.Forward(x, y, 1, x.Length, 1);
            var dy = TestUtil.Array(rng, n);
            var dx = TestUtil.Array(rng, n);
            var expected = TestUtil.ToDouble(dx.AsSpan(off, n));
            if (log) Softmax.LogBackward(y.AsSpan(off, n), dy.AsSpan(off, n), dx.AsSpan(off, n), outer, dim, inner);
            else Softmax.Backward(y.AsSpan(off, n), dy.AsSpan(off, n), dx.AsSpan(off, n), outer, dim, inner);
            SoftmaxReference.Backward(y.AsSpan(off, n), dy.AsSpan(off, n), expected, outer, dim, inner, log);
            TestUtil.AllClose(expected, dx.AsSpan(off, n), 1e-5, 1e-5, $"log={log} [{outer},{dim},{inner}]");
        }
    }

    [Fact]
    public void Backward_MatchesFiniteDifferences()
    {
        // L = sum(dy * softmax(x)) along rows of 9, checked for a strided layout too.
        var rng = new Random(1234);
        foreach (int inner in new[] { 1, 5 })
            foreach (bool log in new[] { false, true })
            {
                int outer = 2, dim = 9, n = outer * dim * inner;
                var x = TestUtil.Array(rng, n, -2f, 2f, pad: 0);
                var dy = TestUtil.Array(rng, n, pad: 0);
                var y = new float[n];
                if (log) Softmax.LogForward(x, y, outer, dim, inner); else Softmax.Forward(x, y, outer, dim, inner);
                var dx = new float[n];
                if (log) Softmax.LogBackward(y, dy, dx, outer, dim, inner); else Softmax.Backward(y, dy, dx, outer, dim, inner);
                var yr = new double[n];
                double L(float[] xs)
                {
                    SoftmaxReference.Forward(xs, yr, outer, dim, inner, log);
                    double s = 0;
                    for (int k = 0; k < n; k++) s += dy[k] * yr[k];
                    return s;
                }
                for (int k = 0; k < n; k++)
                {
                    var xp = (float[])x.Clone(); xp[k] += 1e-2f;
                    var xm = (float[])x.Clone(); xm[k] -= 1e-2f;
                    double fd = (L(xp) - L(xm)) / (xp[k] - xm[k]);
                    TestUtil.Close(fd, dx[k], 1e-3, 1e-4, $"fd log={log} inner={inner} k={k}");
                }
            }
    }

    [Fact]
    public void WrongLengths_Throw()
    {
        var ex = Assert.Throws<ArgumentException>(() => Softmax.Forward(new float[12], new float[11], 2, 3, 2));
        Assert.Contains("Softmax.Forward", ex.Message);
        Assert.Throws<ArgumentException>(() => Softmax.Backward(new float[12], new float[12], new float[12], 2, 3, 3));
        Assert.Throws<ArgumentException>(() => Softmax.LogForward(new float[0], new float[0], -1, 3, 2));
    }
}
