using NeuralSharp.Nn;

namespace NeuralSharp.Tests.NnNorm;

/// <summary>torch.nn.init semantics: gains, fans, bounds and moments of each distribution, determinism per seed.</summary>
public class InitTests
{
    private static (double Mean, double Var, float Min, float Max) Moments(Tensor t)
    {
        var d = t.ToArray();
        double mean = d.Average(v => (double)v);
        return (mean, d.Average(v => ((double)v - mean) * ((double)v - mean)), d.Min(), d.Max());
    }

    [Fact]
    public void GainsAndFansFollowPyTorch()
    {
        Assert.Equal(1f, Init.CalculateGain("linear"));
        Assert.Equal(1f, Init.CalculateGain("sigmoid"));
        Assert.Equal(5f / 3f, Init.CalculateGain("tanh"));
        Assert.Equal(MathF.Sqrt(2f), Init.CalculateGain("relu"));
        Assert.Equal(Math.Sqrt(2 / (1 + 0.01 * 0.01)), Init.CalculateGain("leaky_relu"), 1e-6);
        Assert.Equal(Math.Sqrt(2 / (1 + 0.2 * 0.2)), Init.CalculateGain("leaky_relu", 0.2f), 1e-6);
        Assert.Equal("nonlinearity", Assert.Throws<ArgumentException>(() => Init.CalculateGain("swish")).ParamName);
        Assert.Equal((7, 5), Init.CalculateFanInAndFanOut([5, 7]));
        Assert.Equal((21, 15), Init.CalculateFanInAndFanOut([5, 7, 3]));
        Assert.Throws<ArgumentException>(() => Init.CalculateFanInAndFanOut([5]));
        Assert.Throws<ArgumentException>(() => Init.KaimingUniform(Tensor.Zeros(5), new RandomSource(1)));
        Assert.Equal("mode", Assert.Throws<ArgumentException>(() => Init.KaimingNormal(Tensor.Zeros(3, 4), new RandomSource(1), mode: "fan_avg")).ParamName);
    }

    [Fact]
    public void UniformFamiliesStayInBoundsWithTheRightVariance()
    {
        var r = new RandomSource(11);
        // fan_in 200, fan_out 100.
        var cases = new (Func<Tensor, Tensor> Fill, double Bound)[]
        {
            (t => Init.KaimingUniform(t, r), Math.Sqrt(6.0 / 200)), // gain √2 (leaky_relu, a = 0)
            (t => Init.KaimingUniform(t, r, a: MathF.Sqrt(5f)), 1 / Math.Sqrt(200)), // nn.Linear's default
            (t => Init.KaimingUniform(t, r, mode: "fan_out", nonlinearity: "tanh"), Math.Sqrt(3) * 5.0 / 3 / Math.Sqrt(100)),
            (t => Init.XavierUniform(t, r, gain: 2f), 2 * Math.Sqrt(6.0 / 300)),
            (t => Init.Uniform(t, r, -0.3f, 0.3f), 0.3),
        };
        foreach (var (fill, bound) in cases)
        {
            var (mean, variance, min, max) = Moments(fill(Tensor.Zeros(100, 200)));
            Assert.InRange(min, -bound * (1 + 1e-6), -0.98 * bound);
            Assert.InRange(max, 0.98 * bound, bound * (1 + 1e-6));
            Assert.InRange(mean, -0.02 * bound, 0.02 * bound);
            Assert.InRange(variance, 0.97 * bound * bound / 3, 1.03 * bound * bound / 3);
        }
    }

    [Fact]
    public void NormalFamiliesHaveTheRightMoments()
    {
        var r = new RandomSource(12);
        var cases = new (Func<Tensor, Tensor> Fill, double Mean, double Std)[]
        {
            (t => Init.KaimingNormal(t, r, nonlinearity: "relu"), 0, Math.Sqrt(2.0 / 200)),
            (t => Init.KaimingNormal(t, r, mode: "fan_out", nonlinearity: "linear"), 0, 1 / Math.Sqrt(100)),
            (t => Init.XavierNormal(t, r), 0, Math.Sqrt(2.0 / 300)),
            (t => Init.Normal(t, r, 1.5f, 0.2f), 1.5, 0.2),
        };
        foreach (var (fill, m, s) in cases)
        {
            var (mean, variance, _, _) = Moments(fill(Tensor.Zeros(100, 200)));
            Assert.InRange(mean, m - 0.02 * s, m + 0.02 * s);
            Assert.InRange(Math.Sqrt(variance), 0.98 * s, 1.02 * s);
        }
    }

    [Fact]
    public void TruncatedNormalStaysInsideAndMatchesTheTruncatedMoments()
    {
        var (mean, variance, min, max) = Moments(Init.TruncatedNormal(Tensor.Zeros(200, 100), new RandomSource(3), 0f, 1f, -2f, 2f));
        Assert.True(min >= -2f && max <= 2f);
        Assert.InRange(mean, -0.02, 0.02);
        Assert.InRange(variance, 0.774 * 0.97, 0.774 * 1.03); // Var of N(0,1) truncated to [-2, 2] = 0.7737
        var (m2, _, min2, max2) = Moments(Init.TruncatedNormal(Tensor.Zeros(50, 100), new RandomSource(4), 0.5f, 2f, 0f, 1f));
        Assert.True(min2 >= 0f && max2 <= 1f);
        Assert.InRange(m2, 0.47, 0.53); // nearly uniform on [0, 1] for a wide normal
        Assert.Throws<ArgumentException>(() => Init.TruncatedNormal(Tensor.Zeros(3), new RandomSource(1), a: 1f, b: 1f));
        Assert.Throws<ArgumentException>(() => Init.TruncatedNormal(Tensor.Zeros(3), new RandomSource(1), std: 1f, a: 30f, b: 31f));
    }

    [Fact]
    public void ConstantsAndDeterminismPerSeed()
    {
        Assert.All(Init.Ones(Tensor.Empty(3, 2)).ToArray(), v => Assert.Equal(1f, v));
        Assert.All(Init.Zeros(Tensor.Full(5f, 4)).ToArray(), v => Assert.Equal(0f, v));
        Assert.All(Init.Constant(Tensor.Empty(4), 0.25f).ToArray(), v => Assert.Equal(0.25f, v));
        foreach (var fill in new Func<Tensor, RandomSource, Tensor>[]
                 {
                     (t, r) => Init.KaimingUniform(t, r), (t, r) => Init.KaimingNormal(t, r), (t, r) => Init.XavierUniform(t, r),
                     (t, r) => Init.XavierNormal(t, r), (t, r) => Init.TruncatedNormal(t, r), (t, r) => Init.Uniform(t, r), (t, r) => Init.Normal(t, r),
                 })
        {
            var a = fill(Tensor.Zeros(8, 9), new RandomSource(42)).ToArray();
            Assert.Equal(a, fill(Tensor.Zeros(8, 9), new RandomSource(42)).ToArray());
            Assert.NotEqual(a, fill(Tensor.Zeros(8, 9), new RandomSource(43)).ToArray());
        }
    }
}
