using NeuralSharp.Kernels;
using NeuralSharp.Tests.Training;

namespace NeuralSharp.Tests.Autograd;

/// <summary>
/// Linear and MatMul write a gradient that does not exist yet with beta = 0 into an uninitialised pooled buffer
/// (no zero fill) and accumulate into one that exists. The pool is poisoned with NaN first, so a missed element
/// shows; the gradients are compared with double-precision references of L = Σ y·w, including inputs used twice
/// and a second backward pass.
/// </summary>
[Collection(SerialCollection.Name)]
public class GradientOverwriteTests
{
    private const int Rows = 16, In = 40, Out = 24;

    /// <summary>Fills pooled buffers of these lengths with NaN and hands them back, so the next rents return NaN.</summary>
    private static void PoisonPool(params int[] lengths)
    {
        var arrays = new List<float[]>();
        foreach (int n in lengths)
            for (int i = 0; i < 8; i++)
            {
                var a = TensorPool.Rent(n);
                a.AsSpan().Fill(float.NaN);
                arrays.Add(a);
            }
        foreach (var a in arrays) TensorPool.Return(a);
    }

    private static Tensor Random(ulong seed, params int[] shape) => Tensor.Uniform(new RandomSource(seed), -1f, 1f, shape);

    private static void AssertClose(double[] expected, Tensor? actual, string what)
    {
        Assert.NotNull(actual);
        var a = actual!.Data;
        Assert.Equal(expected.Length, a.Length);
        for (int i = 0; i < expected.Length; i++)
            Assert.True(Math.Abs(expected[i] - a[i]) <= 1e-5 + 1e-5 * Math.Abs(expected[i]), $"{what}[{i}]: {a[i]}, expected {expected[i]}");
    }

    /// <summary>dW[o, i] = Σ_r w[r, o] x[r, i], dx[r, i] = Σ_o w[r, o] W[o, i], db[o] = Σ_r w[r, o] for y = x·Wᵀ + b.</summary>
    private static (double[] Dx, double[] DW, double[] Db) LinearReference(Tensor x, Tensor weight, Tensor w)
    {
        var (xd, wd, gd) = (x.Data.ToArray(), weight.Data.ToArray(), w.Data.ToArray());
        var (dx, dW, db) = (new double[Rows * In], new double[Out * In], new double[Out]);
        for (int r = 0; r < Rows; r++)
            for (int o = 0; o < Out; o++)
            {
                double g = gd[r * Out + o];
                db[o] += g;
                for (int i = 0; i < In; i++)
                {
                    dW[o * In + i] += g * xd[r * In + i];
                    dx[r * In + i] += g * wd[o * In + i];
                }
            }
        return (dx, dW, db);
    }

    private static double[] Scale(double[] a, double s) => a.Select(v => v * s).ToArray();

    private static double[] Add(double[] a, double[] b) => a.Select((v, i) => v + b[i]).ToArray();

    [Fact]
    public void Linear_FreshGradientsIgnorePoolContents_AndASecondBackwardAccumulates()
    {
        var x = Random(1, Rows, In).RequireGrad();
        var weight = Random(2, Out, In).RequireGrad();
        var bias = Random(3, Out).RequireGrad();
        var w = Random(4, Rows, Out);
        var (dx, dW, db) = LinearReference(x, weight, w);
        for (int pass = 1; pass <= 2; pass++)
        {
            PoisonPool(Rows * In, Out * In, Rows * Out);
            Functional.Sum(Functional.Mul(Functional.Linear(x, weight, bias), w)).Backward();
            AssertClose(Scale(dx, pass), x.Grad, $"dx after {pass} passes");
            AssertClose(Scale(dW, pass), weight.Grad, $"dW after {pass} passes");
            AssertClose(Scale(db, pass), bias.Grad, $"db after {pass} passes");
        }
    }

