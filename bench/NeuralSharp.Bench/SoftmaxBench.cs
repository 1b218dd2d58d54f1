using static NeuralSharp.Bench.MarkdownTable;
using K = NeuralSharp.Kernels;

namespace NeuralSharp.Bench;

/// <summary>
/// Section "softmax": memory throughput of the softmax, log-softmax and fused cross-entropy kernels (contiguous
/// rows) against a plain copy of the same bytes on the same number of threads, in cache and out of cache.
/// </summary>
internal static class SoftmaxBench
{
    private const long InCacheBytes = 64L << 10, OutOfCacheBytes = 256L << 20;

    public static void Run(BenchOptions o, int[] threads)
    {
        int maxN = (int)(OutOfCacheBytes / sizeof(float));
        // One set of buffers for the largest case; smaller cases use their prefixes. 64-byte aligned, as the data of
        // NeuralSharp's tensors is: arrays' data is only 16-byte aligned, and then every vector of a row straddles
        // two cache lines (softmax over rows of 4096 out of cache ran 4-6% slower so; the copy did not care).
        Memory<float> x = Aligned(maxN), y = Aligned(maxN), d = Aligned(maxN);
        ulong s = 0x9E3779B97F4A7C15;
        var xw = x.Span;
        for (int i = 0; i < maxN; i++)
        {
            s ^= s << 13; s ^= s >> 7; s ^= s << 17;
            xw[i] = (s >> 40) * (8f / (1 << 24)) - 4f; // uniform in [-4, 4)
        }
        y.Span.Clear();
        d.Span.Clear();
        var table = new MarkdownTable("kernel", "row (floats)", "data (input)", "threads", "GB/s", "copy GB/s", "ratio to copy");
        int saved = K.KernelThreads.Count;
        // In cache the kernels stay on one thread (below Softmax's split threshold); out of cache they split rows.
        foreach (var (bytes, t) in new[] { (InCacheBytes, 1) }.Concat(threads.Select(t => (OutOfCacheBytes, t))))
        {
            K.KernelThreads.Count = t;
            foreach (int dim in new[] { 1024, 4096 })
            {
                int n = (int)(bytes / sizeof(float)), rows = n / dim;
                var targets = new int[rows];
                var rng = new Random(1234);
                for (int i = 0; i < rows; i++) targets[i] = rng.Next(dim);
                var xs = x[..n];
                var ys = y[..n];
                var ds = d[..n];
                double io = 2.0 * n * sizeof(float); // read x, write y
                var ob = o.Quick ? o : o with { Reps = 7 };
                // Forward reads logits and writes log-probs; backward reads log-probs and accumulates into dLogits
                // (read + write); targets are read twice.
                double ceIo = 5.0 * n * sizeof(float) + 2.0 * rows * sizeof(int);
                float scale = 1f / rows;
                // Interleaved repetitions: the copy and the kernels see the same machine state, so the ratios hold
                // even when memory bandwidth drifts between seconds (it does on this shared VM).
                var timings = Harness.MeasureInterleaved(
                [
                    () => ParallelCopy(xs, ys, t),
                    () => K.Softmax.Forward(xs.Span, ys.Span, rows, dim, 1),
                    () => K.Softmax.LogForward(xs.Span, ys.Span, rows, dim, 1),
                    () =>
                    {
                        K.CrossEntropy.Forward(xs.Span, targets, default, 0f, -100, ys.Span, rows, dim);
                        K.CrossEntropy.Backward(ys.Span, targets, default, 0f, -100, scale, ds.Span, rows, dim);
                    },
                ], ob);
                var copy = timings[0].Rate(io / 1e9);
                var soft = timings[1].Rate(io / 1e9);
                var log = timings[2].Rate(io / 1e9);
                var ce = timings[3].Rate(ceIo / 1e9);
                string size = bytes >= 1 << 20 ? $"{bytes >> 20} MiB" : $"{bytes >> 10} KiB";
                string th = t.ToString();
                table.Add("copy (Span.CopyTo)", dim.ToString(), size, th, Cell(copy), Cell(copy), X(1));
                table.Add("Softmax.Forward", dim.ToString(), size, th, Cell(soft), Cell(copy), X(soft.Median / copy.Median));
                table.Add("Softmax.LogForward", dim.ToString(), size, th, Cell(log), Cell(copy), X(log.Median / copy.Median));
                table.Add("CrossEntropy fwd+bwd", dim.ToString(), size, th, Cell(ce), Cell(copy), X(ce.Median / copy.Median));
            }
        }
        K.KernelThreads.Count = saved;
        table.Print("Softmax and cross-entropy kernels (GB/s, higher is better)",
            "Contiguous rows (inner = 1) in 64-byte aligned buffers (as tensors are), KernelThreads.Count = threads; the copy is split into as many blocks copied in parallel. Softmax, log-softmax and",
            "cross-entropy split rows across threads from 2^18 floats. The four rows of a block are timed with their repetitions interleaved. GB/s = (bytes read + bytes written) / time, median (best). Softmax, log-softmax and copy move 2 x 4 bytes per float;",
            "cross-entropy forward+backward (no weights, no smoothing) moves 5 x 4 bytes per float (logits in, log-probs out, log-probs in, dLogits in and out). 64 KiB fits in L2; 256 MiB is far beyond L3.");
    }

    /// <summary>x copied to y in <paramref name="threads"/> contiguous blocks, one per kernel thread.</summary>
    private static void ParallelCopy(Memory<float> x, Memory<float> y, int threads)
    {
        if (threads == 1) { x.Span.CopyTo(y.Span); return; }
        K.KernelThreads.For(threads, i =>
        {
            int a = (int)((long)x.Length * i / threads), b = (int)((long)x.Length * (i + 1) / threads);
            x.Span[a..b].CopyTo(y.Span[a..b]);
        });
    }

    /// <summary>n floats in a pinned (so never moved) array, from its first 64-byte aligned element.</summary>
    private static unsafe Memory<float> Aligned(int n)
    {
        var a = GC.AllocateUninitializedArray<float>(n + 64 / sizeof(float), pinned: true);
        fixed (float* p = a)
            return a.AsMemory((int)((64 - ((nint)p & 63)) & 63) / sizeof(float), n);
    }

    private static string Cell((double Median, double Best) r) => $"{F(r.Median)} ({F(r.Best)})";
}
