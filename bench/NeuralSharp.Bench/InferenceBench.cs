using NeuralSharp.Kernels;
using NeuralSharp.Nn;
using static NeuralSharp.Bench.MarkdownTable;

namespace NeuralSharp.Bench;

/// <summary>
/// Section "infer": the 784-1024-1024-10 ReLU MLP's batch-1 latency and batch-256 throughput,
/// NeuralSharp (GradMode.NoGrad + a TensorScope per call) vs PyTorch (torch.inference_mode).
/// </summary>
internal static class InferenceBench
{
    public const string Name = "784-1024-1024-10";
    public const int ThroughputBatch = 256;

    public static void Run(BenchOptions o, int[] threads, TorchReference torch)
    {
        var torchResults = torch.Run("infer");
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
        int calls = o.Quick ? 300 : 3000;
        var lat = new List<(int T, double Ours, double OursMin, double Theirs, double TheirsMin, string Cfg)>();
        var thr = new List<(int T, double Ours, double Theirs, string Cfg)>();
        foreach (int t in threads)
        {
            KernelThreads.Count = t;
            var l = Harness.MeasureEachCall(forward1, calls, o.WarmupSeconds);
            var tl = TorchReference.Best(torchResults, "latency", $"{Name} b1", t, "median_us", higherIsBetter: false);
            lat.Add((t, l.Median * 1e6, l.Min * 1e6, TorchReference.Get(tl, "median_us"), TorchReference.Get(tl, "min_us"), TorchReference.Config(tl)));
            var h = Harness.Measure(forwardN, o with { RepSeconds = o.Quick ? 0.05 : 0.25 });
            var th = TorchReference.Best(torchResults, "throughput", $"{Name} b{ThroughputBatch}", t, "median", higherIsBetter: true);
            thr.Add((t, ThroughputBatch / h.Median, TorchReference.Get(th, "median"), TorchReference.Config(th)));
        }
        KernelThreads.Count = saved;
        foreach (var r in lat)
            table.Add("batch-1 latency, µs: median (min)", r.T.ToString(), $"{F(r.Ours)} ({F(r.OursMin)})", $"{F(r.Theirs)} ({F(r.TheirsMin)}){r.Cfg}", X(r.Theirs / r.Ours));
        var bl = lat.MinBy(r => r.Ours);
        var tbl = lat.Where(r => !double.IsNaN(r.Theirs)).DefaultIfEmpty(lat[0]).MinBy(r => r.Theirs);
        table.Add("batch-1 latency, best thread count", double.IsNaN(tbl.Theirs) ? $"{bl.T}T" : $"{bl.T}T vs {tbl.T}T", F(bl.Ours), F(tbl.Theirs) + tbl.Cfg, X(tbl.Theirs / bl.Ours));
        foreach (var r in thr)
            table.Add($"batch-{ThroughputBatch} throughput, samples/s", r.T.ToString(), F(r.Ours, 0), F(r.Theirs, 0) + r.Cfg, X(r.Ours / r.Theirs));
        var bt = thr.MaxBy(r => r.Ours);
        var tbt = thr.Where(r => !double.IsNaN(r.Theirs)).DefaultIfEmpty(thr[0]).MaxBy(r => r.Theirs);
        table.Add($"batch-{ThroughputBatch} throughput, best thread count", double.IsNaN(tbt.Theirs) ? $"{bt.T}T" : $"{bt.T}T vs {tbt.T}T", F(bt.Ours, 0), F(tbt.Theirs, 0) + tbt.Cfg, X(bt.Ours / tbt.Theirs));
        table.Print($"Inference, {Name} ReLU MLP",
            "Latency: each call timed separately, median (min) over " + calls + " calls after warm-up. Throughput: median samples/s over repetitions.",
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