    [Fact]
    public void Linear_InputFeedingTwoLayers_GetsTheSumOfBothGradients()
    {
        var x = Random(5, Rows, In).RequireGrad();
        var w1 = Random(6, Out, In).RequireGrad();
        var w2 = Random(7, Out, In).RequireGrad();
        var (g1, g2) = (Random(8, Rows, Out), Random(9, Rows, Out));
        PoisonPool(Rows * In, Out * In, Rows * Out);
        var loss = Functional.Sum(Functional.Mul(Functional.Linear(x, w1, null, Activation.Relu), g1))
                 + Functional.Sum(Functional.Mul(Functional.Linear(x, w2), g2));
        loss.Backward();
        // Relu's mask on the first layer, folded into its upstream weights.
        Tensor masked;
        using (GradMode.NoGrad())
        {
            var z = Functional.Linear(x, w1);
            masked = Tensor.FromArray(g1.Data.ToArray().Select((g, i) => z.Data[i] > 0 ? g : 0f).ToArray(), Rows, Out);
        }
        var (dx1, dW1, _) = LinearReference(x, w1, masked);
        var (dx2, dW2, _) = LinearReference(x, w2, g2);
        AssertClose(Add(dx1, dx2), x.Grad, "dx");
        AssertClose(dW1, w1.Grad, "dW1");
        AssertClose(dW2, w2.Grad, "dW2");
    }

    [Fact]
    public void Linear_RetainedOutputGradient_IsNotOverwrittenByTheActivationBackward()
    {
        // The fused backward writes dZ = dY·relu'(Z) over dY in place unless the output keeps its gradient.
        var x = Random(15, Rows, In);
        var weight = Random(16, Out, In).RequireGrad();
        var w = Random(17, Rows, Out);
        var y = Functional.Linear(x, weight, null, Activation.Relu);
        y.RetainGrad();
        Functional.Sum(Functional.Mul(y, w)).Backward();
        Assert.Equal(w.Data.ToArray(), y.Grad!.Data.ToArray());
        var masked = Tensor.FromArray(w.Data.ToArray().Select((g, i) => y.Data[i] > 0 ? g : 0f).ToArray(), Rows, Out);
        AssertClose(LinearReference(x, weight, masked).DW, weight.Grad, "dW");
    }

    [Fact]
    public void MatMul_SquareTimesItself_AndSharedRightOperand_MatchReferences()
    {
        const int n = 20;
        // L = Σ (a·a) ∘ g: dA = g·aᵀ + aᵀ·g.
        var a = Random(10, n, n).RequireGrad();
        var g = Random(11, n, n);
        PoisonPool(n * n);
        Functional.Sum(Functional.Mul(Functional.MatMul(a, a), g)).Backward();
        var (ad, gd) = (a.Data.ToArray(), g.Data.ToArray());
        var expected = new double[n * n];
        for (int i = 0; i < n; i++)
            for (int j = 0; j < n; j++)
                for (int k = 0; k < n; k++)
                    expected[i * n + j] += (double)gd[i * n + k] * ad[j * n + k] + (double)ad[k * n + i] * gd[k * n + j];
        AssertClose(expected, a.Grad, "d(a·a)/da");

        // Batched left operand [3, Rows, In] against a shared b [In, Out]: dB = Σ_batch aᵢᵀ·gᵢ, dA = g·bᵀ per entry.
        var x = Random(12, 3, Rows, In).RequireGrad();
        var b = Random(13, In, Out).RequireGrad();
        var w = Random(14, 3, Rows, Out);
        PoisonPool(3 * Rows * In, In * Out);
        Functional.Sum(Functional.Mul(Functional.MatMul(x, b), w)).Backward();
        var (xd, bd, wd) = (x.Data.ToArray(), b.Data.ToArray(), w.Data.ToArray());
        var (dx, db) = (new double[3 * Rows * In], new double[In * Out]);
        for (int r = 0; r < 3 * Rows; r++)
            for (int o = 0; o < Out; o++)
                for (int i = 0; i < In; i++)
                {
                    db[i * Out + o] += (double)xd[r * In + i] * wd[r * Out + o];
                    dx[r * In + i] += (double)wd[r * Out + o] * bd[i * Out + o];
                }
        AssertClose(dx, x.Grad, "dx (batched)");
        AssertClose(db, b.Grad, "db (shared)");
    }
}
