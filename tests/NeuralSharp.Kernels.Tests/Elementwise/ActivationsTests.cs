namespace NeuralSharp.Kernels.Tests;

public class ActivationsTests
{
    public static TheoryData<Activation, float> Cases() => new()
    {
        { Activation.Identity, 0f }, { Activation.Relu, 0f }, { Activation.LeakyRelu, 0.01f }, { Activation.LeakyRelu, 0.2f },
        { Activation.Sigmoid, 0f }, { Activation.Tanh, 0f }, { Activation.GeluErf, 0f }, { Activation.GeluTanh, 0f },
        { Activation.Silu, 0f }, { Activation.Softplus, 1f }, { Activation.Softplus, 2.5f },
        { Activation.Relu6, 0f }, { Activation.Elu, 1f }, { Activation.Elu, 0.3f }, { Activation.Selu, 0f },
        { Activation.Celu, 1f }, { Activation.Celu, 2.5f }, { Activation.Celu, -0.7f }, { Activation.Mish, 0f },
        { Activation.HardSigmoid, 0f }, { Activation.HardSwish, 0f }, { Activation.Softsign, 0f }, { Activation.LogSigmoid, 0f },
    };

    // Points where a derivative jumps: finite differences straddling them are meaningless.
    private static readonly float[] Kinks = [0f, 6f, -3f, 3f];

    [Theory]
    [MemberData(nameof(Cases))]
    public void Forward_MatchesDoubleReference(Activation act, float alpha)
    {
        var rng = new Random(1234);
        foreach (var (n, off) in TestUtil.LengthsAndOffsets())
        {
            var x = TestUtil.Array(rng, n, -12f, 12f);
            var y = new float[x.Length];
            Activations.Forward(act, x.AsSpan(off, n), y.AsSpan(off, n), alpha);
            for (int i = off; i < off + n; i++)
                TestUtil.Close(ActivationsReference.Forward(act, x[i], alpha), y[i], 2e-6, 2e-6, $"{act} f({x[i]:R})");
            Assert.Equal(0f, y[0]);
            Assert.Equal(0f, y[^1]);
        }
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Forward_InPlace_EqualsOutOfPlace(Activation act, float alpha)
    {
        var x = TestUtil.Array(new Random(1234), 101, -8f, 8f);
        var y = new float[x.Length];
        Activations.Forward(act, x, y, alpha);
        Activations.Forward(act, x, x, alpha);
        Assert.Equal(y, x);
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Backward_MatchesFiniteDifferencesAndAccumulates(Activation act, float alpha)
    {
        var rng = new Random(1234);
        foreach (var (n, off) in TestUtil.LengthsAndOffsets())
        {
            var x = TestUtil.Array(rng, n, -8f, 8f);
            for (int i = 0; i < x.Length; i++)
            {
                foreach (float kink in Kinks)
                    if (MathF.Abs(x[i] - kink) < 1e-2f) x[i] += 0.1f; // away from the kinks (relu, relu6, hard sigmoid/swish)
                if (act == Activation.Softplus && MathF.Abs(x[i] * alpha - 20f) < 1e-2f) x[i] += 0.1f; // and softplus's threshold
            }
            var y = new float[x.Length];
            Activations.Forward(act, x, y, alpha);
            var dy = TestUtil.Array(rng, n);
            var dx = TestUtil.Array(rng, n);
            var dx0 = (float[])dx.Clone();
            Activations.Backward(act, x.AsSpan(off, n), y.AsSpan(off, n), dy.AsSpan(off, n), dx.AsSpan(off, n), alpha);
            for (int i = 0; i < x.Length; i++)
            {
                if (i < off || i >= off + n) { Assert.Equal(dx0[i], dx[i]); continue; }
                const double h = 1e-5;
                double fd = (ActivationsReference.Forward(act, x[i] + h, alpha) - ActivationsReference.Forward(act, x[i] - h, alpha)) / (2 * h);
                double expected = dx0[i] + dy[i] * fd;
                // Sigmoid/Tanh derive from the float output y, which carries ~1e-7 relative error.
                TestUtil.Close(expected, dx[i], 2e-6, 3e-6, $"{act} f'({x[i]:R})");
                TestUtil.Close(dx0[i] + dy[i] * ActivationsReference.Derivative(act, x[i], alpha), dx[i], 2e-6, 3e-6, $"{act} analytic f'({x[i]:R})");
            }
        }
    }

    [Fact]
    public void Forward_ExtremeInputsStayFinite()
    {
        float[] x = [-1e4f, -100f, -88f, 88f, 100f, 1e4f];
        foreach (var act in Enum.GetValues<Activation>())
        {
            var y = new float[x.Length];
            Activations.Forward(act, x, y, act == Activation.Softplus ? 1f : 0.01f);
            for (int i = 0; i < x.Length; i++)
                TestUtil.Close(ActivationsReference.Forward(act, x[i], act == Activation.Softplus ? 1 : 0.01), y[i], 2e-6, 1e-30, $"{act}({x[i]})");
        }
    }

    [Fact]
    public void Relu_PropagatesNaN()
    {
        float[] x = [float.NaN, -1f, 2f];
        var y = new float[3];
        Activations.Forward(Activation.Relu, x, y);
        Assert.True(float.IsNaN(y[0]));
        Assert.Equal([0f, 2f], y[1..]);
    }

    [Fact]
    public void Celu_RejectsZeroAlpha_AndFusedKernelsValidateNewKinds()
    {
        var x = new float[4];
        Assert.Contains("Celu alpha", Assert.Throws<ArgumentException>(() => Activations.Forward(Activation.Celu, x, x, 0f)).Message);
        Assert.Contains("Celu alpha", Assert.Throws<ArgumentException>(() => Activations.Backward(Activation.Celu, x, x, x, x, float.NaN)).Message);
        Assert.Contains("unknown Activation", Assert.Throws<ArgumentException>(() => Activations.Forward((Activation)999, x, x)).Message);
        Assert.Contains("Celu alpha", Assert.Throws<ArgumentException>(() =>
            FusedLinear.ActivationBackward(Activation.Celu, x, x, x, x, default, 2, 2, 0f)).Message);
        Assert.Contains("unknown Activation", Assert.Throws<ArgumentException>(() =>
            FusedLinear.ActivationBackward((Activation)999, x, x, x, x, default, 2, 2)).Message);
        Assert.True(FusedLinear.NeedsPreActivation(Activation.Relu6));
        Assert.True(FusedLinear.NeedsPreActivation(Activation.LogSigmoid));
    }

    [Fact]
    public void LogSigmoid_And_Mish_StableAtExtremes()
    {
        float[] x = [-200f, -90f, 90f, 200f];
        var y = new float[4];
        Activations.Forward(Activation.LogSigmoid, x, y);
        Assert.Equal([-200f, -90f], y[..2]);
        Assert.True(MathF.Abs(y[2]) < 1e-30f && y[3] == 0f, $"logsigmoid(90), logsigmoid(200) = {y[2]}, {y[3]}");
        Activations.Forward(Activation.Mish, x, y);
        Assert.True(MathF.Abs(y[0]) < 1e-30f && MathF.Abs(y[1]) < 1e-30f, $"mish(-200), mish(-90) = {y[0]}, {y[1]}");
        Assert.Equal([90f, 200f], y[2..]);
    }
}
