namespace NeuralSharp.Nn;

/// <summary>
/// A module whose Forward also produces an extra loss term to be minimised with the main loss — e.g. the
/// load-balancing loss of <see cref="MixtureOfExperts"/>. <see cref="Training.Trainer"/> adds every such
/// term of the model (found once with <see cref="Module.Modules"/>) to the loss of each training step.
/// </summary>
public interface IAuxiliaryLossSource
{
    /// <summary>The term computed by the last Forward (a scalar, already weighted), or null when there is none.</summary>
    Tensor? AuxiliaryLoss { get; }
}
