namespace NeuralSharp.Training;

/// <summary>Settings of <see cref="Trainer.Fit"/>.</summary>
public sealed class FitOptions
{
    /// <summary>Passes over the training data (default 10).</summary>
    public int Epochs { get; init; } = 10;

    /// <summary>Samples per step (default 32).</summary>
    public int BatchSize { get; init; } = 32;

    /// <summary>Seed of the shuffling order (default 0).</summary>
    public ulong Seed { get; init; }

    /// <summary>Drop a last, smaller batch (default false).</summary>
    public bool DropLast { get; init; }

    /// <summary>Clip gradients to this global L2 norm; null for no clipping.</summary>
    public float? ClipGradNorm { get; init; }

    /// <summary>Label smoothing ε of the cross-entropy loss (default 0).</summary>
    public float LabelSmoothing { get; init; }

    /// <summary>Advance the learning-rate schedule every step (true) or every epoch (false, default).</summary>
    public bool ScheduleEveryStep { get; init; }
}
