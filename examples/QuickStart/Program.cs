// The README's C# example: train an MLP on the embedded digits set, evaluate, save, load and predict.
using NeuralSharp;
using NeuralSharp.Data;
using NeuralSharp.Nn;
using NeuralSharp.Optim;
using NeuralSharp.Serialization;
using NeuralSharp.Training;

RandomSource.ManualSeed(0);                                   // fixes initialisation (like torch.manual_seed)
var (train, test) = EmbeddedDatasets.DigitsTrainTest();      // 8x8 digits, 64 features, 10 classes
var scaler = new Standardizer();
scaler.Fit(train);                                            // statistics of the training data only
train = train.Transform(scaler);
test = test.Transform(scaler);

var model = new Sequential(
    new Linear(64, 128), new ReLU(),
    new Linear(128, 10));
var optimizer = new AdamW(model.Parameters(), learningRate: 3e-3f);
var trainer = new Trainer(model, optimizer);
trainer.Fit(train, new FitOptions { Epochs = 15, BatchSize = 32, Seed = 0 },
    onEpoch: e => Console.WriteLine($"epoch {e.Epoch,2}: loss {e.Loss:F4}, accuracy {e.Accuracy:F4}"));
Console.WriteLine($"test accuracy: {trainer.Evaluate(test).Accuracy:F4}");

// One step by hand: autograd, inside a scope that recycles every intermediate buffer.
foreach (var batch in new DataLoader(train, batchSize: 32, shuffle: true, seed: 1))
{
    using var scope = TensorScope.Begin();
    var loss = Functional.CrossEntropy(model.Forward(batch.Inputs), batch.Labels, labelSmoothing: 0.1f);
    loss.Backward();
    GradientClipping.ClipGradNorm(model.Parameters(), maxNorm: 1f);
    optimizer.Step();
    optimizer.ZeroGrad();
    break;
}

// Save (config.json + model.safetensors with PyTorch state-dict names), load, predict.
string folder = Path.Combine(Path.GetTempPath(), "neuralsharp-quickstart");
new SavedModel(model, [64], classCount: 10, scaler).Save(folder);
var loaded = SavedModel.Load(folder);
using var inputs = Tensor.FromArray(test.GetFeatures(0), 1, 64);   // already standardised
using var probabilities = Evaluation.PredictProbabilities(loaded.Model, inputs);
Console.WriteLine($"sample 0: class {probabilities.ArgMaxRows()[0]} (label {test.GetLabel(0)})");
