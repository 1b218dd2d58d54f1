namespace NeuralSharp;

/// <summary>The serialisable state of a <see cref="RandomSource"/>.</summary>
/// <param name="S0">State word 0.</param><param name="S1">State word 1.</param>
/// <param name="S2">State word 2.</param><param name="S3">State word 3.</param>
/// <param name="HasSpare">Whether a cached Gaussian sample is pending.</param>
/// <param name="Spare">The cached Gaussian sample.</param>
public readonly record struct RandomSourceState(uint S0, uint S1, uint S2, uint S3, bool HasSpare, double Spare);
