// NeuralSharp benchmarks: our kernels and models vs OpenBLAS and PyTorch, in one run on one machine.
// Usage: NeuralSharp.Bench [sgemm] [train] [infer] [softmax] [blocks] [onnx] [--quick] [--threads 1,2] [--peak 225]
//                          [--python /usr/bin/python3] [--torch-script bench/reference/mlp_torch.py] [--no-torch]
// Prints one Markdown table per section. No section asserts anything about speed.
using System.Globalization;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using NeuralSharp.Bench;
using NeuralSharp.Kernels;

var sections = new List<string>();
bool quick = false, noTorch = false;
int[] threads = [1, 2];
double peak = 225;
string python = "/usr/bin/python3";
string? script = null;
for (int i = 0; i < args.Length; i++)
{
    string a = args[i];
    string Next() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{a} needs a value");
    switch (a)
    {
        case "--quick": quick = true; break;
        case "--no-torch": noTorch = true; break;
        case "--threads": threads = Next().Split(',').Select(int.Parse).ToArray(); break;
        case "--peak": peak = double.Parse(Next(), CultureInfo.InvariantCulture); break;
        case "--python": python = Next(); break;
        case "--torch-script": script = Next(); break;
        case "-h" or "--help":
            Console.WriteLine("NeuralSharp.Bench [sgemm] [train] [infer] [softmax] [blocks] [onnx] [--quick] [--threads 1,2] [--peak GFLOPS] [--python PATH] [--torch-script PATH] [--no-torch]");
            return 0;
        case "all": sections.AddRange(["sgemm", "train", "infer", "softmax", "blocks", "onnx"]); break;
        case "sgemm" or "train" or "infer" or "softmax" or "blocks" or "onnx": sections.Add(a); break;
        default: Console.Error.WriteLine($"unknown argument '{a}' (try --help)"); return 2;
    }
}
if (sections.Count == 0) sections.AddRange(["sgemm", "train", "infer", "softmax", "blocks", "onnx"]);
script ??= FindScript();
var options = quick ? BenchOptions.QuickRun : BenchOptions.Full;
var torch = new TorchReference(python, script ?? "bench/reference/mlp_torch.py", threads, enabled: !noTorch);

Console.WriteLine($"NeuralSharp.Bench: {RuntimeInformation.FrameworkDescription}, {RuntimeInformation.OSDescription}, " +
    $"{Environment.ProcessorCount} logical CPUs, Vector512 {(Vector512.IsHardwareAccelerated ? "accelerated" : "not accelerated")}, " +
    $"kernel vectors {KernelInfo.VectorBits} bits, KernelThreads.Count default {KernelThreads.Count}; " +
    $"{(quick ? "quick" : "full")} run: {options.Reps} repetitions of ~{options.RepSeconds * 1000:0} ms after >= {options.WarmupSeconds * 1000:0} ms warm-up.");

foreach (var s in sections.Distinct())
{
    var t0 = DateTime.UtcNow;
    switch (s)
    {
        case "sgemm": SgemmBench.Run(options, threads, peak); break;
        case "train": TrainBench.Run(options, threads, torch); break;
        case "infer": InferenceBench.Run(options, threads, torch); break;
        case "softmax": SoftmaxBench.Run(options, threads); break;
        case "blocks": BlocksBench.Run(options, threads); break;
        case "onnx": OnnxBench.Run(options, threads); break;
    }
    Console.Error.WriteLine($"[{s}: {(DateTime.UtcNow - t0).TotalSeconds:0.0} s]");
}
return 0;

// bench/reference/mlp_torch.py, looked up from the current directory and from the executable's folder upwards.
static string? FindScript()
{
    foreach (var start in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
        for (var dir = new DirectoryInfo(start); dir != null; dir = dir.Parent)
        {
            string p = Path.Combine(dir.FullName, "bench", "reference", "mlp_torch.py");
            if (File.Exists(p)) return p;
        }
    return null;
}
