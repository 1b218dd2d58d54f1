using NeuralSharp.Data;
using NeuralSharp.Nn;
using NeuralSharp.Optim;
using NeuralSharp.Training;

namespace NeuralSharp.Tests.Training;

/// <summary>The training loop and evaluation on the embedded digits set: accuracy, loss history, divergence, metrics.</summary>
public class TrainerTests
{
    private static (Sequential Model, Trainer Trainer) Create(ulong seed, float learningRate = 3e-3f)
    {
        var model = Mlp.Create(64, [64], 10, random: new RandomSource(seed));
        return (model, new Trainer(model, new Adam(model.Parameters(), learningRate)));
    }

    [Fact]
    public void FitReachesHighTestAccuracyInAFewEpochsWithDecreasingLoss()
    {
        var (model, trainer) = Create(seed: 1);
        var seen = new List<EpochResult>();
        var history = trainer.Fit(DigitsData.Train, new FitOptions { Epochs = 5, BatchSize = 32, Seed = 3 }, DigitsData.Test, seen.Add);

        Assert.Equal(5, history.Count);
        Assert.Equal(history, seen);
        for (int i = 0; i < history.Count; i++)
        {
            var r = history[i];
            Assert.Equal(i + 1, r.Epoch);
            Assert.True(double.IsFinite(r.Loss) && r.Loss > 0, $"epoch {r.Epoch}: loss {r.Loss}");
            Assert.InRange(r.Accuracy, 0.0, 1.0);
            Assert.True(r.SamplesPerSecond > 0);
            Assert.True(r.Elapsed > TimeSpan.Zero);
            Assert.Equal(3e-3f, r.LearningRate);
            Assert.NotNull(r.Validation);
            Assert.Equal(DigitsData.Test.Count, r.Validation!.Count);
        }
        for (int i = 1; i < 3; i++)
            Assert.True(history[i].Loss < history[i - 1].Loss, $"loss rose from epoch {i} ({history[i - 1].Loss}) to {i + 1} ({history[i].Loss})");
        Assert.True(history[^1].Loss < 0.5 * history[0].Loss, $"loss {history[0].Loss} -> {history[^1].Loss}");

        var test = trainer.Evaluate(DigitsData.Test);
        Assert.True(test.Accuracy >= 0.95, $"test accuracy {test.Accuracy:P2} after 5 epochs");
        Assert.Equal(history[^1].Validation!.Accuracy, test.Accuracy);
        Assert.Equal(history[^1].Validation!.Loss, test.Loss, 12);
        Assert.True(model.Training, "Fit and Evaluate leave the model in training mode");
    }

    [Fact]
    public void HugeLearningRateThrowsTrainingDivergedNamingEpochAndStep()
    {
        var model = Mlp.Create(64, [32], 10, random: new RandomSource(2));
        var trainer = new Trainer(model, new Sgd(model.Parameters(), 1e30f));
        var ex = Assert.Throws<TrainingDivergedException>(() => trainer.Fit(DigitsData.Train, new FitOptions { Epochs = 3, BatchSize = 32 }));
        Assert.Equal(1, ex.Epoch);
        Assert.True(ex.Step >= 2, $"step {ex.Step}: the first step's loss is finite, the update makes it blow up"); // step 1 starts from sane weights
        Assert.False(float.IsFinite(ex.Loss));
        Assert.Contains($"epoch {ex.Epoch}", ex.Message);
        Assert.Contains($"step {ex.Step}", ex.Message);
    }

    /// <summary>A dataset whose features turn to NaN from the <c>nanFrom</c>-th sample read on (1-based), to diverge at a known step.</summary>
    private sealed class PoisonedDataset(InMemoryDataset inner, int nanFrom) : IDataset
    {
        private int _reads;

        public int Count => inner.Count;
        public int[] FeatureShape => inner.FeatureShape;
        public int FeatureCount => inner.FeatureCount;
        public int ClassCount => inner.ClassCount;
        public IReadOnlyList<string>? ClassNames => inner.ClassNames;
        public int GetLabel(int index) => inner.GetLabel(index);

        public void CopyFeatures(int index, Span<float> destination)
        {
            inner.CopyFeatures(index, destination);
            if (++_reads >= nanFrom) destination[..FeatureCount].Fill(float.NaN);
        }
    }

    [Fact]
    public void NaNInputsThrowTrainingDivergedAtTheRightEpochAndStep()
    {
        // 50 samples in batches of 10: 5 steps per epoch; read 70 is in epoch 2, step 2.
        var data = DigitsData.Train.Subset(Enumerable.Range(0, 50).ToArray());
        var (_, trainer) = Create(seed: 4);
        var ex = Assert.Throws<TrainingDivergedException>(() => trainer.Fit(new PoisonedDataset(data, nanFrom: 70), new FitOptions { Epochs = 3, BatchSize = 10 }));
        Assert.Equal(2, ex.Epoch);
        Assert.Equal(2, ex.Step);
        Assert.True(float.IsNaN(ex.Loss));
        Assert.Contains("epoch 2, step 2", ex.Message);
        Assert.Contains("NaN", ex.Message);
    }

