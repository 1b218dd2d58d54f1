namespace NeuralSharp.Kernels.Tests;

/// <summary>The contiguous-row path (inner == 1): every length 0..257 and long rows, unaligned, with extreme values.</summary>
public class SoftmaxRowsTests
{
    private static IEnumerable<int> Dims()
    {
        for (int d = 0; d <= 257; d++) yield return d;
        foreach (int d in new[] { 1000, 1023, 1024, 1025, 4095, 4096 }) yield return d;
    }

    private static void Run(float[] x, int off, int rows, int dim, bool log, float[] y)
    {
        if (log) Softmax.LogForward(x.AsSpan(off, rows * dim), y.AsSpan(off, rows * dim), rows, dim, 1);
        else Softmax.Forward(x.AsSpan(off, rows * dim), y.AsSpan(off, rows * dim), rows, dim, 1);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Rows_MatchDoubleReference_AllLengths_Unaligned_InPlace(bool log)
    {
        var rng = new Random(1234);
        foreach (int dim in Dims())
        {
            int rows = 1 + dim % 3, n = rows * dim, off = 1 + dim % 3;
            var x = TestUtil.Array(rng, n, -12f, 12f);
            var y = new float[x.Length];
            Run(x, off, rows, dim, log, y);
            var e = new double[n];
            SoftmaxReference.Forward(x.AsSpan(off, n), e, rows, dim, 1, log);
            TestUtil.AllClose(e, y.AsSpan(off, n), 2e-6, log ? 5e-6 : 1e-8, $"log={log} rows={rows} dim={dim}");
            Assert.Equal(0f, y[off - 1]);
            Assert.Equal(0f, y[off + n]);
            var inPlace = (float[])x.Clone();
            Run(inPlace, off, rows, dim, log, inPlace);
            Assert.Equal(y.AsSpan(off, n).ToArray(), inPlace.AsSpan(off, n).ToArray());
            if (log || dim == 0) continue;
            for (int r = 0; r < rows; r++)
            {
                double s = 0;
                for (int d = 0; d < dim; d++) s += y[off + r * dim + d];
                TestUtil.Close(1, s, 0, 2e-6, $"sum dim={dim}");
            }
        }
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Rows_ExtremeValues_AndNegativeInfinity(bool log)
    {
        var rng = new Random(1234);
        foreach (int dim in new[] { 1, 15, 16, 17, 31, 64, 65, 100, 257, 1024, 4096 })
        {
            int off = 1 + dim % 3;
            var x = TestUtil.Array(rng, dim, -1e4f, 1e4f);
            // Spikes of ±1e4 and ±3e4, -inf entries (exp gives exactly 0, log gives -inf), and a near tie at the top.
            for (int k = 0; k < dim; k += 7) x[off + k] = float.NegativeInfinity;
            x[off + dim / 2] = 3e4f;
            if (dim > 2) x[off + dim / 3] = 3e4f - 1f;
            if (dim > 5) x[off + dim - 2] = -3e4f;
            var y = new float[x.Length];
            Run(x, off, 1, dim, log, y);
            var e = new double[dim];
            SoftmaxReference.Forward(x.AsSpan(off, dim), e, 1, dim, 1, log);
            for (int k = 0; k < dim; k++)
            {
                float v = y[off + k];
                if (float.IsNegativeInfinity(x[off + k])) Assert.Equal(log ? float.NegativeInfinity : 0f, v);
                else TestUtil.Close(e[k], v, 2e-6, log ? 5e-6 : 1e-8, $"log={log} dim={dim} k={k}");
            }
        }
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Rows_NaNOrInfiniteMaximum_PoisonsOnlyItsRow(bool log)
    {
        foreach (int dim in new[] { 5, 16, 33, 1024 })
            foreach (float bad in new[] { float.NaN, float.PositiveInfinity })
            {
                const int rows = 4;
                var rng = new Random(1234);
                var x = TestUtil.Array(rng, rows * dim, pad: 0);
                x[1 * dim + dim - 1] = bad;                  // last element (the overlapping tail vector)
                x[2 * dim + dim / 2] = bad;                  // middle
                for (int k = 0; k < dim; k++) x[3 * dim + k] = float.NegativeInfinity; // maximum -inf
                var y = new float[x.Length];
                if (log) Softmax.LogForward(x, y, rows, dim, 1); else Softmax.Forward(x, y, rows, dim, 1);
                for (int k = 0; k < x.Length; k++)
                    Assert.True((k >= dim) == float.IsNaN(y[k]), $"log={log} dim={dim} bad={bad} k={k}: {y[k]}");
            }
    }

    [Theory]
    [InlineData(false, 0f)]
    [InlineData(true, 0.1f)]
    public void CrossEntropy_LongRows_MatchDoubleReference(bool weighted, float eps)
    {
        var rng = new Random(1234);
        foreach (int classes in new[] { 16, 100, 1000, 1024, 4096 })
        {
            const int rows = 2;
            int n = rows * classes;
            var logits = TestUtil.Array(rng, n, -8f, 8f, pad: 0);
            int[] targets = [rng.Next(classes), rng.Next(classes)];
            var w = weighted ? TestUtil.Array(rng, classes, 0.1f, 2f, pad: 0) : [];
            var lp = new float[n];
            var (loss, weight) = CrossEntropy.Forward(logits, targets, w, eps, -100, lp, rows, classes);
            var dl = TestUtil.Array(rng, n, pad: 0);
            var expectedGrad = TestUtil.ToDouble(dl);
            CrossEntropy.Backward(lp, targets, w, eps, -100, 0.5f, dl, rows, classes);
            var (eLoss, eWeight) = SoftmaxReference.CrossEntropy(logits, targets, w, eps, -100, 0.5, expectedGrad, rows, classes);
            TestUtil.Close(eLoss, loss, 1e-5, 1e-6, $"loss C={classes}");
            TestUtil.Close(eWeight, weight, 1e-6, 0, $"weight C={classes}");
            TestUtil.AllClose(expectedGrad, dl, 1e-5, 2e-6, $"grad C={classes}");
        }
    }
}
