namespace NeuralSharp.Training;

/// <summary>Thrown when the loss becomes NaN or infinite; names the epoch and step where it happened.</summary>
public sealed class TrainingDivergedException : Exception
{
    /// <summary>Creates the exception.</summary>
    public TrainingDivergedException(int epoch, int step, float loss)
        : base($"Training diverged: the loss is {loss} at epoch {epoch}, step {step} (try a lower learning rate, gradient clipping or standardised inputs).")
    {
        Epoch = epoch;
        Step = step;
        Loss = loss;
    }

    /// <summary>1-based epoch.</summary>
    public int Epoch { get; }

    /// <summary>1-based step within the epoch.</summary>
    public int Step { get; }

    /// <summary>The non-finite loss value.</summary>
    public float Loss { get; }
}
