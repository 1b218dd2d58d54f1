namespace NeuralSharp.Kernels;

/// <summary>MSE and BCE-with-logits in double, straight from the formulas (not the stable rewrite); the tests compare against them.</summary>
internal static class LossesReference
{
    public static double Mse(ReadOnlySpan<float> x, ReadOnlySpan<float> t, double scale, Span<double> dx)
    {
        double s = 0;
        for (int i = 0; i < x.Length; i++) { double d = (double)x[i] - t[i]; s += d * d; dx[i] += scale * 2 * d; }
        return s;
    }

    /// <summary>-[p t log sigmoid(x) + (1 - t) log(1 - sigmoid(x))], summed, with its gradient times scale.</summary>
    public static double Bce(ReadOnlySpan<float> x, ReadOnlySpan<float> t, ReadOnlySpan<float> posWeight, int cols, double scale, Span<double> dx)
    {
        double s = 0;
        for (int i = 0; i < x.Length; i++)
        {
            double p = posWeight.IsEmpty ? 1 : posWeight[i % cols];
            double xi = x[i], ti = t[i];
            // log sigmoid(x) = -softplus(-x), log(1 - sigmoid(x)) = -softplus(x), computed stably in double.
            double spNeg = Math.Max(-xi, 0) + Math.Log(1 + Math.Exp(-Math.Abs(xi)));
            double spPos = Math.Max(xi, 0) + Math.Log(1 + Math.Exp(-Math.Abs(xi)));
            s += p * ti * spNeg + (1 - ti) * spPos;
            double sig = 1 / (1 + Math.Exp(-xi));
            dx[i] += scale * (-p * ti * (1 - sig) + (1 - ti) * sig);
        }
        return s;
    }
}
