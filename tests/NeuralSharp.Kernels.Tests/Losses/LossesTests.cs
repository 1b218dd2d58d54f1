namespace NeuralSharp.Kernels.Tests;

public class LossesTests
{
    [Fact]
    public void Mse_MatchesDoubleReference()
    {
        var rng = new Random(1234);
        foreach (var (n, off) in TestUtil.LengthsAndOffsets())
        {
            var x = TestUtil.Array(rng, n);
            var t = TestUtil.Array(rng, n);
            var dx = TestUtil.Array(rng, n);
            var e = TestUtil.ToDouble(dx.AsSpan(off, n));
            double loss = Losses.MseForward(x.AsSpan(off, n), t.AsSpan(off, n));
            Losses.MseBackward(x.AsSpan(off, n), t.AsSpan(off, n), 0.3f, dx.AsSpan(off, n));
            double el = LossesReference.Mse(x.AsSpan(off, n), t.AsSpan(off, n), 0.3, e);
            TestUtil.Close(el, loss, 1e-6, 1e-12, $"mse n={n}");
            TestUtil.AllClose(e, dx.AsSpan(off, n), 1e-6, 1e-6, $"mse grad n={n}");
        }
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void BceWithLogits_MatchesDoubleReference(bool posWeight)
    {
        var rng = new Random(1234);
        for (int cols = 1; cols <= 40; cols += 3)
            for (int rows = 0; rows <= 5; rows++)
            {
                int n = rows * cols, off = 1 + n % 3;
                var x = TestUtil.Array(rng, n, -30f, 30f);
                var t = TestUtil.Array(rng, n, 0f, 1f);
                for (int i = 0; i < t.Length; i += 2) t[i] = MathF.Round(t[i]); // hard and soft labels
                var p = posWeight ? TestUtil.Array(rng, cols, 0.2f, 5f, pad: 0) : [];
                var dx = TestUtil.Array(rng, n);
                var e = TestUtil.ToDouble(dx.AsSpan(off, n));
                double loss = Losses.BceWithLogitsForward(x.AsSpan(off, n), t.AsSpan(off, n), p, cols);
                Losses.BceWithLogitsBackward(x.AsSpan(off, n), t.AsSpan(off, n), p, cols, 0.25f, dx.AsSpan(off, n));
                double el = LossesReference.Bce(x.AsSpan(off, n), t.AsSpan(off, n), p, cols, 0.25, e);
                TestUtil.Close(el, loss, 1e-5, 1e-5, $"bce [{rows},{cols}]");
                TestUtil.AllClose(e, dx.AsSpan(off, n), 1e-5, 2e-6, $"bce grad [{rows},{cols}]");
            }
    }

    [Fact]
    public void BceWithLogits_StableForHugeLogits()
    {
        float[] x = [1e4f, -1e4f, 100f, -100f];
        float[] t = [0f, 1f, 1f, 0f];
        double loss = Losses.BceWithLogitsForward(x, t, [], 0);
        TestUtil.Close(2e4, loss, 1e-7, 0, "huge logits");
        var dx = new float[4];
        Losses.BceWithLogitsBackward(x, t, [], 0, 1f, dx);
        Assert.Equal([1f, -1f, 0f, 0f], dx);
    }

    [Fact]
    public void WrongLengths_Throw()
    {
        Assert.Throws<ArgumentException>(() => Losses.MseForward(new float[3], new float[4]));
        Assert.Throws<ArgumentException>(() => Losses.BceWithLogitsForward(new float[6], new float[6], new float[4], 4));
        Assert.Throws<ArgumentException>(() => Losses.BceWithLogitsForward(new float[6], new float[6], new float[3], 2));
    }
}
