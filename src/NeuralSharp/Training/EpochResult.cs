namespace NeuralSharp.Training;

/// <summary>What one training epoch measured.</summary>
/// <param name="Epoch">1-based epoch number.</param>
/// <param name="Loss">Mean training loss over the epoch's samples.</param>
/// <param name="Accuracy">Training accuracy over the epoch (as the model was while it trained).</param>
/// <param name="SamplesPerSecond">Training throughput.</param>
/// <param name="Elapsed">Wall time of the epoch.</param>
/// <param name="LearningRate">The learning rate at the end of the epoch.</param>
/// <param name="Validation">Evaluation on the validation set, when one was given.</param>
public sealed record EpochResult(int Epoch, double Loss, double Accuracy, double SamplesPerSecond, TimeSpan Elapsed, float LearningRate, EvaluationResult? Validation);
