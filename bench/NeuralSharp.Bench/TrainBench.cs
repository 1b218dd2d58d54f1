using NeuralSharp.Kernels;
using NeuralSharp.Nn;
using NeuralSharp.Optim;
using static NeuralSharp.Bench.MarkdownTable;

namespace NeuralSharp.Bench;

/// <summary>
/// Section "train": steady-state training samples/s of ReLU MLPs with Adam (lr 1e-3) and cross-entropy on
/// seeded random data, NeuralSharp vs PyTorch (bench/reference/mlp_torch.py, same models, same data sizes).
/// </summary>
internal static class TrainBench
{
    public const int Features = 784, Classes = 10, Samples = 8192;

    /// <summary>The configurations; mlp_torch.py has the same list (its names are the join keys).</summary>
    public static readonly (string Name, int[] Hidden, int Batch)[] Configs =
    [
        ("784-1024-1024-10", [1024, 1024], 128),
        ("784-1024-1024-10", [1024, 1024], 32),
        ("784-128-10", [128], 128),
    ];

    public static void Run(BenchOptions o, int[] threads, TorchReference torch)
    {
        var torchResults = torch.Run("train");
        var (data, labels) = RandomData();
        var table = new MarkdownTable(["model", "batch",
            .. threads.Select(t => $"NeuralSharp {t}T"), .. threads.Select(t => $"PyTorch {t}T"),
            "best ours / best PyTorch", .. threads.Select(t => $"ours / PyTorch at {t}T")]);
        int saved = KernelThreads.Count;
        // Longer repetitions than the kernel sections: a step is milliseconds and the optimizer touches all weights.
        var to = o with { Reps = o.Quick ? 3 : 7, RepSeconds = o.Quick ? 0.1 : 0.4, WarmupSeconds = o.Quick ? 0.2 : 1.0 };
        foreach (var (name, hidden, batch) in Configs)
        {
            var ours = new double[threads.Length];
            var theirs = new double[threads.Length];
            var theirCfg = new string[threads.Length];
            for (int i = 0; i < threads.Length; i++)
            {
                KernelThreads.Count = threads[i];
                ours[i] = batch / Measure(hidden, batch, data, labels, to).Median;
                var r = TorchReference.Best(torchResults, "train", $"{name} b{batch}", threads[i], "median", higherIsBetter: true);
                theirs[i] = TorchReference.Get(r, "median");
                theirCfg[i] = TorchReference.Config(r);
            }
            KernelThreads.Count = saved;
            int bt = ArgMax(theirs);
            string best = double.IsNaN(theirs[bt]) ? "n/a" : $"{X(ours.Max() / theirs[bt])} (PyTorch best at {threads[bt]}T)";
            table.Add([name, batch.ToString(), .. ours.Select(v => F(v, 0)), .. theirs.Select((v, j) => F(v, 0) + theirCfg[j]), best,
                .. ours.Zip(theirs, (a, b) => X(a / b))]);
        }
        table.Print("MLP training (samples/s, higher is better)",
            $"ReLU MLP, Adam lr 1e-3, cross-entropy, {Samples} seeded random samples x {Features} features, {Classes} classes; one step = forward, loss, backward, Adam step, zero grad.",
            "Cells: median samples/s over repetitions of steady-state steps (warm-up excluded). NeuralSharp: one TensorScope per step, KernelThreads.Count = T.",
            TorchReference.ConfigLegend,
            torch.Note ?? "");
    }

    public static (float[] Data, int[] Labels) RandomData()
    {
        var rng = new Random(1234);
        var data = new float[Samples * Features];
        for (int i = 0; i < data.Length; i++) data[i] = (float)(rng.NextDouble() * 2 - 1);
        var labels = new int[Samples];
        for (int i = 0; i < labels.Length; i++) labels[i] = rng.Next(Classes);
        return (data, labels);
    }

    private static Timing Measure(int[] hidden, int batch, float[] data, int[] labels, BenchOptions o)
    {
        RandomSource.ManualSeed(0);
        var model = Mlp.Create(Features, hidden, Classes);
        var optimizer = new Adam(model.Parameters(), learningRate: 1e-3f);
        int batches = Samples / batch;
        // Batches are made once, outside the timed steps (PyTorch slices views of its data tensor).
        var inputs = new Tensor[batches];
        for (int i = 0; i < batches; i++) inputs[i] = Tensor.FromArray(data.AsSpan(i * batch * Features, batch * Features), batch, Features);
        int step = 0;
        var timing = Harness.Measure(() =>
        {
            int i = step++ % batches;
            using var scope = TensorScope.Begin();
            var loss = Functional.CrossEntropy(model.Forward(inputs[i]), labels.AsSpan(i * batch, batch));
            loss.Backward();
            optimizer.Step();
            optimizer.ZeroGrad();
        }, o);
        foreach (var t in inputs) t.Dispose();
        return timing;
    }

    private static int ArgMax(double[] v)
    {
        int best = 0;
        for (int i = 1; i < v.Length; i++) if (double.IsNaN(v[best]) || v[i] > v[best]) best = i;
        return best;
    }
}
