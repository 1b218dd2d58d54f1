namespace NeuralSharp.Tests.Autograd;

/// <summary>
/// Compares autograd gradients with central finite differences of the scalar objective
/// L = Σ f(inputs) · w for a fixed random w (so every output element matters with a distinct weight).
/// </summary>
internal static class GradCheck
{
    public static void Check(Func<Tensor[], Tensor> f, Tensor[] inputs, float eps = 1e-2f, float atol = 2e-3f, float rtol = 2e-2f, int seed = 7)
    {
        foreach (var x in inputs) x.RequiresGrad = true;
        var y0 = f(inputs);
        var w = Tensor.Uniform(new RandomSource((ulong)seed), -1f, 1f, y0.ShapeArray);
        var loss = Functional.Sum(Functional.Mul(y0, w));
        loss.Backward();
        for (int k = 0; k < inputs.Length; k++)
        {
            var x = inputs[k];
            Assert.NotNull(x.Grad);
            var analytic = x.Grad!.ToArray();
            var data = x.Data;
            for (int i = 0; i < data.Length; i++)
            {
                float saved = data[i];
                data[i] = saved + eps;
                double plus = Objective(f, inputs, w);
                data[i] = saved - eps;
                double minus = Objective(f, inputs, w);
                data[i] = saved;
                double numeric = (plus - minus) / (2 * eps);
                double diff = Math.Abs(numeric - analytic[i]);
                Assert.True(diff <= atol + rtol * Math.Abs(numeric),
                    $"input {k} element {i}: analytic {analytic[i]} vs numeric {numeric} (diff {diff})");
            }
        }
    }

    private static double Objective(Func<Tensor[], Tensor> f, Tensor[] inputs, Tensor w)
    {
        using var _ = GradMode.NoGrad();
        var y = f(inputs);
        double sum = 0;
        var yd = y.Data;
        var wd = w.Data;
        for (int i = 0; i < yd.Length; i++) sum += (double)yd[i] * wd[i];
        return sum;
    }

    public static Tensor Random(int seed, params int[] shape) => Tensor.Uniform(new RandomSource((ulong)seed), -1f, 1f, shape);

    public static Tensor Positive(int seed, params int[] shape) => Tensor.Uniform(new RandomSource((ulong)seed), 0.5f, 2f, shape);
}
