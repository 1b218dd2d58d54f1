using System.Diagnostics;
using System.Text.Json.Nodes;

namespace NeuralSharp.Bench;

/// <summary>
/// Runs bench/reference/mlp_torch.py (PyTorch): for one section right before our own measurement of that section,
/// reading the JSON it prints on its last line of standard output, or as a <see cref="TorchSession"/>.
/// </summary>
internal sealed class TorchReference(string python, string script, bool quick, int[] threads, bool enabled = true)
{
    public string? Version { get; private set; }
    public string? Note { get; private set; }

    /// <summary>Starts the script as a <see cref="TorchSession"/> (measurements on request), or returns null with <see cref="Note"/> set.</summary>
    public TorchSession? StartSession()
    {
        if (!enabled) { Note = "PyTorch reference skipped (--no-torch)."; return null; }
        var session = TorchSession.Start(python, script, threads, out string? failure);
        Note = session?.Note ?? failure;
        return session;
    }

    /// <summary>Runs one section; returns its "results" array, or null (with <see cref="Note"/> set) on failure.</summary>
    public JsonArray? Run(string section)
    {
        if (!enabled) { Note = "PyTorch reference skipped (--no-torch)."; return null; }
        if (!File.Exists(script)) { Note = $"PyTorch script {script} not found"; return null; }
        var psi = new ProcessStartInfo(python)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        psi.ArgumentList.Add(script);
        psi.ArgumentList.Add("--section");
        psi.ArgumentList.Add(section);
        psi.ArgumentList.Add("--threads");
        psi.ArgumentList.Add(string.Join(",", threads));
        if (quick) psi.ArgumentList.Add("--quick");
        try
        {
            using var p = Process.Start(psi)!;
            var errTask = p.StandardError.ReadToEndAsync();
            string stdout = p.StandardOutput.ReadToEnd();
            p.WaitForExit();
            string err = errTask.Result;
            if (p.ExitCode != 0)
            {
                Note = $"PyTorch reference failed (exit {p.ExitCode}): {LastLine(err)}. Install: apt-get install -y python3-torch python3-numpy";
                return null;
            }
            var json = JsonNode.Parse(LastLine(stdout))!.AsObject();
            Version = (string?)json["torch"];
            Note = (string?)json["note"];
            return json["results"]!.AsArray();
        }
        catch (Exception e) when (e is System.ComponentModel.Win32Exception or System.Text.Json.JsonException or InvalidOperationException)
        {
            Note = $"PyTorch reference not run ({e.Message}). Install: apt-get install -y python3-torch python3-numpy";
            return null;
        }
    }

    /// <summary>
    /// The best entry of <paramref name="results"/> for a kind, name and total thread count (over the
    /// torch/OpenBLAS thread combinations tried), by <paramref name="key"/>; null if there is none.
    /// </summary>
    public static JsonObject? Best(JsonArray? results, string kind, string name, int threads, string key, bool higherIsBetter)
    {
        JsonObject? best = null;
        if (results == null) return null;
        foreach (var r in results)
            if (r is JsonObject o && (string?)o["kind"] == kind && (string?)o["name"] == name && (int?)o["threads"] == threads)
                if (best == null || (higherIsBetter ? Get(o, key) > Get(best, key) : Get(o, key) < Get(best, key)))
                    best = o;
        return best;
    }

    /// <summary>" (a/b)" for torch intra-op threads a and OpenBLAS threads b when they differ from T/T, else "".</summary>
    public static string Config(JsonObject? o)
    {
        if (o == null) return "";
        int t = (int?)o["threads"] ?? 0, tt = (int?)o["torch_threads"] ?? t, bt = (int?)o["blas_threads"] ?? t;
        return tt == t && bt == t ? "" : $" ({tt}/{bt})";
    }

    public const string ConfigLegend =
        "PyTorch at T threads: the better of torch.set_num_threads(T) + openblas_set_num_threads(T) and, for T > 1, " +
        "torch.set_num_threads(1) + openblas_set_num_threads(T) (marked (1/T); out of the box this torch runs 1 intra-op thread and OpenBLAS all cores).";

    public static double Get(JsonObject? o, string key) => o?[key] is JsonNode n ? (double)n : double.NaN;

    private static string LastLine(string s)
    {
        var lines = s.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        return lines.Length == 0 ? "" : lines[^1];
    }
}
