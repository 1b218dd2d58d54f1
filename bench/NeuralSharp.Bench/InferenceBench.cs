using NeuralSharp.Kernels;
using NeuralSharp.Nn;
using static NeuralSharp.Bench.MarkdownTable;

namespace NeuralSharp.Bench;

/// <summary>
/// Section "infer": the 784-1024-1024-10 ReLU MLP's batch-1 latency and batch-256 throughput,
/// NeuralSharp (GradMode.NoGrad + a TensorScope per call) vs PyTorch (torch.inference_mode, mlp_torch.py --serve),
/// measured in interleaved rounds.
/// </summary>
internal static class InferenceBench
{
    public const string Name = "784-1024-1024-10";
    public const int ThroughputBatch = 256;

    /// <summary>Rounds per thread count: each measures PyTorch's thread combinations, then ours (full run; 2 with --quick).</summary>
    public const int Rounds = 5;

    public static void Run(BenchOptions o, int[] threads, TorchReference torch)
    {
        using var session = torch.StartSession();
        RandomSource.ManualSeed(0);
        var model = Mlp.Create(TrainBench.Features, [1024, 1024], TrainBench.Classes);
        model.Eval();
        var (data, _) = TrainBench.RandomData();
        using var one = Tensor.FromArray(data.AsSpan(0, TrainBench.Features), 1, TrainBench.Features);
        using var many = Tensor.FromArray(data.AsSpan(0, ThroughputBatch * TrainBench.Features), ThroughputBatch, TrainBench.Features);
        Action forward1 = () => Forward(model, one);
        Action forwardN = () => Forward(model, many);

        var table = new MarkdownTable("measure", "threads", "NeuralSharp", "PyTorch", "speed-up (ours vs PyTorch)");
        int saved = KernelThreads.Count;
        int rounds = o.Quick ? 2 : Rounds, calls = (o.Quick ? 300 : 3000) / rounds;
        // Per round: `calls` timed batch-1 calls, then 3 repetitions of ~250 ms of batch-256 calls; warm-up in the first round only.
        var first = o with { Reps = o.Quick ? 2 : 3, RepSeconds = o.Quick ? 0.05 : 0.25 };
        var later = first with { WarmupSeconds = 0.1 };
        var lat = new List<(int T, double Ours, double OursMin, double Theirs, double TheirsMin, string Cfg)>();
        var thr = new List<(int T, double Ours, double Theirs, string Cfg)>();
        foreach (int t in threads)
        {
            var combos = session?.Combos.Where(c => c.Threads == t).ToArray() ?? [];
            var theirLat = combos.Select(_ => new List<double>()).ToArray();
            var theirThr = combos.Select(_ => new List<double>()).ToArray();
            var ourLat = new List<double>();
            var ourThr = new List<double>();
            for (int round = 0; round < rounds; round++)
            {
                var ro = round == 0 ? first : later;
                for (int c = 0; c < combos.Length; c++)
                {
                    var (latency, batch) = session!.Infer(combos[c].TorchThreads, combos[c].BlasThreads, calls, ro.Reps, ro.RepSeconds, ro.WarmupSeconds);
                    theirLat[c].AddRange(latency);
                    theirThr[c].AddRange(batch);
                }
                KernelThreads.Count = t;
                Harness.Settle(o.Quick); // OpenBLAS's idle workers in the script spin for a while before sleeping
                ourLat.AddRange(Harness.EachCallTimes(forward1, calls, ro.WarmupSeconds).Select(s => s * 1e6));
                ourThr.AddRange(Harness.MeasureTimes(forwardN, ro));
                KernelThreads.Count = saved;
            }
            int bl = Harness.IndexOfLowestMedian(theirLat), bt = Harness.IndexOfLowestMedian(theirThr);
            lat.Add((t, Harness.Median([.. ourLat]), ourLat.Min(),
                bl < 0 ? double.NaN : Harness.Median([.. theirLat[bl]]), bl < 0 ? double.NaN : theirLat[bl].Min(),
                bl < 0 ? "" : TorchSession.Config(combos[bl])));
            thr.Add((t, ThroughputBatch / Harness.Median([.. ourThr]),
                bt < 0 ? double.NaN : ThroughputBatch / Harness.Median([.. theirThr[bt]]), bt < 0 ? "" : TorchSession.Config(combos[bt])));
        }
        foreach (var r in lat)
            table.Add("batch-1 latency, µs: median (min)", r.T.ToString(), $"{F(r.Ours)} ({F(r.OursMin)})", $"{F(r.Theirs)} ({F(r.TheirsMin)}){r.Cfg}", X(r.Theirs / r.Ours));
        var blt = lat.MinBy(r => r.Ours);
        var tbl = lat.Where(r => !double.IsNaN(r.Theirs)).DefaultIfEmpty(lat[0]).MinBy(r => r.Theirs);
        table.Add("batch-1 latency, best thread count", double.IsNaN(tbl.Theirs) ? $"{blt.T}T" : $"{blt.T}T vs {tbl.T}T", F(blt.Ours), F(tbl.Theirs) + tbl.Cfg, X(tbl.Theirs / blt.Ours));
        foreach (var r in thr)
            table.Add($"batch-{ThroughputBatch} throughput, samples/s", r.T.ToString(), F(r.Ours, 0), F(r.Theirs, 0) + r.Cfg, X(r.Ours / r.Theirs));
        var btt = thr.MaxBy(r => r.Ours);
        var tbt = thr.Where(r => !double.IsNaN(r.Theirs)).DefaultIfEmpty(thr[0]).MaxBy(r => r.Theirs);
        table.Add($"batch-{ThroughputBatch} throughput, best thread count", double.IsNaN(tbt.Theirs) ? $"{btt.T}T" : $"{btt.T}T vs {tbt.T}T", F(btt.Ours, 0), F(tbt.Theirs, 0) + tbt.Cfg, X(btt.Ours / tbt.Theirs));
        table.Print($"Inference, {Name} ReLU MLP",
            $"Latency: each call timed separately, median (min) over {rounds} x {calls} calls. Throughput: median samples/s over {rounds} x {first.Reps} " +
            $"repetitions of ~{first.RepSeconds * 1000:0} ms. Both sides in {rounds} interleaved rounds (PyTorch's thread combinations, then NeuralSharp), warm-up in the first.",
            "NeuralSharp: GradMode.NoGrad() + TensorScope per call, KernelThreads.Count = T. PyTorch: torch.inference_mode().",
            TorchReference.ConfigLegend,
            "Speed-up > 1 means NeuralSharp is faster (PyTorch time / ours).",
            torch.Note ?? "");
    }

    private static void Forward(Module model, Tensor input)
    {
        using var noGrad = GradMode.NoGrad();
        using var scope = TensorScope.Begin();
        model.Forward(input);
    }
}
