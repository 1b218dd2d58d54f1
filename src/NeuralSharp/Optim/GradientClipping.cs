namespace NeuralSharp.Optim;

/// <summary>Gradient clipping (PyTorch's <c>torch.nn.utils.clip_grad_norm_</c>).</summary>
public static class GradientClipping
{
    /// <summary>
    /// Scales all gradients by min(1, maxNorm / (‖g‖ + 1e-6)) where ‖g‖ is the L2 norm of all gradients
    /// together; returns ‖g‖ before clipping (NaN or ∞ when a gradient is not finite).
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">When <paramref name="maxNorm"/> is not positive.</exception>
    public static float ClipGradNorm(IEnumerable<Tensor> parameters, float maxNorm)
    {
        if (!(maxNorm > 0f)) throw new ArgumentOutOfRangeException(nameof(maxNorm), $"ClipGradNorm: maxNorm must be positive, got {maxNorm}.");
        var grads = parameters.Where(p => p.Grad != null).Select(p => p.Grad!).ToList();
        double sumSquares = 0;
        foreach (var g in grads) sumSquares += Kernels.Reduce.SumOfSquares(g.Data);
        float total = (float)Math.Sqrt(sumSquares);
        float coef = maxNorm / (total + 1e-6f);
        if (coef < 1f)
            foreach (var g in grads) Kernels.Elementwise.Scale(g.Data, coef, g.Data);
        return total;
    }
}
