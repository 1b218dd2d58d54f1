namespace NeuralSharp.Kernels;

/// <summary>LayerNorm and RmsNorm forward in double, straight from the formulas; the tests compare against them (and differentiate them numerically).</summary>
internal static class NormReference
{
    public static void LayerNorm(ReadOnlySpan<double> x, ReadOnlySpan<double> gamma, ReadOnlySpan<double> beta, double eps, Span<double> y, int rows, int cols)
    {
        for (int r = 0; r < rows; r++)
        {
            double m = 0, v = 0;
            for (int c = 0; c < cols; c++) m += x[r * cols + c];
            m /= cols;
            for (int c = 0; c < cols; c++) { double d = x[r * cols + c] - m; v += d * d; }
            v /= cols;
            double rs = 1 / Math.Sqrt(v + eps);
            for (int c = 0; c < cols; c++)
                y[r * cols + c] = (x[r * cols + c] - m) * rs * (gamma.IsEmpty ? 1 : gamma[c]) + (beta.IsEmpty ? 0 : beta[c]);
        }
    }

    public static void RmsNorm(ReadOnlySpan<double> x, ReadOnlySpan<double> gamma, double eps, Span<double> y, int rows, int cols)
    {
        for (int r = 0; r < rows; r++)
        {
            double ms = 0;
            for (int c = 0; c < cols; c++) ms += x[r * cols + c] * x[r * cols + c];
            double rs = 1 / Math.Sqrt(ms / cols + eps);
            for (int c = 0; c < cols; c++) y[r * cols + c] = x[r * cols + c] * rs * (gamma.IsEmpty ? 1 : gamma[c]);
        }
    }
}
