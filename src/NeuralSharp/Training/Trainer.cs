using System.Diagnostics;
using NeuralSharp.Data;
using NeuralSharp.Nn;
using NeuralSharp.Optim;

namespace NeuralSharp.Training;

/// <summary>
/// The training loop for classifiers (Keras's <c>fit</c>/<c>evaluate</c>): cross-entropy on the model's
/// logits plus the auxiliary losses of its <see cref="IAuxiliaryLossSource"/> modules, one optimizer step
/// per batch, every step inside a <see cref="TensorScope"/> so that buffers
/// are recycled and a warmed-up step allocates no large arrays.
/// </summary>
public sealed class Trainer
{
    /// <summary>Creates a trainer.</summary>
    /// <param name="model">A module mapping [B, ..features] to logits [B, classes].</param>
    /// <param name="optimizer">The optimizer over the model's parameters.</param>
    /// <param name="schedule">An optional learning-rate schedule.</param>
    public Trainer(Module model, Optimizer optimizer, LearningRateSchedule? schedule = null)
    {
        Model = model;
        Optimizer = optimizer;
        Schedule = schedule;
        _auxiliaryLosses = model.Modules().OfType<IAuxiliaryLossSource>().ToArray();
    }

    private readonly IAuxiliaryLossSource[] _auxiliaryLosses;

    /// <summary>The model being trained.</summary>
    public Module Model { get; }

    /// <summary>The optimizer.</summary>
    public Optimizer Optimizer { get; }

    /// <summary>The learning-rate schedule, if any.</summary>
    public LearningRateSchedule? Schedule { get; }

    /// <summary>Trains for <see cref="FitOptions.Epochs"/> epochs, calling <paramref name="onEpoch"/> after each.</summary>
    /// <exception cref="TrainingDivergedException">When the loss becomes NaN or infinite.</exception>
    public IReadOnlyList<EpochResult> Fit(IDataset train, FitOptions options, IDataset? validation = null, Action<EpochResult>? onEpoch = null)
    {
        if (options.Epochs < 0) throw new ArgumentOutOfRangeException(nameof(options), $"Fit: epochs must be >= 0, got {options.Epochs}.");
        if (options.BatchSize <= 0) throw new ArgumentOutOfRangeException(nameof(options), $"Fit: batch size must be positive, got {options.BatchSize}.");
        var loader = new DataLoader(train, options.BatchSize, shuffle: true, dropLast: options.DropLast, seed: options.Seed);
        var history = new List<EpochResult>();
        for (int epoch = 1; epoch <= options.Epochs; epoch++)
        {
            var result = TrainEpoch(loader, epoch, options);
            if (validation != null) result = result with { Validation = Evaluate(validation, Math.Max(options.BatchSize, 256)) };
            history.Add(result);
            onEpoch?.Invoke(result);
        }
        return history;
    }

    private EpochResult TrainEpoch(DataLoader loader, int epoch, FitOptions options)
    {
        Model.Train();
        var clock = Stopwatch.StartNew();
        double lossSum = 0;
        long correct = 0, seen = 0;
        int step = 0;
        foreach (var batch in loader)
        {
            step++;
            using var scope = TensorScope.Begin();
            var logits = Model.Forward(batch.Inputs);
            var loss = Functional.CrossEntropy(logits, batch.Labels, options.LabelSmoothing);
            float value = loss.Item(); // reported: the cross-entropy, comparable with Evaluate's
            foreach (var source in _auxiliaryLosses)
                if (source.AuxiliaryLoss is { } auxiliary) loss = loss + auxiliary;
            float total = loss.Item();
            if (!float.IsFinite(total)) throw new TrainingDivergedException(epoch, step, total);
            loss.Backward();
            if (options.ClipGradNorm is float maxNorm) GradientClipping.ClipGradNorm(Optimizer.Parameters, maxNorm);
            Optimizer.Step();
            Optimizer.ZeroGrad();
            if (options.ScheduleEveryStep) Schedule?.Step();
            lossSum += (double)value * batch.Count;
            correct += CountCorrect(logits, batch.Labels);
            seen += batch.Count;
            batch.Dispose();
        }
        if (!options.ScheduleEveryStep) Schedule?.Step();
        clock.Stop();
        double seconds = Math.Max(clock.Elapsed.TotalSeconds, 1e-9);
        return new EpochResult(epoch, seen == 0 ? double.NaN : lossSum / seen, seen == 0 ? double.NaN : (double)correct / seen,
            seen / seconds, clock.Elapsed, Optimizer.LearningRate, null);
    }

    private static int CountCorrect(Tensor logits, ReadOnlySpan<int> labels)
    {
        var predicted = logits.ArgMaxRows();
        int correct = 0;
        for (int i = 0; i < predicted.Length; i++) if (predicted[i] == labels[i]) correct++;
        return correct;
    }

    /// <summary>Loss, accuracy and confusion matrix of the model (in evaluation mode, no graph recorded).</summary>
    public EvaluationResult Evaluate(IDataset data, int batchSize = 256) => Evaluation.Evaluate(Model, data, batchSize);
}
