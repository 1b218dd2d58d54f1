using NeuralSharp.Data;
using NeuralSharp.Nn;

namespace NeuralSharp.Training;

/// <summary>Evaluates and runs classifiers over datasets and batches.</summary>
public static class Evaluation
{
    /// <summary>Mean cross-entropy, accuracy and confusion matrix over <paramref name="data"/>.</summary>
    /// <exception cref="ArgumentException">When the model's output width differs from the dataset's class count.</exception>
    public static EvaluationResult Evaluate(Module model, IDataset data, int batchSize = 256)
    {
        bool wasTraining = model.Training;
        model.Eval();
        try
        {
            int classes = data.ClassCount;
            var confusion = new int[classes, classes];
            double lossSum = 0;
            long correct = 0;
            using var noGrad = GradMode.NoGrad();
            foreach (var batch in new DataLoader(data, batchSize))
            {
                using var scope = TensorScope.Begin();
                var logits = model.Forward(batch.Inputs);
                if (logits.Rank != 2 || logits.Dim(1) != classes)
                    throw new ArgumentException($"Evaluate: the model outputs {ShapeUtil.Format(logits.Shape)} but the data has {classes} classes (expected [{batch.Count}, {classes}]).");
                lossSum += (double)Functional.CrossEntropy(logits, batch.Labels, reduction: Reduction.Sum).Item();
                var predicted = logits.ArgMaxRows();
                for (int i = 0; i < predicted.Length; i++)
                {
                    confusion[batch.Labels[i], predicted[i]]++;
                    if (predicted[i] == batch.Labels[i]) correct++;
                }
                batch.Dispose();
            }
            int n = data.Count;
            return new EvaluationResult(n == 0 ? double.NaN : lossSum / n, n == 0 ? double.NaN : (double)correct / n, confusion, n);
        }
        finally
        {
            model.Train(wasTraining);
        }
    }

    /// <summary>Class probabilities [N, C] (softmax of the logits) for a batch of inputs, without recording a graph.</summary>
    public static Tensor PredictProbabilities(Module model, Tensor inputs)
    {
        bool wasTraining = model.Training;
        model.Eval();
        try
        {
            using var noGrad = GradMode.NoGrad();
            var logits = model.Forward(inputs);
            var probabilities = Functional.Softmax(logits, -1);
            if (!ReferenceEquals(logits, inputs)) logits.Dispose();
            return probabilities;
        }
        finally
        {
            model.Train(wasTraining);
        }
    }
}
