namespace NeuralSharp.Kernels;

/// <summary>Softmax, log-softmax, their gradients and cross-entropy straight from the formulas, in double; the tests compare against them.</summary>
internal static class SoftmaxReference
{
    public static void Forward(ReadOnlySpan<float> x, Span<double> y, int outer, int dim, int inner, bool log)
    {
        for (int o = 0; o < outer; o++)
            for (int i = 0; i < inner; i++)
            {
                int b = o * dim * inner + i;
                double max = double.NegativeInfinity;
                for (int d = 0; d < dim; d++) max = Math.Max(max, x[b + d * inner]);
                double sum = 0;
                for (int d = 0; d < dim; d++) sum += Math.Exp(x[b + d * inner] - max);
                for (int d = 0; d < dim; d++)
                    y[b + d * inner] = log ? x[b + d * inner] - max - Math.Log(sum) : Math.Exp(x[b + d * inner] - max) / sum;
            }
    }

    /// <summary>dx += y (dy - sum(dy y)) (softmax) or dx += dy - exp(y) sum(dy) (log-softmax).</summary>
    public static void Backward(ReadOnlySpan<float> y, ReadOnlySpan<float> dy, Span<double> dx, int outer, int dim, int inner, bool log)
    {
        for (int o = 0; o < outer; o++)
            for (int i = 0; i < inner; i++)
            {
                int b = o * dim * inner + i;
                double s = 0;
                for (int d = 0; d < dim; d++) s += log ? dy[b + d * inner] : (double)dy[b + d * inner] * y[b + d * inner];
                for (int d = 0; d < dim; d++)
                {
                    int k = b + d * inner;
                    dx[k] += log ? dy[k] - Math.Exp(y[k]) * s : y[k] * (dy[k] - s);
                }
            }
    }

    /// <summary>Cross-entropy (PyTorch semantics, see <see cref="CrossEntropy"/>): returns (summed loss, summed weight) and the gradient of the summed loss times scale.</summary>
    public static (double Loss, double Weight) CrossEntropy(ReadOnlySpan<float> logits, ReadOnlySpan<int> targets, ReadOnlySpan<float> w,
        double eps, int ignoreIndex, double scale, Span<double> dLogits, int rows, int classes)
    {
        double loss = 0, weight = 0;
        for (int r = 0; r < rows; r++)
        {
            int t = targets[r];
            if (t == ignoreIndex) continue;
            double max = double.NegativeInfinity;
            for (int c = 0; c < classes; c++) max = Math.Max(max, logits[r * classes + c]);
            double sum = 0;
            for (int c = 0; c < classes; c++) sum += Math.Exp(logits[r * classes + c] - max);
            double lse = max + Math.Log(sum);
            double wy = w.IsEmpty ? 1 : w[t];
            weight += wy;
            for (int c = 0; c < classes; c++)
            {
                double lp = logits[r * classes + c] - lse, p = Math.Exp(lp);
                double wc = w.IsEmpty ? 1 : w[c];
                // loss = (1-eps) wy (-lp_t) + eps/C sum_c wc (-lp_c); d(-lp_c)/dz_j = p_j - [j == c]
                loss += (c == t ? (1 - eps) * wy * -lp : 0) + eps / classes * wc * -lp;
                double sumW = 0;
                for (int q = 0; q < classes; q++) sumW += w.IsEmpty ? 1 : w[q];
                dLogits[r * classes + c] += scale * ((1 - eps) * wy * (p - (c == t ? 1 : 0)) + eps / classes * (p * sumW - wc));
            }
        }
        return (loss, weight);
    }
}
