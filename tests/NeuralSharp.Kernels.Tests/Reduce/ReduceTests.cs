namespace NeuralSharp.Kernels.Tests;

public class ReduceTests
{
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Sum_MatchesDoubleReference(bool accumulate)
    {
        var rng = new Random(1234);
        var shapes = new List<(int, int, int)>();
        for (int dim = 0; dim <= 67; dim++) shapes.Add((1 + dim % 3, dim, 1));
        for (int i = 0; i < 80; i++) shapes.Add((1 + rng.Next(3), rng.Next(0, 30), 2 + rng.Next(67)));
        foreach (var (outer, dim, inner) in shapes)
        {
            int n = outer * dim * inner, m = outer * inner, off = 1 + n % 3;
            var x = TestUtil.Array(rng, n);
            var dst = TestUtil.Array(rng, m);
            var before = (float[])dst.Clone();
            Reduce.Sum(x.AsSpan(off, n), dst.AsSpan(off, m), outer, dim, inner, accumulate);
            var e = new double[m];
            ReduceReference.Sum(x.AsSpan(off, n), e, outer, dim, inner);
            if (accumulate) for (int i = 0; i < m; i++) e[i] += before[off + i];
            TestUtil.AllClose(e, dst.AsSpan(off, m), 1e-6, 3e-6 * Math.Sqrt(dim + 1), $"sum [{outer},{dim},{inner}]");
            Assert.Equal(before[0], dst[0]);
            Assert.Equal(before[off + m], dst[off + m]);
        }
    }

    [Fact]
    public void SumAll_And_SumOfSquares_MatchDouble()
    {
        var rng = new Random(1234);
        foreach (var (n, off) in TestUtil.LengthsAndOffsets().Append((100_003, 2)))
        {
            var x = TestUtil.Array(rng, n);
            TestUtil.Close(ReduceReference.SumAll(x.AsSpan(off, n)), Reduce.SumAll(x.AsSpan(off, n)), 1e-12, 1e-12, $"sumall n={n}");
            TestUtil.Close(ReduceReference.SumOfSquares(x.AsSpan(off, n)), Reduce.SumOfSquares(x.AsSpan(off, n)), 1e-12, 1e-12, $"sumsq n={n}");
        }
    }

    [Fact]
    public void MaxAndArgMax_MatchReference_FirstOfTies()
    {
        var rng = new Random(1234);
        for (int n = 1; n <= 257; n++)
        {
            var x = TestUtil.Array(rng, n, -5f, 5f);
            var s = x.AsSpan(1, n);
            // Plant ties of the maximum, sometimes.
            if (n > 3 && n % 2 == 0) { s[n / 3] = 7f; s[n - 1] = 7f; }
            int r = ReduceReference.ArgMax(s);
            Assert.Equal(r, Reduce.ArgMax(s));
            Assert.Equal(s[r], Reduce.Max(s));
        }
    }

    [Fact]
    public void MaxAndArgMax_NaNWins_InfHandled()
    {
        for (int n = 1; n <= 40; n++)
            for (int at = 0; at < n; at += 7)
            {
                var x = new float[n];
                x[at] = float.NaN;
                if (at + 1 < n) x[at + 1] = float.NaN;
                Assert.True(float.IsNaN(Reduce.Max(x)));
                Assert.Equal(at, Reduce.ArgMax(x));
            }
        float[] inf = [1f, float.NegativeInfinity, float.PositiveInfinity, 3f];
        Assert.Equal(float.PositiveInfinity, Reduce.Max(inf));
        Assert.Equal(2, Reduce.ArgMax(inf));
        float[] allNegInf = [float.NegativeInfinity, float.NegativeInfinity];
        Assert.Equal(0, Reduce.ArgMax(allNegInf));
        Assert.Throws<ArgumentException>(() => Reduce.Max([]));
        Assert.Throws<ArgumentException>(() => Reduce.ArgMax([]));
    }

    [Fact]
    public void AllFinite_DetectsEveryPosition()
    {
        Assert.True(Reduce.AllFinite([]));
        foreach (float bad in new[] { float.NaN, float.PositiveInfinity, float.NegativeInfinity })
            for (int n = 1; n <= 70; n++)
            {
                var x = TestUtil.Array(new Random(n), n, -1e38f, 1e38f);
                Assert.True(Reduce.AllFinite(x.AsSpan(1, n)));
                x[1 + (n * 7) % n] = bad;
                Assert.False(Reduce.AllFinite(x.AsSpan(1, n)));
            }
        Assert.True(Reduce.AllFinite([float.MaxValue, -float.MaxValue, float.Epsilon]));
    }
}
