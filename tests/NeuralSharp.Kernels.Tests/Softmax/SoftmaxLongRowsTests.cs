namespace NeuralSharp.Kernels.Tests;

/// <summary>
/// The chunked long-row path (inner == 1, dim &gt;= Softmax.LongRow): chunk boundaries and remainders, a maximum that
/// moves between chunks, -inf chunks, NaN and +inf in different chunks, and rows long enough for longer chunks.
/// </summary>
public class SoftmaxLongRowsTests
{
    // 2063/2064: a remainder of 15 joins the last chunk, one of 16 makes its own; 300001: more than 256 chunks of 1024.
    private static readonly int[] LongDims = { 2047, 2048, 2049, 2063, 2064, 3001, 4095, 4096, 4097, 16384, 16399, 300001 };

    private static void Run(float[] x, int off, int rows, int dim, bool log, float[] y)
    {
        if (log) Softmax.LogForward(x.AsSpan(off, rows * dim), y.AsSpan(off, rows * dim), rows, dim, 1);
        else Softmax.Forward(x.AsSpan(off, rows * dim), y.AsSpan(off, rows * dim), rows, dim, 1);
    }

    private static void CheckAgainstReference(float[] x, float[] y, int off, int rows, int dim, bool log, string what)
    {
        int n = rows * dim;
        var e = new double[n];
        SoftmaxReference.Forward(x.AsSpan(off, n), e, rows, dim, 1, log);
        for (int k = 0; k < n; k++)
        {
            float v = y[off + k];
            if (float.IsNegativeInfinity(x[off + k])) Assert.Equal(log ? float.NegativeInfinity : 0f, v);
            else TestUtil.Close(e[k], v, 2e-6, log ? 5e-6 : 1e-8, $"{what} k={k}");
        }
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void LongRows_MatchDoubleReference_Unaligned_InPlace(bool log)
    {
        var rng = new Random(1234);
        foreach (int dim in LongDims)
        {
            int rows = dim > 100000 ? 1 : 1 + dim % 3, n = rows * dim, off = 1 + dim % 3;
            var x = TestUtil.Array(rng, n, -12f, 12f);
            var y = new float[x.Length];
            Run(x, off, rows, dim, log, y);
            CheckAgainstReference(x, y, off, rows, dim, log, $"log={log} rows={rows} dim={dim}");
            Assert.Equal(0f, y[off - 1]);
            Assert.Equal(0f, y[off + n]);
            var inPlace = (float[])x.Clone();
            Run(inPlace, off, rows, dim, log, inPlace);
            Assert.Equal(y.AsSpan(off, n).ToArray(), inPlace.AsSpan(off, n).ToArray());
            if (log) continue;
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
    public void LongRows_MaximumMovingBetweenChunks_AndNegativeInfinityChunks(bool log)
    {
        var rng = new Random(1234);
        foreach (int dim in new[] { 2048, 4096, 4097, 16384, 16399 })
            for (int pattern = 0; pattern < 6; pattern++)
            {
                int off = 1 + dim % 3;
                var x = TestUtil.Array(rng, dim, -1e4f, 1e4f);
                switch (pattern)
                {
                    case 0: // rising ramp: the running maximum grows in every chunk (the running sum is rescaled each time)
                        for (int k = 0; k < dim; k++) x[off + k] = -3e4f + 6e4f * k / dim + (float)rng.NextDouble();
                        break;
                    case 1: // falling ramp: the first chunk holds the maximum, later chunks underflow to 0
                        for (int k = 0; k < dim; k++) x[off + k] = 3e4f - 6e4f * k / dim + (float)rng.NextDouble();
                        break;
                    case 2: // -inf in the first chunk(s): the running maximum starts at -inf
                        for (int k = 0; k < Math.Min(dim - 1, 2500); k++) x[off + k] = float.NegativeInfinity;
                        break;
                    case 3: // -inf in a middle chunk and in the last elements
                        for (int k = 1024; k < 2048; k++) x[off + k] = float.NegativeInfinity;
                        for (int k = dim - 20; k < dim; k++) x[off + k] = float.NegativeInfinity;
                        break;
                    case 4: // scattered -inf, spikes of ±3e4 and a near tie at the top in different chunks
                        for (int k = 0; k < dim; k += 7) x[off + k] = float.NegativeInfinity;
                        x[off + dim - 3] = 3e4f;
                        x[off + 5] = 3e4f - 1f;
                        x[off + dim / 2] = -3e4f;
                        break;
                    case 5: // only the last element is finite
                        for (int k = 0; k < dim - 1; k++) x[off + k] = float.NegativeInfinity;
                        break;
                }
                var y = new float[x.Length];
                Run(x, off, 1, dim, log, y);
                CheckAgainstReference(x, y, off, 1, dim, log, $"log={log} dim={dim} pattern={pattern}");
            }
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void LongRows_NaNOrInfiniteMaximum_InAnyChunk_PoisonsOnlyItsRow(bool log)
    {
        foreach (int dim in new[] { 2048, 4097, 16384 })
            foreach (float bad in new[] { float.NaN, float.PositiveInfinity })
                foreach (int at in new[] { 0, 1023, 1024, dim / 2, dim - 17, dim - 1 })
                {
                    const int rows = 4;
                    var rng = new Random(1234);
                    var x = TestUtil.Array(rng, rows * dim, pad: 0);
                    x[1 * dim + at] = bad;
                    x[2 * dim + (dim - 1 - at)] = bad;
                    for (int k = 0; k < dim; k++) x[3 * dim + k] = float.NegativeInfinity; // maximum -inf
                    var y = new float[x.Length];
                    if (log) Softmax.LogForward(x, y, rows, dim, 1); else Softmax.Forward(x, y, rows, dim, 1);
                    for (int k = 0; k < x.Length; k++)
                        Assert.True((k >= dim) == float.IsNaN(y[k]), $"log={log} dim={dim} bad={bad} at={at} k={k}: {y[k]}");
                }
    }
}
