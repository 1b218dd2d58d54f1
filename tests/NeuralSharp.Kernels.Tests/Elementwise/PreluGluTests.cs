namespace NeuralSharp.Kernels.Tests;

public class PreluGluTests
{
    /// <summary>(outer, channels, inner) shapes: [N, C] (inner 1, vectorised over channels) and [N, C, L] with tails.</summary>
    private static IEnumerable<(int Outer, int C, int Inner)> Shapes(Random rng)
    {
        yield return (0, 3, 1);
        yield return (2, 0, 1);
        yield return (1, 1, 1);
        for (int i = 0; i < 12; i++) yield return (rng.Next(1, 5), rng.Next(1, 68), 1);
        for (int i = 0; i < 8; i++) yield return (rng.Next(1, 4), rng.Next(1, 6), rng.Next(1, 40));
        yield return (2, 3, 0);
    }

    [Fact]
    public void Prelu_MatchesReference_UnalignedAndAccumulating()
    {
        var rng = new Random(1234);
        foreach (var (outer, c, inner) in Shapes(rng))
        {
            int n = outer * c * inner, off = rng.Next(1, 4);
            var x = TestUtil.Array(rng, n + off, -3f, 3f);
            var w = TestUtil.Array(rng, c + off, -0.5f, 1f);
            var dy = TestUtil.Array(rng, n + off);
            var y = new float[n + off];
            Prelu.Forward(x.AsSpan(off, n), w.AsSpan(off, c), y.AsSpan(off, n), outer, c, inner);
            var yRef = new double[n];
            PreluReference.Forward(x.AsSpan(off, n), w.AsSpan(off, c), yRef, outer, c, inner);
            for (int i = 0; i < n; i++) TestUtil.Close(yRef[i], y[off + i], 1e-6, 1e-7, $"prelu y[{i}] ({outer},{c},{inner})");

            var dx = TestUtil.Array(rng, n + off);
            var dw = TestUtil.Array(rng, c + off);
            double[] dxRef = dx.AsSpan(off, n).ToArray().Select(v => (double)v).ToArray(), dwRef = dw.AsSpan(off, c).ToArray().Select(v => (double)v).ToArray();
            Prelu.Backward(x.AsSpan(off, n), w.AsSpan(off, c), dy.AsSpan(off, n), dx.AsSpan(off, n), dw.AsSpan(off, c), outer, c, inner);
            PreluReference.Backward(x.AsSpan(off, n), w.AsSpan(off, c), dy.AsSpan(off, n), dxRef, dwRef, outer, c, inner);
            for (int i = 0; i < n; i++) TestUtil.Close(dxRef[i], dx[off + i], 1e-6, 1e-6, $"prelu dx[{i}] ({outer},{c},{inner})");
            for (int i = 0; i < c; i++) TestUtil.Close(dwRef[i], dw[off + i], 1e-5, 1e-5 * Math.Sqrt(outer * inner + 1), $"prelu dw[{i}] ({outer},{c},{inner})");

            // Empty gradient spans are skipped.
            Prelu.Backward(x.AsSpan(off, n), w.AsSpan(off, c), dy.AsSpan(off, n), default, default, outer, c, inner);
        }
    }

    [Fact]
    public void Glu_MatchesReference_UnalignedAndAccumulating()
    {
        var rng = new Random(1234);
        foreach (var (outer, half, inner) in Shapes(rng))
        {
            int n = outer * half * inner, off = rng.Next(1, 4);
            var x = TestUtil.Array(rng, 2 * n + off, -6f, 6f);
            var y = new float[n + off];
            Glu.Forward(x.AsSpan(off, 2 * n), y.AsSpan(off, n), outer, half, inner);
            var yRef = new double[n];
            GluReference.Forward(x.AsSpan(off, 2 * n), yRef, outer, half, inner);
            for (int i = 0; i < n; i++) TestUtil.Close(yRef[i], y[off + i], 2e-6, 1e-7, $"glu y[{i}]");

            var dy = TestUtil.Array(rng, n + off);
            var dx = TestUtil.Array(rng, 2 * n + off);
            double[] dxRef = dx.AsSpan(off, 2 * n).ToArray().Select(v => (double)v).ToArray();
            Glu.Backward(x.AsSpan(off, 2 * n), dy.AsSpan(off, n), dx.AsSpan(off, 2 * n), outer, half, inner);
            GluReference.Backward(x.AsSpan(off, 2 * n), dy.AsSpan(off, n), dxRef, outer, half, inner);
            for (int i = 0; i < 2 * n; i++) TestUtil.Close(dxRef[i], dx[off + i], 2e-6, 2e-6, $"glu dx[{i}]");
        }
    }

    [Fact]
    public void BadLengthsNameKernelAndArgument()
    {
        Assert.Contains("Prelu.Forward", Assert.Throws<ArgumentException>(() => Prelu.Forward(new float[6], new float[2], new float[6], 2, 3, 1)).Message);
        Assert.Contains("dw", Assert.Throws<ArgumentException>(() =>
            Prelu.Backward(new float[6], new float[3], new float[6], new float[6], new float[2], 2, 3, 1)).Message);
        Assert.Contains("Glu.Forward", Assert.Throws<ArgumentException>(() => Glu.Forward(new float[6], new float[6], 1, 3, 1)).Message);
        Assert.Contains("dx", Assert.Throws<ArgumentException>(() => Glu.Backward(new float[6], new float[3], new float[5], 1, 3, 1)).Message);
    }
}
