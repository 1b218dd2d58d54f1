namespace NeuralSharp.Optim;

/// <summary>Multiplies the rate by γ every <c>stepSize</c> steps: η·γ^⌊step/stepSize⌋ (PyTorch's StepLR).</summary>
public sealed class StepLR : LearningRateSchedule
{
    /// <summary>Creates the schedule.</summary>
    /// <exception cref="ArgumentOutOfRangeException">When stepSize is not positive.</exception>
    public StepLR(Optimizer optimizer, int stepSize, float gamma = 0.1f) : base(optimizer)
    {
        if (stepSize <= 0) throw new ArgumentOutOfRangeException(nameof(stepSize), $"StepLR: stepSize must be positive, got {stepSize}.");
        StepSize = stepSize;
        Gamma = gamma;
        Apply();
    }

    /// <summary>Steps between decays.</summary>
    public int StepSize { get; }

    /// <summary>Decay factor γ.</summary>
    public float Gamma { get; }

    /// <inheritdoc/>
    public override float LearningRateAt(int step) => (float)(BaseLearningRate * Math.Pow(Gamma, step / StepSize));
}