    [Fact]
    public void EvaluateConfusionMatrixIsConsistentWithCountAndAccuracy()
    {
        var (model, trainer) = Create(seed: 5);
        trainer.Fit(DigitsData.Train, new FitOptions { Epochs = 1, BatchSize = 64 });
        var data = DigitsData.Test;
        // A batch size that does not divide the count, so the last batch is partial.
        var result = Evaluation.Evaluate(model, data, batchSize: 100);

        Assert.Equal(data.Count, result.Count);
        var m = result.ConfusionMatrix;
        Assert.Equal(10, m.GetLength(0));
        Assert.Equal(10, m.GetLength(1));
        long total = 0, diagonal = 0;
        var perClass = data.CountPerClass();
        for (int i = 0; i < 10; i++)
        {
            long row = 0;
            for (int j = 0; j < 10; j++)
            {
                Assert.True(m[i, j] >= 0);
                row += m[i, j];
            }
            Assert.Equal(perClass[i], row); // rows are true classes
            total += row;
            diagonal += m[i, i];
        }
        Assert.Equal(data.Count, total);
        Assert.Equal((double)diagonal / data.Count, result.Accuracy);
        Assert.True(double.IsFinite(result.Loss) && result.Loss > 0);

        // Same numbers whatever the batch size (only the loss sum's rounding may differ).
        var other = trainer.Evaluate(data, batchSize: 7);
        Assert.Equal(result.Accuracy, other.Accuracy);
        Assert.Equal(result.ConfusionMatrix, other.ConfusionMatrix);
        Assert.Equal(result.Loss, other.Loss, 5);

        // Evaluate restores the mode it found.
        Assert.True(model.Training);
        model.Eval();
        trainer.Evaluate(data);
        Assert.False(model.Training);
    }

    [Fact]
    public void EvaluateRejectsAModelWithTheWrongNumberOfClasses()
    {
        var model = Mlp.Create(64, [], 7, random: new RandomSource(1));
        var ex = Assert.Throws<ArgumentException>(() => Evaluation.Evaluate(model, DigitsData.Test));
        Assert.Contains("10 classes", ex.Message);
        Assert.Contains("7]", ex.Message);
        Assert.True(model.Training);
    }

    [Fact]
    public void FormatConfusionMatrixPrintsClassNames()
    {
        var result = new EvaluationResult(0.5, 0.6, new[,] { { 5, 1, 0 }, { 2, 3, 0 }, { 0, 1, 123456 } }, 123468);
        string text = result.FormatConfusionMatrix(["cat", "dog", "hippopotamus"]);
        var lines = text.Split(Environment.NewLine, StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(4, lines.Length);
        Assert.StartsWith("true\\pred", lines[0]);
        Assert.Equal(new[] { "true\\pred", "cat", "dog", "hippopotamus" }, lines[0].Split(' ', StringSplitOptions.RemoveEmptyEntries));
        Assert.Equal(new[] { "cat", "5", "1", "0" }, lines[1].Split(' ', StringSplitOptions.RemoveEmptyEntries));
        Assert.Equal(new[] { "dog", "2", "3", "0" }, lines[2].Split(' ', StringSplitOptions.RemoveEmptyEntries));
        Assert.Equal(new[] { "hippopotamus", "0", "1", "123456" }, lines[3].Split(' ', StringSplitOptions.RemoveEmptyEntries));
        // Aligned: every line has the same length.
        Assert.All(lines, l => Assert.Equal(lines[0].Length, l.Length));

        var unnamed = result.FormatConfusionMatrix().Split(Environment.NewLine, StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(new[] { "true\\pred", "0", "1", "2" }, unnamed[0].Split(' ', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("2", unnamed[3]);
    }

    [Fact]
    public void FormatConfusionMatrixOfDigitsUsesTheDatasetNames()
    {
        var model = Mlp.Create(64, [], 10, random: new RandomSource(1));
        var result = Evaluation.Evaluate(model, DigitsData.Test);
        var lines = result.FormatConfusionMatrix(DigitsData.Test.ClassNames).Split(Environment.NewLine, StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(11, lines.Length);
        Assert.Equal(new[] { "true\\pred" }.Concat(Enumerable.Range(0, 10).Select(i => i.ToString())), lines[0].Split(' ', StringSplitOptions.RemoveEmptyEntries));
        for (int i = 0; i < 10; i++)
        {
            var cells = lines[i + 1].Split(' ', StringSplitOptions.RemoveEmptyEntries);
            Assert.Equal(i.ToString(), cells[0]);
            Assert.Equal(Enumerable.Range(0, 10).Select(j => result.ConfusionMatrix[i, j].ToString()), cells[1..]);
        }
    }

    [Fact]
    public void FitValidatesOptions()
    {
        var (_, trainer) = Create(seed: 1);
        Assert.Throws<ArgumentOutOfRangeException>(() => trainer.Fit(DigitsData.Train, new FitOptions { Epochs = -1 }));
        var batch = Assert.Throws<ArgumentOutOfRangeException>(() => trainer.Fit(DigitsData.Train, new FitOptions { BatchSize = 0 }));
        Assert.Contains("batch size", batch.Message);
        Assert.Empty(trainer.Fit(DigitsData.Train, new FitOptions { Epochs = 0 }));
    }

    [Fact]
    public void DropLastSkipsThePartialBatch()
    {
        var data = DigitsData.Train.Subset(Enumerable.Range(0, 100).ToArray());
        var (_, trainer) = Create(seed: 1);
        trainer.Fit(data, new FitOptions { Epochs = 1, BatchSize = 32, DropLast = true });
        Assert.Equal(3, trainer.Optimizer.StepCount);
        trainer.Fit(data, new FitOptions { Epochs = 1, BatchSize = 32 });
        Assert.Equal(3 + 4, trainer.Optimizer.StepCount);
    }
}
