// Moving a model between NeuralSharp and the ONNX ecosystem: train a small classifier, export it to ONNX (opset 17,
// weights named as PyTorch names them), load the file back with NeuralSharp's ONNX runtime and check that both give
// the same predictions; then save the weights as safetensors for torch.nn (see docs/formats.md for the Python side).
using NeuralSharp;
using NeuralSharp.Data;
using NeuralSharp.Nn;
using NeuralSharp.Onnx;
using NeuralSharp.Onnx.Export;
using NeuralSharp.Optim;
using NeuralSharp.Serialization;
using NeuralSharp.Training;

RandomSource.ManualSeed(0);
var (train, test) = EmbeddedDatasets.DigitsTrainTest();
var scaler = new Standardizer();
scaler.Fit(train);
var model = new Sequential(new Linear(64, 128), new GELU(), new LayerNorm(128), new Linear(128, 10));
var trainer = new Trainer(model, new AdamW(model.Parameters(), learningRate: 3e-3f));
trainer.Fit(train.Transform(scaler), new FitOptions { Epochs = 10, BatchSize = 32, Seed = 0 });
Console.WriteLine($"native test accuracy: {trainer.Evaluate(test.Transform(scaler)).Accuracy:F4}");

// Export: the scaler is folded into the graph (Sub, Div at the input), so the ONNX model takes raw pixels.
string folder = Directory.CreateTempSubdirectory("neuralsharp-onnx-").FullName;
var saved = new SavedModel(model, [64], classCount: 10, scaler);
string onnxPath = Path.Combine(folder, "digits.onnx");
OnnxExporter.Save(saved, onnxPath);

// Import: any ONNX model made of supported operators (PyTorch's and Keras' exports included) loads the same way.
var onnx = OnnxModel.Load(onnxPath);
Console.WriteLine($"{onnxPath}: opset {onnx.Opset}, {onnx.ParameterCount:N0} parameters, {onnx.StepCount} steps after fusion");
Console.WriteLine($"  inputs: {string.Join(", ", onnx.Inputs)}; outputs: {string.Join(", ", onnx.Outputs)}");

int rows = test.Count;
var raw = test.Features.ToArray();
var logits = onnx.Run(OnnxTensor.FromArray(raw, rows, 64))[0].ToArray<float>();
int agree = 0, correct = 0;
model.Eval();
using (GradMode.NoGrad())
using (var scope = TensorScope.Begin())
{
    var native = model.Forward(Tensor.FromArray(test.Transform(scaler).Features, rows, 64)).ToArray();
    for (int i = 0; i < rows; i++)
    {
        int a = ArgMax(native.AsSpan(i * 10, 10)), b = ArgMax(logits.AsSpan(i * 10, 10));
        if (a == b) agree++;
        if (b == test.Labels[i]) correct++;
    }
}
Console.WriteLine($"ONNX runtime: test accuracy {(double)correct / rows:F4}, same prediction as native for {agree} of {rows} samples");

// The weights alone, under PyTorch's state-dict names (0.weight, 2.bias, ...), for torch.nn.Sequential.
SafeTensors.Save(Path.Combine(folder, "digits.safetensors"), model.StateDict());
Console.WriteLine($"wrote {folder}/digits.onnx and digits.safetensors");

static int ArgMax(ReadOnlySpan<float> v)
{
    int best = 0;
    for (int i = 1; i < v.Length; i++) if (v[i] > v[best]) best = i;
    return best;
}
