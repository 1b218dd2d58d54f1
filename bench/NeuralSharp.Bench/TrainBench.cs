using NeuralSharp.Kernels;
using NeuralSharp.Nn;
using NeuralSharp.Optim;
using static NeuralSharp.Bench.MarkdownTable;

namespace NeuralSharp.Bench;

/// <summary>
/// Section "train": steady-state training samples/s of ReLU MLPs with Adam (lr 1e-3) and cross-entropy on
/// seeded random data, NeuralSharp vs PyTorch (bench/reference/mlp_torch.py --serve, same models, same data sizes),
/// measured in interleaved rounds.
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

    /// <summary>Rounds per cell: each measures PyTorch's thread combinations, then ours (full run; 2 with --quick).</summary>
    public const int Rounds = 5;

    public static void Run(BenchOptions o, int[] threads, TorchReference torch)
    {
        using var session = torch.StartSession();
        var (data, labels) = RandomData();
        var table = new MarkdownTable(["model", "batch",
            .. threads.Select(t => $"NeuralSharp {t}T"), .. threads.Select(t => $"PyTorch {t}T"),
            "best ours / best PyTorch", .. threads.Select(t => $"ours / PyTorch at {t}T")]);
        int saved = KernelThreads.Count;
        // A step is milliseconds and the optimizer touches all weights: repetitions of 400 ms, 3 per round, and a long
        // warm-up in the first round only (later rounds continue the same training runs, on both sides).
        int rounds = o.Quick ? 2 : Rounds;
        var first = o with { Reps = o.Quick ? 2 : 3, RepSeconds = o.Quick ? 0.1 : 0.4, WarmupSeconds = o.Quick ? 0.2 : 1.0 };
        var later = first with { WarmupSeconds = 0.1 };
        foreach (var (name, hidden, batch) in Configs)
        {
            var ours = new double[threads.Length];
            var theirs = new double[threads.Length];
            var theirCfg = new string[threads.Length];
            for (int i = 0; i < threads.Length; i++)
            {
                var combos = session?.Combos.Where(c => c.Threads == threads[i]).ToArray() ?? [];
                var theirTimes = combos.Select(_ => new List<double>()).ToArray();
                var ourTimes = new List<double>();
                using var run = new TrainRun(hidden, batch, data, labels);
                for (int round = 0; round < rounds; round++)
                {
                    var ro = round == 0 ? first : later;
                    for (int c = 0; c < combos.Length; c++)
                        theirTimes[c].AddRange(session!.Train(name, hidden, batch, combos[c].TorchThreads, combos[c].BlasThreads,
                            ro.Reps, ro.RepSeconds, ro.WarmupSeconds));
                    KernelThreads.Count = threads[i];
                    Harness.Settle(o.Quick); // OpenBLAS's idle workers in the script spin for a while before sleeping
                    ourTimes.AddRange(Harness.MeasureTimes(run.Step, ro));
                    KernelThreads.Count = saved;
                }
                ours[i] = batch / Harness.Median([.. ourTimes]);
                int best = Harness.IndexOfLowestMedian(theirTimes);
                theirs[i] = best < 0 ? double.NaN : batch / Harness.Median([.. theirTimes[best]]);
                theirCfg[i] = best < 0 ? "" : TorchSession.Config(combos[best]);
            }
            int bt = ArgMax(theirs);
            string bestCell = double.IsNaN(theirs[bt]) ? "n/a" : $"{X(ours.Max() / theirs[bt])} (PyTorch best at {threads[bt]}T)";
            table.Add([name, batch.ToString(), .. ours.Select(v => F(v, 0)), .. theirs.Select((v, j) => F(v, 0) + theirCfg[j]), bestCell,
                .. ours.Zip(theirs, (a, b) => X(a / b))]);
        }
        table.Print("MLP training (samples/s, higher is better)",
            $"ReLU MLP, Adam lr 1e-3, cross-entropy, {Samples} seeded random samples x {Features} features, {Classes} classes; one step = forward, loss, backward, Adam step, zero grad.",
            $"Cells: median samples/s over {rounds} x {first.Reps} repetitions of ~{first.RepSeconds * 1000:0} ms of steady-state steps (warm-up excluded), " +
            $"in {rounds} interleaved rounds: each round times PyTorch's thread combinations, then NeuralSharp, so both see the same machine state. " +
            "NeuralSharp: one TensorScope per step, KernelThreads.Count = T.",
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

    /// <summary>A seeded model, its Adam optimizer and the batches of one configuration; <see cref="Step"/> trains on the next batch.</summary>
    private sealed class TrainRun : IDisposable
    {
        private readonly Sequential _model;
        private readonly Adam _optimizer;
        private readonly Tensor[] _inputs;
        private readonly int[] _labels;
        private readonly int _batch;
        private int _step;

        public TrainRun(int[] hidden, int batch, float[] data, int[] labels)
        {
            RandomSource.ManualSeed(0);
            _model = Mlp.Create(Features, hidden, Classes);
            _optimizer = new Adam(_model.Parameters(), learningRate: 1e-3f);
            (_labels, _batch) = (labels, batch);
            // Batches are made once, outside the timed steps (PyTorch slices views of its data tensor).
            _inputs = new Tensor[Samples / batch];
            for (int i = 0; i < _inputs.Length; i++)
                _inputs[i] = Tensor.FromArray(data.AsSpan(i * batch * Features, batch * Features), batch, Features);
        }

        public void Step()
        {
            int i = _step++ % _inputs.Length;
            using var scope = TensorScope.Begin();
            var loss = Functional.CrossEntropy(_model.Forward(_inputs[i]), _labels.AsSpan(i * _batch, _batch));
            loss.Backward();
            _optimizer.Step();
            _optimizer.ZeroGrad();
        }

        public void Dispose()
        {
            foreach (var t in _inputs) t.Dispose();
        }
    }

    private static int ArgMax(double[] v)
    {
        int best = 0;
        for (int i = 1; i < v.Length; i++) if (double.IsNaN(v[best]) || v[i] > v[best]) best = i;
        return best;
    }
}
