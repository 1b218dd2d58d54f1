namespace NeuralSharp.Kernels.Tests;

public class OptimizerKernelsTests
{
    public static TheoryData<float, float, float, bool> SgdCases() => new()
    {
        { 0f, 0f, 0f, false }, { 0f, 0f, 1e-2f, false }, { 0.9f, 0f, 0f, false }, { 0.9f, 0.1f, 1e-3f, false }, { 0.9f, 0f, 1e-3f, true },
    };

    [Theory]
    [MemberData(nameof(SgdCases))]
    public void Sgd_MatchesReferenceExactly_OverSeveralSteps(float momentum, float dampening, float wd, bool nesterov)
    {
        var rng = new Random(1234);
        foreach (var (n, off) in TestUtil.LengthsAndOffsets())
        {
            var p = TestUtil.Array(rng, n);
            var b = momentum != 0 ? new float[p.Length] : [];
            var pr = p.AsSpan(off, n).ToArray();
            var br = new float[n];
            for (int step = 0; step < 4; step++)
            {
                var g = TestUtil.Array(rng, n);
                OptimizerKernels.Sgd(p.AsSpan(off, n), g.AsSpan(off, n), momentum != 0 ? b.AsSpan(off, n) : [], 0.1f, momentum, dampening, wd, nesterov, step == 0);
                OptimizerReference.Sgd(pr, g.AsSpan(off, n).ToArray(), br, 0.1f, momentum, dampening, wd, nesterov, step == 0);
            }
            Assert.Equal(pr, p.AsSpan(off, n).ToArray());
            if (momentum != 0) Assert.Equal(br, b.AsSpan(off, n).ToArray());
        }
    }

    [Theory]
    [InlineData(0f, false)]
    [InlineData(1e-2f, false)]
    [InlineData(1e-2f, true)]
    [InlineData(0f, true)]
    public void Adam_MatchesReferenceExactly_OverSeveralSteps(float wd, bool decoupled)
    {
        var rng = new Random(1234);
        foreach (var (n, off) in TestUtil.LengthsAndOffsets())
        {
            var p = TestUtil.Array(rng, n);
            var m = new float[p.Length];
            var v = new float[p.Length];
            var (pr, mr, vr) = (p.AsSpan(off, n).ToArray(), new float[n], new float[n]);
            for (int step = 1; step <= 4; step++)
            {
                var g = TestUtil.Array(rng, n);
                OptimizerKernels.Adam(p.AsSpan(off, n), g.AsSpan(off, n), m.AsSpan(off, n), v.AsSpan(off, n), 1e-3f, 0.9f, 0.999f, 1e-8f, wd, decoupled, step);
                OptimizerReference.Adam(pr, g.AsSpan(off, n).ToArray(), mr, vr, 1e-3f, 0.9f, 0.999f, 1e-8f, wd, decoupled, step);
            }
            Assert.Equal(pr, p.AsSpan(off, n).ToArray());
            Assert.Equal(mr, m.AsSpan(off, n).ToArray());
            Assert.Equal(vr, v.AsSpan(off, n).ToArray());
        }
    }

    [Fact]
    public void Adam_FirstStep_MovesEachParameterByAboutLr()
    {
        // With bias correction, step 1 gives m/bc1 = g and sqrt(v/bc2) = |g|, so p moves by lr * sign(g).
        float[] p = [1f, -2f, 0.5f];
        float[] g = [0.3f, -4f, 1e-3f];
        OptimizerKernels.Adam(p, g, new float[3], new float[3], 0.01f, 0.9f, 0.999f, 1e-8f, 0f, false, 1);
        TestUtil.Close(0.99, p[0], 1e-5, 0, "p0");
        TestUtil.Close(-1.99, p[1], 1e-5, 0, "p1");
        TestUtil.Close(0.49, p[2], 1e-4, 0, "p2");
    }

    [Fact]
    public void Arguments_AreValidated()
    {
        Assert.Throws<ArgumentException>(() => OptimizerKernels.Adam(new float[3], new float[3], new float[3], new float[3], 1, 0.9f, 0.99f, 1e-8f, 0, false, 0));
        Assert.Throws<ArgumentException>(() => OptimizerKernels.Sgd(new float[3], new float[3], [], 0.1f, 0.9f, 0, 0, false, true));
        Assert.Throws<ArgumentException>(() => OptimizerKernels.Adam(new float[3], new float[2], new float[3], new float[3], 1, 0.9f, 0.99f, 1e-8f, 0, false, 1));
    }
}
