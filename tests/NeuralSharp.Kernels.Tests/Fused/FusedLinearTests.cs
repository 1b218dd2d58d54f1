using NeuralSharp.Kernels.Tests.Threading;

namespace NeuralSharp.Kernels.Tests.Fused;

/// <summary>
/// FusedLinear.ActivationBackward (dz and the bias gradient in one pass) against Activations.Backward into zeros
/// followed by Reduce.Sum: bit for bit, for every activation, from z or from y, on 1 and 2 threads.
/// </summary>
[Collection(KernelThreadsCollection.Name)]
public sealed class FusedLinearTests
{
    private static readonly Activation[] AllActivations = Enum.GetValues<Activation>();

    private static float[] Fill(Random rng, int length, float scale)
    {
        var x = new float[length];
        for (int i = 0; i < x.Length; i++) x[i] = (float)(rng.NextDouble() * 2 - 1) * scale;
        return x;
    }

    private static void AssertSame(ReadOnlySpan<float> expected, ReadOnlySpan<float> actual, string what)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
            if (!expected[i].Equals(actual[i])) // Equals: NaN equals NaN
                Assert.Fail($"{what}: element {i} is {actual[i]}, expected {expected[i]}");
    }

    /// <summary>
    /// The bias gradient: bit for bit, except for Cols = 1, where Reduce.Sum sums the single column with lane-wise
    /// partial sums (a different order): within sqrt(Rows) * 1e-6 of the sum of magnitudes there.
    /// </summary>
    private static void AssertBiasGrad(float[] expected, float[] actual, float[] dz, int rows, int cols, string what)
    {
        if (cols != 1)
        {
            AssertSame(expected, actual, what);
            return;
        }
        double magnitude = 0;
        foreach (float d in dz) magnitude += Math.Abs(d);
        for (int i = 0; i < expected.Length; i++)
            Assert.True(Math.Abs(expected[i] - actual[i]) <= 1e-6 * Math.Sqrt(rows + 1) * (magnitude + Math.Abs(expected[i])),
                $"{what}: element {i} is {actual[i]}, expected {expected[i]}");
    }

    private static IEnumerable<(int Rows, int Cols)> Shapes(Random rng)
    {
        for (int i = 0; i < 30; i++) yield return (rng.Next(0, 68), rng.Next(0, 68));
        yield return (1, 257);
        yield return (3, 513);      // three column chunks, serial
        yield return (64, 600);     // three column chunks, parallel
        yield return (130, 1024);   // four chunks: 2 + 2 on two threads, 1 + 1 + 2 on three
        yield return (40, 1300);    // six chunks, the last partial
        yield return (300, 1);
    }

    [Fact]
    public void MatchesActivationsBackwardAndReduceSum()
    {
        var rng = new Random(1234);
        int saved = KernelThreads.Count;
        try
        {
            foreach (var (rows, cols) in Shapes(rng))
                foreach (Activation act in AllActivations)
                {
                    int n = rows * cols;
                    float alpha = act == Activation.Softplus ? 0.5f + (float)rng.NextDouble() : (float)(rng.NextDouble() * 0.4 - 0.1);
                    int off = rng.Next(1, 4);
                    float[] z = Fill(rng, n + off, 3f), dy = Fill(rng, n + off, 1f), y = new float[n + off];
                    for (int i = 0; i < n; i += 7) z[off + i] = 0f;            // Relu's kink: f'(0) = 0 (resp. alpha)
                    Activations.Forward(act, z.AsSpan(off, n), y.AsSpan(off, n), alpha);
                    float[] biasGrad0 = Fill(rng, cols + off, 1f);
                    string what = $"{act}(alpha {alpha}) rows={rows} cols={cols}";

                    float[] dzRef = new float[n + off], bgRef = (float[])biasGrad0.Clone();
                    FusedLinearReference.ActivationBackward(act, z.AsSpan(off, n), y.AsSpan(off, n), dy.AsSpan(off, n),
                        dzRef.AsSpan(off, n), bgRef.AsSpan(off, cols), rows, cols, alpha);

                    foreach (int threads in new[] { 1, 2, 3 })
                    {
                        KernelThreads.Count = threads;
                        // With z and y; then without z wherever the derivative follows from y.
                        foreach (bool withZ in new[] { true, false })
                        {
                            if (!withZ && FusedLinear.NeedsPreActivation(act, alpha)) continue;
                            float[] dz = Fill(rng, n + off, 9f), bg = (float[])biasGrad0.Clone();
                            FusedLinear.ActivationBackward(act, withZ ? z.AsSpan(off, n) : default, y.AsSpan(off, n),
                                dy.AsSpan(off, n), dz.AsSpan(off, n), bg.AsSpan(off, cols), rows, cols, alpha);
                            AssertSame(dzRef.AsSpan(off, n), dz.AsSpan(off, n), $"{what} threads={threads} withZ={withZ}: dz");
                            AssertBiasGrad(bgRef, bg, dzRef, rows, cols, $"{what} threads={threads} withZ={withZ}: biasGrad");
                        }
                        // Bias gradient only (dz not written), and dz in place over dy without a bias gradient.
                        float[] bgOnly = (float[])biasGrad0.Clone();
                        FusedLinear.ActivationBackward(act, z.AsSpan(off, n), y.AsSpan(off, n), dy.AsSpan(off, n), default,
                            bgOnly.AsSpan(off, cols), rows, cols, alpha);
                        AssertBiasGrad(bgRef, bgOnly, dzRef, rows, cols, $"{what} threads={threads}: biasGrad only");
                        float[] inPlace = (float[])dy.Clone();
                        FusedLinear.ActivationBackward(act, z.AsSpan(off, n), y.AsSpan(off, n), inPlace.AsSpan(off, n),
                            inPlace.AsSpan(off, n), default, rows, cols, alpha);
                        AssertSame(dzRef.AsSpan(off, n), inPlace.AsSpan(off, n), $"{what} threads={threads}: dz over dy");
                    }
                }
        }
        finally
        {
            KernelThreads.Count = saved;
        }
    }

    [Fact]
    public void DerivativeAgreesWithDoubleReference()
    {
        var rng = new Random(1234);
        const int rows = 9, cols = 21;
        foreach (Activation act in AllActivations)
        {
            float alpha = act == Activation.Softplus ? 1.5f : 0.1f;
            float[] z = Fill(rng, rows * cols, 4f), dy = Fill(rng, rows * cols, 1f), y = new float[rows * cols];
            Activations.Forward(act, z, y, alpha);
            float[] dz = new float[rows * cols], bg = new float[cols];
            FusedLinear.ActivationBackward(act, z, y, dy, dz, bg, rows, cols, alpha);
            for (int c = 0; c < cols; c++)
            {
                double sum = 0;
                for (int r = 0; r < rows; r++)
                {
                    int i = r * cols + c;
                    double expected = dy[i] * ActivationsReference.Derivative(act, z[i], alpha);
                    sum += expected;
                    Assert.True(Math.Abs(dz[i] - expected) <= 1e-5 * (1 + Math.Abs(expected)), $"{act}: dz[{i}] = {dz[i]}, expected {expected}");
                }
                Assert.True(Math.Abs(bg[c] - sum) <= 1e-5 * rows, $"{act}: biasGrad[{c}] = {bg[c]}, expected {sum}");
            }
        }
    }

    [Fact]
    public void NeedsPreActivationOnlyWhereTheDerivativeNeedsZ()
    {
        Assert.False(FusedLinear.NeedsPreActivation(Activation.Identity));
        Assert.False(FusedLinear.NeedsPreActivation(Activation.Relu));
        Assert.False(FusedLinear.NeedsPreActivation(Activation.Sigmoid));
        Assert.False(FusedLinear.NeedsPreActivation(Activation.Tanh));
        Assert.False(FusedLinear.NeedsPreActivation(Activation.LeakyRelu, 0.01f));
        Assert.False(FusedLinear.NeedsPreActivation(Activation.LeakyRelu, 0f));
        Assert.True(FusedLinear.NeedsPreActivation(Activation.LeakyRelu, -0.5f));
        Assert.True(FusedLinear.NeedsPreActivation(Activation.LeakyRelu, float.NaN));
        Assert.True(FusedLinear.NeedsPreActivation(Activation.GeluErf));
        Assert.True(FusedLinear.NeedsPreActivation(Activation.GeluTanh));
        Assert.True(FusedLinear.NeedsPreActivation(Activation.Silu));
        Assert.True(FusedLinear.NeedsPreActivation(Activation.Softplus, 1f));
    }

    [Fact]
    public void ValidatesArguments()
    {
        float[] six = new float[6], three = new float[3];
        void Call(Activation act, float[]? z, float[]? y, float[] dy, float[]? dz, float[]? bg, float alpha = 0.01f) =>
            FusedLinear.ActivationBackward(act, z, y, dy, dz, bg, 2, 3, alpha);

        Call(Activation.GeluErf, six, null, six, new float[6], three);
        Call(Activation.Relu, null, six, six, new float[6], null);
        Call(Activation.Identity, null, null, six, null, new float[3]);
        Assert.Contains("'z'", Assert.Throws<ArgumentException>(() => Call(Activation.Silu, null, six, six, new float[6], null)).Message);
        Assert.Contains("'z'", Assert.Throws<ArgumentException>(() => Call(Activation.LeakyRelu, null, six, six, new float[6], null, -1f)).Message);
        Assert.Contains("'y'", Assert.Throws<ArgumentException>(() => Call(Activation.Sigmoid, six, null, six, new float[6], null)).Message);
        Assert.Contains("'y'", Assert.Throws<ArgumentException>(() => Call(Activation.Relu, null, null, six, new float[6], null)).Message);
        Assert.Contains("dy", Assert.Throws<ArgumentException>(() => Call(Activation.Relu, six, six, three, new float[6], null)).Message);
        Assert.Contains("dz", Assert.Throws<ArgumentException>(() => Call(Activation.Relu, six, six, six, new float[5], null)).Message);
        Assert.Contains("biasGrad", Assert.Throws<ArgumentException>(() => Call(Activation.Relu, six, six, six, null, new float[2])).Message);
        Assert.Contains("Softplus", Assert.Throws<ArgumentException>(() => Call(Activation.Softplus, six, six, six, null, three, 0f)).Message);
        Assert.Contains("Activation", Assert.Throws<ArgumentException>(() => Call((Activation)42, six, six, six, null, three)).Message);
    }
}
