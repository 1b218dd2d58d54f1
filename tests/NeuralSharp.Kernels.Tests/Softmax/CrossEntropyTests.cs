namespace NeuralSharp.Kernels.Tests;

public class CrossEntropyTests
{
    [Theory]
    [InlineData(false, 0f, false)]
    [InlineData(true, 0f, false)]
    [InlineData(false, 0.1f, false)]
    [InlineData(true, 0.2f, false)]
    [InlineData(false, 0f, true)]
    [InlineData(true, 0.15f, true)]
    public void ForwardAndBackward_MatchDoubleReference(bool weighted, float eps, bool withIgnored)
    {
        var rng = new Random(1234);
        const int ignore = -100;
        for (int classes = 1; classes <= 67; classes += 3)
        {
            int rows = 1 + rng.Next(7), n = rows * classes;
            var logits = TestUtil.Array(rng, n, -8f, 8f, pad: 0);
            var targets = new int[rows];
            for (int r = 0; r < rows; r++) targets[r] = withIgnored && r % 3 == 1 ? ignore : rng.Next(classes);
            var w = weighted ? TestUtil.Array(rng, classes, 0.1f, 2f, pad: 0) : [];
            var lp = new float[n];
            var (loss, weight) = CrossEntropy.Forward(logits, targets, w, eps, ignore, lp, rows, classes);
            const float scale = 0.7f;
            var dl = TestUtil.Array(rng, n, pad: 0);
            var expectedGrad = TestUtil.ToDouble(dl);
            CrossEntropy.Backward(lp, targets, w, eps, ignore, scale, dl, rows, classes);
            var (eLoss, eWeight) = SoftmaxReference.CrossEntropy(logits, targets, w, eps, ignore, scale, expectedGrad, rows, classes);
            TestUtil.Close(eLoss, loss, 1e-5, 1e-6, $"loss C={classes}");
            TestUtil.Close(eWeight, weight, 1e-6, 0, $"weight C={classes}");
            TestUtil.AllClose(expectedGrad, dl, 1e-5, 2e-6, $"grad C={classes}");
            var elp = new double[n];
            SoftmaxReference.Forward(logits, elp, rows, classes, 1, log: true);
            TestUtil.AllClose(elp, lp, 1e-6, 5e-6, $"logProbs C={classes}");
        }
    }

    [Fact]
    public void Backward_SameBitsAtEveryAlignment()
    {
        // The gradient row kernel starts its loop where dl is 64-byte aligned, with the first and last 16 floats
        // overlapping it: every offset of dl within a cache line (and another of the log-probabilities) must give the
        // same bits, and nothing outside dl may change.
        var rng = new Random(99);
        foreach (int classes in new[] { 16, 17, 31, 32, 47, 100, 1000 })
        {
            const int rows = 3;
            int n = rows * classes;
            var logits = TestUtil.Array(rng, n, -8f, 8f, pad: 0);
            var targets = new[] { 0, classes - 1, rng.Next(classes) };
            var lp = new float[n];
            CrossEntropy.Forward(logits, targets, default, 0.1f, -100, lp, rows, classes);
            var dl = TestUtil.Array(rng, n, pad: 0);
            float[]? expected = null;
            for (int off = 0; off < 16; off++)
            {
                int lpOff = (off * 7 + 3) % 16;
                var lpBuf = new float[n + 16];
                lp.CopyTo(lpBuf, lpOff);
                var dlBuf = new float[n + 16];
                dl.CopyTo(dlBuf, off);
                CrossEntropy.Backward(lpBuf.AsSpan(lpOff, n), targets, default, 0.1f, -100, 0.5f, dlBuf.AsSpan(off, n), rows, classes);
                for (int i = 0; i < dlBuf.Length; i++)
                    if (i < off || i >= off + n) Assert.Equal(0f, dlBuf[i]);
                var got = dlBuf.AsSpan(off, n).ToArray();
                expected ??= got;
                for (int i = 0; i < n; i++)
                    Assert.True(BitConverter.SingleToInt32Bits(expected[i]) == BitConverter.SingleToInt32Bits(got[i]),
                        $"C={classes} offset {off}: dl[{i}] = {got[i]}, at offset 0 {expected[i]}");
            }
        }
    }

    [Fact]
    public void Mean_MatchesPyTorchHandComputedValue()
    {
        // PyTorch's 'mean' of cross_entropy(logits, [2, 0], weight=[1, 2, 3], label_smoothing=0.1), from its definition:
        // (0.9 sum_i w[y_i] nll_i + 0.1/C sum_i sum_c w_c (-lp_ic)) / sum_i w[y_i].
        float[] logits = [1, 2, 3, 1, 0, -1];
        int[] t = [2, 0];
        float[] w = [1, 2, 3];
        var lp = new float[6];
        var (loss, weight) = CrossEntropy.Forward(logits, t, w, 0.1f, -100, lp, 2, 3);
        double lse0 = Math.Log(Math.Exp(1) + Math.Exp(2) + Math.Exp(3)), lse1 = Math.Log(Math.Exp(1) + 1 + Math.Exp(-1));
        double nll = 3 * (lse0 - 3) + 1 * (lse1 - 1);
        double smooth = (1 * (lse0 - 1) + 2 * (lse0 - 2) + 3 * (lse0 - 3)) + (1 * (lse1 - 1) + 2 * (lse1 - 0) + 3 * (lse1 + 1));
        TestUtil.Close((0.9 * nll + 0.1 / 3 * smooth) / 4, loss / weight, 1e-6, 0, "mean");
        Assert.Equal(4, weight);
    }

    [Fact]
    public void AllIgnored_GivesZero_AndNoGradient()
    {
        var lp = new float[6];
        var (loss, weight) = CrossEntropy.Forward(new float[6], [-1, -1], [], 0.1f, -1, lp, 2, 3);
        Assert.Equal(0, loss);
        Assert.Equal(0, weight);
        var dl = new float[6];
        CrossEntropy.Backward(lp, [-1, -1], [], 0.1f, -1, 1f, dl, 2, 3);
        Assert.All(dl, v => Assert.Equal(0f, v));
    }

    [Fact]
    public void WrongLengths_Throw()
    {
        var ex = Assert.Throws<ArgumentException>(() => CrossEntropy.Forward(new float[6], new int[3], [], 0, -100, new float[6], 2, 3));
        Assert.Contains("targets", ex.Message);
        Assert.Throws<ArgumentException>(() => CrossEntropy.Backward(new float[6], new int[2], new float[2], 0, -100, 1, new float[6], 2, 3));
    }
}
