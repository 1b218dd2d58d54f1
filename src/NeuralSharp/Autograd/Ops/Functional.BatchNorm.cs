namespace NeuralSharp;

public static partial class Functional
{
    /// <summary>
    /// Batch normalisation (PyTorch's <c>F.batch_norm</c>) of x [N, C] or [N, C, L] per channel c:
    /// y = (x - μ[c]) / √(σ²[c] + eps) · γ[c] + β[c]. In training μ and σ² are the batch mean and biased variance over
    /// N (and L), and the running statistics, when given, are updated in place:
    /// running = (1 - momentum)·running + momentum·batch, with the unbiased batch variance σ²·M/(M - 1), M = N·L.
    /// In evaluation μ and σ² are the running statistics. Backward goes through the batch statistics in training
    /// and is the affine map γ/√(σ² + eps) in evaluation.
    /// </summary>
    /// <param name="x">Input [N, C] or [N, C, L].</param>
    /// <param name="runningMean">Running means [C] (updated in training), or null; required in evaluation.</param>
    /// <param name="runningVar">Running variances [C] (updated in training), or null; required in evaluation.</param>
    /// <param name="weight">γ [C], or null for none.</param>
    /// <param name="bias">β [C], or null for none.</param>
    /// <param name="training">Use (and record gradients through) the batch statistics.</param>
    /// <param name="momentum">Weight of the batch statistics in the running update, in [0, 1].</param>
    /// <param name="eps">Added to the variance, &gt; 0 in practice.</param>
    /// <exception cref="ArgumentException">When the shapes do not fit, running statistics are missing in evaluation, or
    /// training sees a single value per channel ("Expected more than 1 value per channel when training").</exception>
    public static Tensor BatchNorm(Tensor x, Tensor? runningMean, Tensor? runningVar, Tensor? weight, Tensor? bias, bool training,
        float momentum = 0.1f, float eps = 1e-5f)
    {
        const string op = "BatchNorm";
        if (x.Rank is not (2 or 3))
            throw new ArgumentException($"{op}: input must be [N, C] or [N, C, L]; got {ShapeUtil.Format(x.Shape)}.", nameof(x));
        int n = x.Dim(0), c = x.Dim(1), l = x.Rank == 3 ? x.Dim(2) : 1;
        CheckChannels(op, "weight", weight, c, x);
        CheckChannels(op, "bias", bias, c, x);
        CheckChannels(op, "running_mean", runningMean, c, x);
        CheckChannels(op, "running_var", runningVar, c, x);
        if ((runningMean == null) != (runningVar == null))
            throw new ArgumentException($"{op}: running_mean and running_var must both be given or both be null.");
        if (!(momentum >= 0f && momentum <= 1f))
            throw new ArgumentOutOfRangeException(nameof(momentum), $"{op}: momentum must be in [0, 1], got {momentum}.");
        var y = Tensor.Empty(x.ShapeRef);
        var mean = Tensor.Empty(c);
        var rstd = Tensor.Empty(c);
        if (training)
        {
            long count = (long)n * l;
            if (count <= 1)
                throw new ArgumentException($"{op}: Expected more than 1 value per channel when training, got input size {ShapeUtil.Format(x.Shape)}.", nameof(x));
            using var variance = Tensor.Empty(c);
            Kernels.BatchNorm.ForwardTraining(x.Data, Span(weight), Span(bias), eps, y.Data, mean.Data, variance.Data, rstd.Data, n, c, l);
            if (runningMean != null)
                Kernels.BatchNorm.UpdateRunningStatistics(mean.Data, variance.Data, count, momentum, runningMean.Data, runningVar!.Data);
        }
        else
        {
            if (runningMean == null)
                throw new ArgumentException($"{op}: evaluation mode needs running_mean and running_var.");
            runningMean.Data.CopyTo(mean.Data); // saved for backward: later updates of the buffer must not reach it
            Kernels.BatchNorm.ForwardInference(x.Data, runningMean.Data, runningVar!.Data, Span(weight), Span(bias), eps, y.Data, rstd.Data, n, c, l);
        }
        if (Node.ShouldRecord(x, weight, bias)) return new BatchNormNode(x, weight, bias, mean, rstd, training, n, c, l).Attach(y);
        mean.Dispose();
        rstd.Dispose();
        return y;
    }

    private static void CheckChannels(string op, string name, Tensor? t, int c, Tensor x)
    {
        if (t != null && (t.Rank != 1 || t.Dim(0) != c))
            throw new ArgumentException($"{op}: {name} {ShapeUtil.Format(t.Shape)} does not match input {ShapeUtil.Format(x.Shape)} (expected [{c}]).", name);
    }

    private sealed class BatchNormNode(Tensor x, Tensor? weight, Tensor? bias, Tensor mean, Tensor rstd, bool training, int n, int c, int l)
        : Node(Inputs3(x, weight, bias))
    {
        protected internal override void Backward(Tensor dy)
        {
            using var workspace = Tensor.Empty(3 * c);
            Kernels.BatchNorm.Backward(x.Data, Span(weight), mean.Data, rstd.Data, dy.Data, GradOf(x),
                weight is { RequiresGrad: true } ? weight.GradBuffer() : default, bias is { RequiresGrad: true } ? bias.GradBuffer() : default,
                workspace.Data, training, n, c, l);
        }

        protected override void ReleaseSaved()
        {
            mean.Dispose();
            rstd.Dispose();
        }
    }
}
