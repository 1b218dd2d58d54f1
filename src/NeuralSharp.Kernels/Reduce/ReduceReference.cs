namespace NeuralSharp.Kernels;

/// <summary>Reductions as plain loops in double; the tests compare against them.</summary>
internal static class ReduceReference
{
    public static void Sum(ReadOnlySpan<float> x, Span<double> dst, int outer, int dim, int inner)
    {
        for (int o = 0; o < outer; o++)
            for (int i = 0; i < inner; i++)
            {
                double s = 0;
                for (int d = 0; d < dim; d++) s += x[(o * dim + d) * inner + i];
                dst[o * inner + i] = s;
            }
    }

    public static double SumAll(ReadOnlySpan<float> x)
    {
        double s = 0;
        foreach (float v in x) s += v;
        return s;
    }

    public static double SumOfSquares(ReadOnlySpan<float> x)
    {
        double s = 0;
        foreach (float v in x) s += (double)v * v;
        return s;
    }

    public static int ArgMax(ReadOnlySpan<float> x)
    {
        int best = 0;
        for (int i = 0; i < x.Length; i++)
        {
            if (float.IsNaN(x[i])) return i;
            if (x[i] > x[best]) best = i;
        }
        return best;
    }
}
