namespace NeuralSharp;

/// <summary>How a loss combines its per-sample values.</summary>
public enum Reduction
{
    /// <summary>The (weighted) mean over samples.</summary>
    Mean,

    /// <summary>The sum over samples.</summary>
    Sum,
}
