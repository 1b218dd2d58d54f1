using NeuralSharp.Kernels;
using NeuralSharp.Nn;
using static NeuralSharp.Bench.MarkdownTable;

namespace NeuralSharp.Bench;

/// <summary>
/// Section "blocks": inference cost of the sparse feed-forward blocks (eval mode, GradMode.NoGrad + a TensorScope per
/// call). MixtureOfExperts(256, 1024, E = 8, k = 1, 2) vs its parts (one expert on all tokens, the router) and vs the
/// dense computation of all 8 experts on all tokens, each with plain weights and with the inference cache (packed weights); FastFeedForward(256, leafHidden 64) of depth 1..8 vs a dense
/// FeedForward of the same total leaf width 2^d · 64. Batch 256 (time per batch) and batch 1 (latency).
/// NeuralSharp only: no reference framework has these blocks.
/// </summary>
internal static class BlocksBench
{
    private const int Dim = 256, Hidden = 1024, Experts = 8, LeafHidden = 64, MaxDepth = 8, Batch = 256;

    public static void Run(BenchOptions o, int[] threads)
    {
        RandomSource.ManualSeed(0);
        var random = new RandomSource(1234);
        using var xN = Tensor.Normal(random, 0f, 1f, Batch, Dim).ExcludeFromScope();
        using var x1 = Tensor.Normal(random, 0f, 1f, 1, Dim).ExcludeFromScope();
        int saved = KernelThreads.Count;
        try
        {
            RunMixture(o, threads, xN, x1);
            RunFastFeedForward(o, threads, xN, x1);
        }
        finally { KernelThreads.Count = saved; }
    }

    private static void RunMixture(BenchOptions o, int[] threads, Tensor xN, Tensor x1)
    {
        var init = new RandomSource(7);
        var expert = Eval(new FeedForward(Dim, Hidden, random: init));
        var dense = Enumerable.Range(0, Experts).Select(_ => Eval(new FeedForward(Dim, Hidden, random: init))).ToArray();
        // No capacity limit: every token gets its k experts, so the expert work is exactly N · k rows (nothing dropped).
        var moe1 = Eval(new MixtureOfExperts(Dim, Hidden, Experts, topK: 1, capacityFactor: null, random: init));
        var moe2 = Eval(new MixtureOfExperts(Dim, Hidden, Experts, topK: 2, capacityFactor: null, random: init));
        var router = moe1.Router;
        // Twins with the same weights and the inference cache on (Linear.PrepareAllForInference: packed weights).
        var expertP = Packed(expert, () => new FeedForward(Dim, Hidden, random: new RandomSource(0)));
        var denseP = dense.Select(d => Packed(d, () => new FeedForward(Dim, Hidden, random: new RandomSource(0)))).ToArray();
        var moe1P = Packed(moe1, () => new MixtureOfExperts(Dim, Hidden, Experts, topK: 1, capacityFactor: null, random: new RandomSource(0)));
        var moe2P = Packed(moe2, () => new MixtureOfExperts(Dim, Hidden, Experts, topK: 2, capacityFactor: null, random: new RandomSource(0)));
        var routerP = moe1P.Router;

        var table = new MarkdownTable("computation", "weights", "batch", "threads", "µs per batch: median (min)",
            "min / (one expert + router)", "min / dense 8 experts", "tokens per expert (min..max)");
        foreach (int batch in new[] { Batch, 1 })
        {
            var x = batch == 1 ? x1 : xN;
            // The ideal k=1 expert work: each expert on its own contiguous 1/E of the rows (no routing, gather or scatter).
            int rows = batch / Experts;
            var slices = Enumerable.Range(0, rows > 0 ? Experts : 0)
                .Select(i => Tensor.FromArray(x.Data.Slice(i * rows * Dim, rows * Dim), rows, Dim).ExcludeFromScope()).ToArray();
            foreach (int t in threads)
            {
                KernelThreads.Count = t;
                // Both variants in one round-robin: the packed rows are an A/B against the plain ones under the same load.
                var r = Time(batch, o, perCall: true,
                    () => Forward(expert, x), () => Route(router, x), () => { foreach (var e in dense) Forward(e, x); },
                    () => Forward(moe1, x), () => Forward(moe2, x), () => { foreach (var (e, s) in dense.Zip(slices)) Forward(e, s); },
                    () => Forward(expertP, x), () => Route(routerP, x), () => { foreach (var e in denseP) Forward(e, x); },
                    () => Forward(moe1P, x), () => Forward(moe2P, x), () => { foreach (var (e, s) in denseP.Zip(slices)) Forward(e, s); });
                string b = batch.ToString(), ts = t.ToString();
                foreach (var (variant, off, m1m, m2m) in new[] { ("plain", 0, moe1, moe2), ("packed", 6, moe1P, moe2P) })
                {
                    var (one, rt, all, m1, m2, split) = (r[off], r[off + 1], r[off + 2], r[off + 3], r[off + 4], r[off + 5]);
                    string c1 = Counts(m1m), c2 = Counts(m2m);
                    double parts = one.Min + rt.Min; // ratios of the minima: the medians of a loaded machine mostly measure the load
                    table.Add($"one expert FeedForward({Dim}, {Hidden}), all tokens", variant, b, ts, Us(one), "", X(one.Min / all.Min), "");
                    table.Add($"router: Linear({Dim}, {Experts}) + softmax + top-1", variant, b, ts, Us(rt), "", X(rt.Min / all.Min), "");
                    table.Add($"dense: {Experts} experts on all tokens", variant, b, ts, Us(all), X(all.Min / parts), "1.00x", "");
                    if (slices.Length > 0)
                        table.Add($"{Experts} experts on {rows} tokens each (ideal split)", variant, b, ts, Us(split), X(split.Min / parts), X(split.Min / all.Min), $"{rows}..{rows}");
                    table.Add($"MixtureOfExperts k=1 of {Experts}", variant, b, ts, Us(m1), X(m1.Min / parts), X(m1.Min / all.Min), c1);
                    table.Add($"MixtureOfExperts k=2 of {Experts}", variant, b, ts, Us(m2), X(m2.Min / parts), X(m2.Min / all.Min), c2);
                }
                var (p1, q1) = (r[3].Min / (r[0].Min + r[1].Min), r[9].Min / (r[6].Min + r[7].Min));
                Console.Error.WriteLine($"blocks: batch {batch}, {t} thread(s): MoE k=1 / (expert + router) plain {p1:F2}x, packed {q1:F2}x; " +
                    $"MoE k=1 packed / plain {r[9].Min / r[3].Min:F2}x, one expert packed / plain {r[6].Min / r[0].Min:F2}x");
            }
        }
        table.Print($"MixtureOfExperts(dim {Dim}, hidden {Hidden}, E = {Experts}) inference vs its parts",
            "Eval mode, GradMode.NoGrad() + TensorScope per call, KernelThreads.Count = threads; capacityFactor = null (no token dropped).",
            "Weights: plain = the weight is packed for the GEMM on every call; packed = twins with the same weights after " +
            "Linear.PrepareAllForInference (each Linear multiplies by a copy of its weight packed once; the router, 8 outputs, " +
            "and single rows keep the unpacked paths). Ratios of packed rows are to the packed one expert + router.",
            "All computations of a batch size (both variants) are timed interleaved (round-robin), so load changes on a shared machine hit them alike; " +
            "each call is timed separately: median (min) µs per call over the rounds; the ratios are of the minima (which approximate undisturbed calls on a loaded machine).",
            "Experts: FeedForward(256, 1024, gelu). Router row: the router's Linear + softmax + top-k, as MixtureOfExperts computes it. " +
            "Ideal split (batch 256 only): 8 experts each on its own contiguous 32 of the rows, i.e. k=1's expert products without routing, gather or scatter.",
            "Expected at batch 256: k=1 close to 1x of (one expert + router), since the experts share the N tokens (N·k expert rows in all), " +
            "k=2 close to 2x; both far below the dense 8-expert cost. At batch 1 the fixed per-call overhead (grouping, gather/scatter) weighs more.");
    }

