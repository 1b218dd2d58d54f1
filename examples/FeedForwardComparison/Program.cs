// Dense FFN vs SwiGLU vs mixture of experts vs fast feedforward on Fashion-MNIST, at a similar parameter count.
// Every model is Linear(784, W) -> block -> Linear(W, 10) built by ModelBuilder from a --block spec (W = 128).
// Usage: dotnet run --project examples/FeedForwardComparison -c Release -- [fashion-mnist folder] [--epochs N] [--threads T]
using System.Diagnostics;
using System.Globalization;
using NeuralSharp;
using NeuralSharp.Data;
using NeuralSharp.Kernels;
using NeuralSharp.Nn;
using NeuralSharp.Optim;
using NeuralSharp.Training;

string folder = "/usr/share/datasets/fashion-mnist";
int epochs = 3, threads = 1, width = 128;
for (int i = 0; i < args.Length; i++)
{
    switch (args[i])
    {
        case "--epochs": epochs = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
        case "--threads": threads = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
        case "--width": width = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
        default: folder = args[i]; break;
    }
}
KernelThreads.Count = threads;

var train = MnistDataset.Load(folder, train: true, MnistDataset.FashionMnistClassNames);
var test = MnistDataset.Load(folder, train: false, MnistDataset.FashionMnistClassNames);
var scaler = new Standardizer();
scaler.Fit(train);
train = train.Transform(scaler);
test = test.Transform(scaler);
Console.WriteLine($"Fashion-MNIST: {train.Count} training, {test.Count} test samples; {epochs} epoch(s); {threads} thread(s); W = {width}");

// Block budgets of about 131k parameters each at W = 128 (ffn 2·W·4W; SwiGLU 3·W·h with h ≈ 8W/3; MoE 8 experts of W/2;
// FFF 16 leaves of W/4). MoE and FFF run only a part of theirs per sample at inference: MoE 2 of 8 experts, FFF 4 nodes + 1 leaf.
var specs = new (string Name, string Block)[]
{
    ("dense FFN", $"ffn:hidden={4 * width}"),
    ("SwiGLU", $"swiglu:hidden={(int)Math.Round(8.0 * width / 3.0)}"),
    ("MoE (8 experts, top-2)", $"moe:8:2:hidden={width / 2}"),
    ("FFF (depth 4)", $"fff:depth=4:leaf={width / 4}"),
};

var rows = new List<string>();
foreach (var (name, block) in specs)
{
    RandomSource.ManualSeed(0);
    var model = ModelBuilder.CreateClassifier(train.FeatureCount, [width], train.ClassCount, block, "gelu", random: new RandomSource(0));
    const int batchSize = 64;
    var optimizer = new AdamW(model.Parameters(), learningRate: 2e-3f, weightDecay: 0.01f);
    int steps = (train.Count + batchSize - 1) / batchSize;
    var schedule = new CosineWarmupLR(optimizer, steps / 2, epochs * steps);
    var trainer = new Trainer(model, optimizer, schedule); // adds the MoE load-balancing loss
    var clock = Stopwatch.StartNew();
    trainer.Fit(train, new FitOptions { Epochs = epochs, BatchSize = batchSize, Seed = 0, ScheduleEveryStep = true },
        onEpoch: e => Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{name,-24} epoch {e.Epoch}/{epochs}: loss {e.Loss:F4}, train accuracy {e.Accuracy:F4}, {e.SamplesPerSecond:N0} samples/s")));
    double trainSeconds = clock.Elapsed.TotalSeconds;
    double accuracy = trainer.Evaluate(test).Accuracy;
    model.Eval();
    double one = InferenceMicroseconds(model, Inputs(test, 1, 400));
    double many = InferenceMicroseconds(model, Inputs(test, 256, 15));
    // The block alone, on the input projection's outputs: the part in which the four models differ.
    var blockInputs = (Inputs(test, 1, 400), Inputs(test, 256, 15));
    double blockOne = InferenceMicroseconds(model[1], Project(model[0], blockInputs.Item1));
    double blockMany = InferenceMicroseconds(model[1], Project(model[0], blockInputs.Item2));
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"{name}: {model.ParameterCount():N0} parameters, test accuracy {accuracy:F4}, {one:F1} µs/sample at batch 1, {many:F2} µs/sample at batch 256"));
    rows.Add(string.Create(CultureInfo.InvariantCulture,
        $"| {name} | `{block}` | {model.ParameterCount():N0} | {model[1].ParameterCount():N0} | {accuracy:P2} | {one:F1} | {many:F2} | {blockOne:F2} | {blockMany:F3} | {trainSeconds:F0} |"));
}

Console.WriteLine();
Console.WriteLine("| model | --block | parameters | of which block | test accuracy | model µs/sample, batch 1 | model µs/sample, batch 256 | block µs/sample, batch 1 | block µs/sample, batch 256 | training time (s) |");
Console.WriteLine("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|");
foreach (var row in rows) Console.WriteLine(row);

// `repetitions` batches of `batch` consecutive test samples.
static List<Tensor> Inputs(InMemoryDataset data, int batch, int repetitions)
{
    int features = data.FeatureCount;
    var inputs = new List<Tensor>();
    for (int r = 0; r < repetitions; r++)
    {
        int start = (r * batch) % (data.Count - batch + 1);
        inputs.Add(Tensor.FromArray(data.Features.Slice(start * features, batch * features), batch, features));
    }
    return inputs;
}

// The input projection's outputs (no graph), as the block's timing inputs.
static List<Tensor> Project(Module projection, List<Tensor> inputs)
{
    using var noGrad = GradMode.NoGrad();
    return inputs.Select(x => projection.Forward(x)).ToList();
}

// Median over the inputs of one forward pass each (eval mode, no graph), per sample.
static double InferenceMicroseconds(Module model, List<Tensor> inputs)
{
    int repetitions = inputs.Count, batch = inputs[0].Dim(0);
    var times = new double[repetitions];
    using var noGrad = GradMode.NoGrad();
    // Warm up for 0.5 s so that the JIT's tier-1 code (not tier-0) is what gets timed.
    var warmup = Stopwatch.StartNew();
    for (int warm = 0; warm < 3 || warmup.ElapsedMilliseconds < 500; warm++)
    {
        using var scope = TensorScope.Begin();
        model.Forward(inputs[warm % repetitions]);
    }
    for (int r = 0; r < repetitions; r++)
    {
        using var scope = TensorScope.Begin();
        long t0 = Stopwatch.GetTimestamp();
        model.Forward(inputs[r]);
        times[r] = Stopwatch.GetElapsedTime(t0).TotalMicroseconds / batch;
    }
    Array.Sort(times);
    return times[repetitions / 2];
}
