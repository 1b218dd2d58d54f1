namespace NeuralSharp.Kernels.Tests.Gemm;

/// <summary>
/// GemmPacking against the packed layout written out element by element: every (p, j) of op(B) lands at
/// sliver * nr * kc + p * nr + j (zero padding past N), for the transposed (16 x 16 / 4 x 4 block) and plain copies.
/// </summary>
public sealed class GemmPackingTests
{
    [Theory]
    [InlineData(true, 32)]
    [InlineData(true, 16)]
    [InlineData(true, 12)]
    [InlineData(false, 32)]
    internal unsafe void PackB_RandomBlocks_MatchLayout(bool transB, int nr)
    {
        var rng = new Random(1234 + nr + (transB ? 1 : 0));
        for (int trial = 0; trial < 60; trial++)
        {
            int kc = rng.Next(0, 68), nc = rng.Next(1, 100), p0 = rng.Next(0, 5), j0 = rng.Next(0, 5);
            int rows = transB ? j0 + nc : p0 + kc, cols = transB ? p0 + kc : j0 + nc;
            int ld = cols + rng.Next(0, 5), off = rng.Next(0, 4);
            var b = new float[off + rows * ld + 1];
            for (int i = 0; i < b.Length; i++) b[i] = (float)rng.NextDouble();
            int slivers = (nc + nr - 1) / nr;
            var dst = new float[slivers * nr * kc + 1];
            Array.Fill(dst, float.NaN);
            fixed (float* pb = b, pd = dst) GemmPacking.PackB(pb + off, ld, transB, p0, j0, kc, nc, nr, pd);
            for (int s = 0; s < slivers; s++)
                for (int p = 0; p < kc; p++)
                    for (int jj = 0; jj < nr; jj++)
                    {
                        int j = s * nr + jj;
                        float expected = j >= nc ? 0f : transB ? b[off + (j0 + j) * ld + p0 + p] : b[off + (p0 + p) * ld + j0 + j];
                        Assert.True(expected.Equals(dst[s * nr * kc + p * nr + jj]),
                            $"transB={transB} nr={nr} kc={kc} nc={nc} p0={p0} j0={j0} ld={ld}: (p={p}, j={j})");
                    }
            Assert.True(float.IsNaN(dst[^1]), "PackB wrote past the packed block");
        }
    }
}