    /// <summary>A twin of <paramref name="original"/> (same weights, eval mode) with the inference cache on.</summary>
    private static T Packed<T>(T original, Func<T> make) where T : Module
    {
        var twin = Eval(make());
        twin.LoadStateDict(original.StateDict());
        Linear.PrepareAllForInference(twin);
        return twin;
    }

    private static void RunFastFeedForward(BenchOptions o, int[] threads, Tensor xN, Tensor x1)
    {
        var table = new MarkdownTable("depth d", "leaves 2^d", "threads",
            $"FFF b{Batch}, µs/batch", $"dense b{Batch}, µs/batch", $"dense / FFF b{Batch}",
            "FFF b1, µs/sample", "dense b1, µs/sample", "dense / FFF b1", $"FFF b{Batch} / d=1", "FFF b1 / d=1");
        var baseN = new Dictionary<int, double>();
        var base1 = new Dictionary<int, double>();
        for (int d = 1; d <= MaxDepth; d++)
        {
            var init = new RandomSource((ulong)(100 + d));
            var fff = Eval(new FastFeedForward(Dim, d, LeafHidden, random: init));
            var dense = Eval(new FeedForward(Dim, (1 << d) * LeafHidden, random: init));
            foreach (int t in threads)
            {
                KernelThreads.Count = t;
                var rN = Time(Batch, o, () => Forward(fff, xN), () => Forward(dense, xN));
                var r1 = Time(1, o, () => Forward(fff, x1), () => Forward(dense, x1));
                var (fN, dN, f1, d1) = (rN[0], rN[1], r1[0], r1[1]);
                if (d == 1) { baseN[t] = fN.Median; base1[t] = f1.Median; }
                table.Add(d.ToString(), (1 << d).ToString(), t.ToString(), Us(fN), Us(dN), X(dN.Median / fN.Median),
                    Us(f1), Us(d1), X(d1.Median / f1.Median), X(fN.Median / baseN[t]), X(f1.Median / base1[t]));
            }
        }
        table.Print($"FastFeedForward(dim {Dim}, leafHidden {LeafHidden}) inference by depth vs a dense FeedForward of width 2^d · {LeafHidden}",
            "Eval mode (hard routing: a sample evaluates the d nodes on its path and one leaf), GradMode.NoGrad() + TensorScope per call.",
            $"Dense: FeedForward({Dim}, 2^d · {LeafHidden}, gelu), the same total leaf width (and the cost of FFF's soft, training-mode leaves).",
            $"FFF and dense are timed interleaved (round-robin). Batch {Batch}: median (min) µs per batch over repetitions; batch 1: each call timed separately, median (min) µs.",
            "Expected: FFF grows with d (d node dot products per sample; at batch 256 also the number of non-empty leaf groups, ≤ min(2^d, 256)), " +
            "dense grows with 2^d. The last two columns are FFF's time relative to depth 1 at the same thread count.",
            "Batch 1 is cold-cache for FFF: its calls alternate with the dense model's (32 MB of weights at d = 8), which evicts FFF's node " +
            "and leaf rows; timed alone (hot cache, the same leaf every call) FFF's batch-1 call stays at ~3 µs for every d.");
    }

