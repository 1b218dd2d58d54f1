using NeuralSharp.Kernels;
using static NeuralSharp.Bench.MarkdownTable;

namespace NeuralSharp.Bench;

/// <summary>Section "sgemm": GFLOP/s of Gemm.Sgemm vs OpenBLAS cblas_sgemm vs the FMA peak, on 1 and 2 threads.</summary>
internal static class SgemmBench
{
    private sealed record Shape(string Name, bool TransA, bool TransB, int M, int N, int K, float Beta);

    // The 784-1024-1024-10 MLP at batch 128, as Functional.Linear calls Sgemm:
    // forward Z[B,Out] = X[B,In] W[Out,In]^T (NT); backward dX[B,In] += dZ[B,Out] W[Out,In] (NN) and
    // dW[Out,In] += dZ[B,Out]^T X[B,In] (TN). The first layer's dX is not needed (the input has no gradient).
    private static IEnumerable<Shape> Shapes(bool quick)
    {
        foreach (int n in quick ? new[] { 128, 512, 1024 } : new[] { 128, 256, 512, 1024, 2048 })
            yield return new Shape($"square {n}", false, false, n, n, n, 0f);
        yield return new Shape("MLP fwd L1 (NT)", false, true, 128, 1024, 784, 0f);
        yield return new Shape("MLP fwd L2 (NT)", false, true, 128, 1024, 1024, 0f);
        yield return new Shape("MLP fwd L3 (NT)", false, true, 128, 10, 1024, 0f);
        yield return new Shape("MLP dX L3 (NN)", false, false, 128, 1024, 10, 1f);
        yield return new Shape("MLP dX L2 (NN)", false, false, 128, 1024, 1024, 1f);
        yield return new Shape("MLP dW L3 (TN)", true, false, 10, 1024, 128, 1f);
        yield return new Shape("MLP dW L2 (TN)", true, false, 1024, 1024, 128, 1f);
        yield return new Shape("MLP dW L1 (TN)", true, false, 1024, 784, 128, 1f);
    }

    public static void Run(BenchOptions o, int[] threads, double peakPerCore)
    {
        bool blas = OpenBlas.Available;
        string blasInfo = blas ? $"OpenBLAS core: {OpenBlas.CoreName} ({OpenBlas.Config})" : $"OpenBLAS missing ({OpenBlas.Error}); column skipped. Install: apt-get install -y libopenblas0-pthread";
        var table = blas
            ? new MarkdownTable("shape", "M x N x K", "threads", "NeuralSharp GFLOP/s", "OpenBLAS GFLOP/s", "ours / OpenBLAS", "ours / peak")
            : new MarkdownTable("shape", "M x N x K", "threads", "NeuralSharp GFLOP/s", "ours / peak");
        int saved = KernelThreads.Count;
        var rng = new Random(1234);
        var mismatches = new List<string>();
        foreach (var s in Shapes(o.Quick))
        {
            int lda = s.TransA ? s.M : s.K, ldb = s.TransB ? s.K : s.N, ldc = s.N;
            var a = Rand(rng, s.M * s.K);
            var b = Rand(rng, s.K * s.N);
            var c = new float[s.M * s.N];
            double flop = 2.0 * s.M * s.N * s.K;
            var ours = new Dictionary<int, Timing>();
            foreach (int t in threads)
            {
                KernelThreads.Count = t;
                ours[t] = Harness.Measure(() => Gemm.Sgemm(s.TransA, s.TransB, s.M, s.N, s.K, 1f, a, lda, b, ldb, s.Beta, c, ldc), o);
            }
            KernelThreads.Count = saved;
            var theirs = new Dictionary<int, Timing>();
            if (blas)
            {
                // Same work on both sides: the two results of one beta = 0 product must agree.
                var c1 = new float[c.Length];
                var c2 = new float[c.Length];
                Gemm.Sgemm(s.TransA, s.TransB, s.M, s.N, s.K, 1f, a, lda, b, ldb, 0f, c1, ldc);
                OpenBlas.Sgemm(s.TransA, s.TransB, s.M, s.N, s.K, 1f, a, lda, b, ldb, 0f, c2, ldc);
                double diff = 0, scale = 0;
                for (int i = 0; i < c1.Length; i++) { diff = Math.Max(diff, Math.Abs(c1[i] - c2[i])); scale = Math.Max(scale, Math.Abs(c2[i])); }
                if (diff > 1e-4 * Math.Max(scale, 1)) mismatches.Add($"{s.Name}: max |ours - OpenBLAS| = {diff:g3} (max |C| = {scale:g3})");
                Harness.Settle(o.Quick);
                foreach (int t in threads)
                {
                    OpenBlas.Threads = t;
                    theirs[t] = Harness.Measure(() => OpenBlas.Sgemm(s.TransA, s.TransB, s.M, s.N, s.K, 1f, a, lda, b, ldb, s.Beta, c, ldc), o);
                }
                OpenBlas.Threads = 1;
                Harness.Settle(o.Quick);
            }
            foreach (int t in threads)
            {
                var (om, ob) = ours[t].Rate(flop / 1e9);
                string dims = $"{s.M} x {s.N} x {s.K}";
                string oursCell = $"{F(om)} ({F(ob)})";
                string peakCell = Pct(om / (peakPerCore * t));
                if (blas)
                {
                    var (bm, bb) = theirs[t].Rate(flop / 1e9);
                    table.Add(s.Name, dims, t.ToString(), oursCell, $"{F(bm)} ({F(bb)})", X(om / bm), peakCell);
                }
                else table.Add(s.Name, dims, t.ToString(), oursCell, peakCell);
            }
        }
        table.Print("SGEMM (GFLOP/s, higher is better)",
            "Row-major C = op(A) op(B) (+ C for the backward shapes). Cells: median (best) GFLOP/s over repetitions; ratios at the median.",
            $"Peak: {peakPerCore:0} GFLOP/s per core (one core's AVX-512 FMA peak) x threads. {blasInfo}.");
        foreach (var m in mismatches) Console.WriteLine($"WARNING: results differ, {m}");
    }

    private static float[] Rand(Random rng, int n)
    {
        var x = new float[n];
        for (int i = 0; i < n; i++) x[i] = (float)(rng.NextDouble() * 2 - 1);
        return x;
    }
}
