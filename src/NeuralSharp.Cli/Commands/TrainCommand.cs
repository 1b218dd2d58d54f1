using System.CommandLine;
using System.Globalization;
using NeuralSharp.Data;
using NeuralSharp.Kernels;
using NeuralSharp.Nn;
using NeuralSharp.Optim;
using NeuralSharp.Serialization;
using NeuralSharp.Training;

namespace NeuralSharp.Cli.Commands;

/// <summary><c>neuralsharp train</c>: trains an MLP (or a feed-forward block classifier, <c>--block</c>) and saves it.</summary>
internal static class TrainCommand
{
    public static Command Create(TextWriter output)
    {
        var data = new Option<string?>("--data") { Description = "An IDX folder (MNIST/Fashion-MNIST layout) or a CSV file. Default: the embedded UCI digits set." };
        var labelColumn = new Option<string?>("--label-column") { Description = "CSV label column, by header name or 0-based index. Default: the last column." };
        var hidden = new Option<string>("--hidden") { Description = "Hidden layer widths, comma-separated (empty for a linear model).", DefaultValueFactory = _ => "256,128" };
        var activation = new Option<string>("--activation") { Description = $"Hidden activation: {string.Join(", ", Mlp.ActivationNames)}.", DefaultValueFactory = _ => "relu" };
        var optimizer = new Option<string>("--optimizer") { Description = "sgd, adam or adamw.", DefaultValueFactory = _ => "adam" };
        var lr = new Option<float?>("--lr") { Description = "Learning rate. Default: 0.001 for adam/adamw, 0.05 for sgd." };
        var epochs = new Option<int>("--epochs") { Description = "Passes over the training data.", DefaultValueFactory = _ => 20 };
        var batchSize = new Option<int>("--batch-size") { Description = "Samples per step.", DefaultValueFactory = _ => 32 };
        var seed = new Option<ulong>("--seed") { Description = "Seed of initialisation, shuffling, dropout and the CSV split.", DefaultValueFactory = _ => 0UL };
        var threads = new Option<int?>("--threads") { Description = "Threads for the kernels. Default: all cores." };
        var outputPath = new Option<string>("--output", "-o") { Description = "Folder to save the model in (config.json + model.safetensors).", DefaultValueFactory = _ => "model" };
        var dropout = new Option<float>("--dropout") { Description = "Dropout after each hidden activation.", DefaultValueFactory = _ => 0f };
        var weightDecay = new Option<float?>("--weight-decay") { Description = "Weight decay (L2 for sgd/adam, decoupled for adamw; default 0, adamw 0.01)." };
        var momentum = new Option<float>("--momentum") { Description = "SGD momentum.", DefaultValueFactory = _ => 0.9f };
        var scale = new Option<string>("--scale") { Description = "Input preprocessing fitted on the training set: standard, minmax or none.", DefaultValueFactory = _ => "standard" };
        var schedule = new Option<string>("--schedule") { Description = "Learning-rate schedule: cosine (one epoch of linear warm-up, then cosine decay to 0 over the run, per step), step (x0.5 every third of the run) or none.", DefaultValueFactory = _ => "cosine" };
        var clip = new Option<float?>("--clip-grad-norm") { Description = "Clip gradients to this global L2 norm." };
        var smoothing = new Option<float>("--label-smoothing") { Description = "Label smoothing of the cross-entropy loss.", DefaultValueFactory = _ => 0f };
        var block = new Option<string>("--block")
        {
            Description = $"Network block: {ModelBuilder.BlockGrammar}. mlp (default) uses every --hidden width; any other block builds " +
                "Linear(features, W) -> block -> [Dropout] -> Linear(W, classes) with W the first --hidden width, --activation as the ffn/MoE-expert/FFF-leaf " +
                "activation. Defaults: ffn hidden 4W; GLU variants hidden round(8W/3), no biases; moe expert hidden W, no capacity limit; fff leaf max(1, W/2^D). " +
                "MoE: the Switch load-balancing loss (weight 0.01) is added to the training gradient; the printed loss is the cross-entropy alone.",
            DefaultValueFactory = _ => "mlp",
        };
        var testFraction = new Option<double>("--test-fraction") { Description = "Share of a CSV file held out for testing.", DefaultValueFactory = _ => 0.2 };

        var command = new Command("train", "Train an MLP classifier (or a GLU/MoE/FFF block classifier with --block); prints per-epoch loss, accuracy and samples/s, then 'test accuracy: X'.")
        {
            data, labelColumn, hidden, activation, optimizer, lr, epochs, batchSize, seed, threads, outputPath,
            dropout, weightDecay, momentum, scale, schedule, clip, smoothing, testFraction, block,
        };
        command.SetAction(parse =>
        {
            if (parse.GetValue(threads) is int t)
            {
                if (t <= 0) throw new ArgumentException($"--threads must be positive, got {t}.");
                KernelThreads.Count = t;
            }
            ulong seedValue = parse.GetValue(seed);
            RandomSource.ManualSeed(seedValue);
            var loaded = DataSources.Load(parse.GetValue(data), parse.GetValue(labelColumn), parse.GetValue(testFraction), seedValue);
            var preprocessor = CreatePreprocessor(parse.GetValue(scale)!);
            var train = loaded.Train;
            var test = loaded.Test;
            if (preprocessor != null)
            {
                preprocessor.Fit(train);
                train = train.Transform(preprocessor);
                test = test.Transform(preprocessor);
            }
            var widths = ParseWidths(parse.GetValue(hidden)!);
            string blockSpec = parse.GetValue(block)!;
            var model = ModelBuilder.CreateClassifier(train.FeatureCount, widths, train.ClassCount, blockSpec, parse.GetValue(activation)!,
                parse.GetValue(dropout), new RandomSource(seedValue));
            bool isMlp = blockSpec.Trim().Equals("mlp", StringComparison.OrdinalIgnoreCase);
            int epochCount = parse.GetValue(epochs), batch = parse.GetValue(batchSize);
            if (epochCount <= 0) throw new ArgumentException($"--epochs must be positive, got {epochCount}.");
            if (batch <= 0) throw new ArgumentException($"--batch-size must be positive, got {batch}.");
            var opt = CreateOptimizer(parse.GetValue(optimizer)!, model, parse.GetValue(lr), parse.GetValue(weightDecay), parse.GetValue(momentum));
            string scheduleName = parse.GetValue(schedule)!.ToLowerInvariant();
            int stepsPerEpoch = (train.Count + batch - 1) / batch;
            var sched = CreateSchedule(scheduleName, opt, epochCount, stepsPerEpoch);

            output.WriteLine($"data: {loaded.Description}: {train.Count} training and {test.Count} test samples, {train.FeatureCount} features, {train.ClassCount} classes");
            string modelText = isMlp
                ? $"MLP {train.FeatureCount}-{string.Join("-", widths.Append(train.ClassCount))} ({parse.GetValue(activation)})"
                : $"{train.FeatureCount}-{widths[0]} -> {blockSpec.Trim().ToLowerInvariant()} -> {train.ClassCount} ({parse.GetValue(activation)})";
            output.WriteLine($"model: {modelText}, {model.ParameterCount():N0} parameters; {opt.GetType().Name} lr {opt.InitialLearningRate.ToString(CultureInfo.InvariantCulture)}{(sched == null ? "" : $" ({scheduleName} schedule)")}; {KernelThreads.Count} thread(s)");
            var trainer = new Trainer(model, opt, sched); // adds the MoE load-balancing loss (IAuxiliaryLossSource)
            var options = new FitOptions
            {
                Epochs = epochCount, BatchSize = batch, Seed = seedValue,
                ClipGradNorm = parse.GetValue(clip), LabelSmoothing = parse.GetValue(smoothing),
                ScheduleEveryStep = scheduleName == "cosine",
            };
            trainer.Fit(train, options, onEpoch: e => output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"epoch {e.Epoch,3}/{epochCount}  loss {e.Loss:F4}  accuracy {e.Accuracy:F4}  {e.SamplesPerSecond,10:N0} samples/s  {e.Elapsed.TotalSeconds:F2} s  lr {e.LearningRate:G3}")));

            var result = trainer.Evaluate(test);
            var saved = new SavedModel(model, train.FeatureShape, train.ClassCount, preprocessor, train.ClassNames)
            {
                Description = $"Trained by `neuralsharp train` on {loaded.Description}",
                DataSource = parse.GetValue(data),
            };
            string path = parse.GetValue(outputPath)!;
            saved.Save(path);
            output.WriteLine($"saved: {Path.GetFullPath(path)}");
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"test loss: {result.Loss:F4}"));
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"test accuracy: {result.Accuracy:F4}"));
            return 0;
        });
        return command;
    }

    internal static int[] ParseWidths(string text)
    {
        if (string.IsNullOrWhiteSpace(text)) return [];
        return text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).Select(part =>
            int.TryParse(part, NumberStyles.Integer, CultureInfo.InvariantCulture, out int w) && w > 0
                ? w
                : throw new ArgumentException($"--hidden: '{part}' is not a positive integer width (expected e.g. 256,128).")).ToArray();
    }

    private static IPreprocessor? CreatePreprocessor(string name) => name.ToLowerInvariant() switch
    {
        "standard" => new Standardizer(),
        "minmax" => new MinMaxScaler(),
        "none" => null,
        _ => throw new ArgumentException($"--scale: unknown preprocessing '{name}'; expected standard, minmax or none."),
    };

    private static Optimizer CreateOptimizer(string name, Module model, float? lr, float? weightDecay, float momentum) => name.ToLowerInvariant() switch
    {
        "sgd" => new Sgd(model.Parameters(), lr ?? 0.05f, momentum: momentum, weightDecay: weightDecay ?? 0f),
        "adam" => new Adam(model.Parameters(), lr ?? 1e-3f, weightDecay: weightDecay ?? 0f),
        "adamw" => new AdamW(model.Parameters(), lr ?? 1e-3f, weightDecay: weightDecay ?? 0.01f),
        _ => throw new ArgumentException($"--optimizer: unknown optimizer '{name}'; expected sgd, adam or adamw."),
    };

    /// <summary>step: halve every third of the run (per epoch); cosine: one epoch of linear warm-up then cosine decay to 0 (per step).</summary>
    private static LearningRateSchedule? CreateSchedule(string name, Optimizer optimizer, int epochs, int stepsPerEpoch) => name switch
    {
        "none" => null,
        "step" => new StepLR(optimizer, Math.Max(1, epochs / 3), 0.5f),
        "cosine" => new CosineWarmupLR(optimizer, stepsPerEpoch, Math.Max(epochs, 2) * stepsPerEpoch),
        _ => throw new ArgumentException($"--schedule: unknown schedule '{name}'; expected none, step or cosine."),
    };
}
