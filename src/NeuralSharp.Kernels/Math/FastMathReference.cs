namespace NeuralSharp.Kernels;

/// <summary>Double-precision references for <see cref="FastMath"/> where <see cref="Math"/> has none.</summary>
internal static class FastMathReference
{
    /// <summary>
    /// erf x in double from the all-positive series erf x = 2/sqrt(pi) e^(-x^2) sum_n (2x^2)^n x / (2n+1)!!
    /// (no cancellation; about 1e-15 relative for |x| &lt; 6, and |erf| = 1 to double precision beyond).
    /// </summary>
    public static double Erf(double x)
    {
        if (double.IsNaN(x)) return x;
        double ax = Math.Abs(x);
        if (ax >= 6) return Math.Sign(x);
        double term = ax, sum = ax, x2 = 2 * ax * ax;
        for (int n = 1; n < 500 && term > sum * 1e-17; n++)
        {
            term *= x2 / (2 * n + 1);
            sum += term;
        }
        return Math.Sign(x) * 2 / Math.Sqrt(Math.PI) * Math.Exp(-ax * ax) * sum;
    }
}
