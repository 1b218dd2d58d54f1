namespace NeuralSharp.Bench;

/// <summary>
/// Where the PyTorch reference (bench/reference/mlp_torch.py) is and whether to run it: starts it as a
/// <see cref="TorchSession"/> for a section, which then interleaves its measurements with ours.
/// </summary>
internal sealed class TorchReference(string python, string script, int[] threads, bool enabled = true)
{
    /// <summary>PyTorch's version and configuration, or why it did not run.</summary>
    public string? Note { get; private set; }

    /// <summary>Starts the script as a <see cref="TorchSession"/> (measurements on request), or returns null with <see cref="Note"/> set.</summary>
    public TorchSession? StartSession()
    {
        if (!enabled) { Note = "PyTorch reference skipped (--no-torch)."; return null; }
        var session = TorchSession.Start(python, script, threads, out string? failure);
        Note = session?.Note ?? failure;
        return session;
    }

    public const string ConfigLegend =
        "PyTorch at T threads: the better of torch.set_num_threads(T) + openblas_set_num_threads(T) and, for T > 1, " +
        "torch.set_num_threads(1) + openblas_set_num_threads(T) (marked (1/T); out of the box this torch runs 1 intra-op thread and OpenBLAS all cores).";
}