    private static T Eval<T>(T module) where T : Module
    {
        module.Eval();
        return module;
    }

    private static void Forward(Module m, Tensor x)
    {
        using var noGrad = GradMode.NoGrad();
        using var scope = TensorScope.Begin();
        m.Forward(x);
    }

    /// <summary>The routing step of MixtureOfExperts on its own: router logits, softmax, top-k.</summary>
    private static void Route(Linear router, Tensor x)
    {
        using var noGrad = GradMode.NoGrad();
        using var scope = TensorScope.Begin();
        Functional.TopK(Functional.Softmax(router.Forward(x), -1), 1, out _);
    }

    /// <summary>
    /// Times several bodies interleaved, so that a change of machine load (this machine is shared) hits them alike and
    /// their ratios stay meaningful. Batch &gt; 1: after warm-up, each body gets its own iteration count (~RepSeconds a
    /// repetition), and every round runs one repetition of each body in turn; median and min per iteration over the
    /// rounds. Batch 1: one call of each body in turn, each call timed separately (as many rounds as fit in ~0.6 s per
    /// body, 200..3000); median and min per call.
    /// </summary>
    private static Timing[] Time(int batch, BenchOptions o, params Action[] bodies) => Time(batch, o, perCall: false, bodies);

    /// <summary>As <see cref="Time(int, BenchOptions, Action[])"/>; with <paramref name="perCall"/> every batch size is timed
    /// call by call (the batch-1 scheme), whose minimum approximates an undisturbed call on a heavily loaded machine.</summary>
    private static Timing[] Time(int batch, BenchOptions o, bool perCall, params Action[] bodies)
    {
        int n = bodies.Length;
        var once = new double[n];
        for (int b = 0; b < n; b++)
        {
            long start = System.Diagnostics.Stopwatch.GetTimestamp();
            once[b] = double.MaxValue;
            for (int calls = 0; calls < 3 || Harness.Seconds(start) < o.WarmupSeconds; calls++)
            {
                long t0 = System.Diagnostics.Stopwatch.GetTimestamp();
                bodies[b]();
                once[b] = Math.Min(once[b], Harness.Seconds(t0));
            }
        }
        var times = new double[n][];
        if (batch > 1 && !perCall)
        {
            var iters = once.Select(t => Math.Max(1, (int)Math.Ceiling(o.RepSeconds / Math.Max(t, 1e-9)))).ToArray();
            for (int b = 0; b < n; b++) times[b] = new double[o.Reps];
            for (int r = 0; r < o.Reps; r++)
                for (int b = 0; b < n; b++)
                {
                    long t0 = System.Diagnostics.Stopwatch.GetTimestamp();
                    for (int i = 0; i < iters[b]; i++) bodies[b]();
                    times[b][r] = Harness.Seconds(t0) / iters[b];
                }
            return Enumerable.Range(0, n).Select(b => new Timing(Harness.Median(times[b]), times[b].Min(), o.Reps, iters[b])).ToArray();
        }
        int rounds = Math.Clamp((int)((o.Quick ? 0.1 : 0.6) * n / Math.Max(once.Sum(), 1e-6)), o.Quick ? 50 : 200, o.Quick ? 500 : 3000);
        for (int b = 0; b < n; b++) times[b] = new double[rounds];
        for (int r = 0; r < rounds; r++)
            for (int b = 0; b < n; b++)
            {
                long t0 = System.Diagnostics.Stopwatch.GetTimestamp();
                bodies[b]();
                times[b][r] = Harness.Seconds(t0);
            }
        return Enumerable.Range(0, n).Select(b => new Timing(Harness.Median(times[b]), times[b].Min(), rounds, 1)).ToArray();
    }

    private static string Us(Timing t) => $"{F(t.Median * 1e6)} ({F(t.Min * 1e6)})";

    private static string Counts(MixtureOfExperts m) =>
        m.LastExpertTokenCounts.Length == 0 ? "" : $"{m.LastExpertTokenCounts.Min()}..{m.LastExpertTokenCounts.Max()}";
}
