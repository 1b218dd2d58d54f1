namespace NeuralSharp.Optim;

/// <summary>
/// Linear warm-up then cosine decay: η·s/w for s &lt; w, else
/// η·(m + (1-m)·½(1 + cos(π·(s-w)/(T-w)))), where m is the final fraction of the base rate; constant after T.
/// </summary>
public sealed class CosineWarmupLR : LearningRateSchedule
{
    /// <summary>Creates the schedule.</summary>
    /// <param name="optimizer">The optimizer.</param>
    /// <param name="warmupSteps">w, steps of linear warm-up from 0 (may be 0).</param>
    /// <param name="totalSteps">T, the step at which the cosine reaches its minimum; &gt; w.</param>
    /// <param name="minFactor">m, the minimum as a fraction of the base rate.</param>
    /// <exception cref="ArgumentOutOfRangeException">When the step counts are inconsistent.</exception>
    public CosineWarmupLR(Optimizer optimizer, int warmupSteps, int totalSteps, float minFactor = 0f) : base(optimizer)
    {
        if (warmupSteps < 0) throw new ArgumentOutOfRangeException(nameof(warmupSteps), $"CosineWarmupLR: warmupSteps must be >= 0, got {warmupSteps}.");
        if (totalSteps <= warmupSteps) throw new ArgumentOutOfRangeException(nameof(totalSteps), $"CosineWarmupLR: totalSteps ({totalSteps}) must exceed warmupSteps ({warmupSteps}).");
        (WarmupSteps, TotalSteps, MinFactor) = (warmupSteps, totalSteps, minFactor);
        Apply();
    }

    /// <summary>Warm-up steps.</summary>
    public int WarmupSteps { get; }

    /// <summary>Step at which the decay ends.</summary>
    public int TotalSteps { get; }

    /// <summary>Final fraction of the base rate.</summary>
    public float MinFactor { get; }

    /// <inheritdoc/>
    public override float LearningRateAt(int step)
    {
        if (step < WarmupSteps) return (float)((double)BaseLearningRate * step / WarmupSteps);
        double progress = Math.Min(1.0, (double)(step - WarmupSteps) / (TotalSteps - WarmupSteps));
        double cosine = 0.5 * (1 + Math.Cos(Math.PI * progress));
        return (float)(BaseLearningRate * (MinFactor + (1 - MinFactor) * cosine));
    }
}
