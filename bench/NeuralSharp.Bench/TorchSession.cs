using System.Diagnostics;
using System.Text.Json.Nodes;

namespace NeuralSharp.Bench;

/// <summary>
/// A running <c>mlp_torch.py --serve</c> process: PyTorch measurements on request, so a section can interleave
/// them with its own (rounds of PyTorch then NeuralSharp) instead of running all of PyTorch's first. A change in the
/// machine's state during the section (another tenant's memory traffic, a slower second vCPU) then hits both sides.
/// </summary>
internal sealed class TorchSession : IDisposable
{
    private readonly Process _process;
    private readonly Task<string> _stderr;

    private TorchSession(Process process)
    {
        _process = process;
        _stderr = process.StandardError.ReadToEndAsync();
    }

    /// <summary>PyTorch's version and configuration, from the first request.</summary>
    public string? Note { get; private set; }

    /// <summary>(T, torch intra-op threads, OpenBLAS threads) combinations the script tries for each thread count.</summary>
    public IReadOnlyList<(int Threads, int TorchThreads, int BlasThreads)> Combos { get; private set; } = [];

    /// <summary>Starts the script and asks for its configuration; null with <paramref name="failure"/> set if it cannot run.</summary>
    public static TorchSession? Start(string python, string script, int[] threads, out string? failure)
    {
        failure = null;
        if (!File.Exists(script)) { failure = $"PyTorch script {script} not found"; return null; }
        var psi = new ProcessStartInfo(python)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        psi.ArgumentList.Add(script);
        psi.ArgumentList.Add("--serve");
        TorchSession? session = null;
        try
        {
            session = new TorchSession(Process.Start(psi)!);
            var info = session.Request(new JsonObject { ["op"] = "info", ["threads"] = new JsonArray(threads.Select(t => (JsonNode)t).ToArray()) });
            session.Note = (string?)info["note"];
            session.Combos = info["combos"]!.AsArray()
                .Select(c => ((int)c![0]!, (int)c[1]!, (int)c[2]!)).ToList();
            return session;
        }
        catch (Exception e) when (e is System.ComponentModel.Win32Exception or System.Text.Json.JsonException
                                      or InvalidOperationException or IOException)
        {
            failure = $"PyTorch reference not run ({e.Message}). Install: apt-get install -y python3-torch python3-numpy";
            session?.Dispose();
            return null;
        }
    }

    /// <summary>
    /// Seconds per training step of each of <paramref name="reps"/> repetitions of one configuration, continuing the
    /// same model and optimizer across calls.
    /// </summary>
    public double[] Train(string name, int[] hidden, int batch, int torchThreads, int blasThreads, int reps, double repSeconds, double warmupSeconds)
    {
        var reply = Request(new JsonObject
        {
            ["op"] = "train", ["name"] = name, ["hidden"] = new JsonArray(hidden.Select(h => (JsonNode)h).ToArray()), ["batch"] = batch,
            ["torch_threads"] = torchThreads, ["blas_threads"] = blasThreads,
            ["reps"] = reps, ["rep_seconds"] = repSeconds, ["warmup_seconds"] = warmupSeconds,
        });
        return reply["times"]!.AsArray().Select(t => (double)t!).ToArray();
    }

    /// <summary>
    /// The inference model's batch-1 latency of each of <paramref name="calls"/> calls (µs) and the seconds per
    /// batch-256 call of each of <paramref name="reps"/> repetitions.
    /// </summary>
    public (double[] LatencyMicroseconds, double[] BatchSeconds) Infer(int torchThreads, int blasThreads, int calls, int reps, double repSeconds,
        double warmupSeconds)
    {
        var reply = Request(new JsonObject
        {
            ["op"] = "infer", ["torch_threads"] = torchThreads, ["blas_threads"] = blasThreads, ["calls"] = calls,
            ["reps"] = reps, ["rep_seconds"] = repSeconds, ["warmup_seconds"] = warmupSeconds,
        });
        return (reply["latency_us"]!.AsArray().Select(t => (double)t!).ToArray(), reply["times"]!.AsArray().Select(t => (double)t!).ToArray());
    }

    /// <summary>" (a/b)" for torch intra-op threads a and OpenBLAS threads b when they differ from T/T, else "".</summary>
    public static string Config((int Threads, int TorchThreads, int BlasThreads) c) =>
        c.TorchThreads == c.Threads && c.BlasThreads == c.Threads ? "" : $" ({c.TorchThreads}/{c.BlasThreads})";

    private JsonObject Request(JsonObject request)
    {
        _process.StandardInput.WriteLine(request.ToJsonString());
        _process.StandardInput.Flush();
        string? line = _process.StandardOutput.ReadLine();
        if (line == null)
        {
            _process.WaitForExit();
            throw new InvalidOperationException($"PyTorch script exited ({_process.ExitCode}): {LastLine(_stderr.Result)}");
        }
        var reply = JsonNode.Parse(line)!.AsObject();
        if (reply["error"] is JsonNode error) throw new InvalidOperationException($"PyTorch script: {error}");
        return reply;
    }

    private static string LastLine(string s) =>
        s.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).LastOrDefault() ?? "";

    /// <summary>Closes the script's input (it exits) and waits for it.</summary>
    public void Dispose()
    {
        try
        {
            _process.StandardInput.Close();
            if (!_process.WaitForExit(10_000)) _process.Kill();
        }
        catch (InvalidOperationException) { }
        _process.Dispose();
    }
}
