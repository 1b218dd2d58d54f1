namespace NeuralSharp;

/// <summary>The scope returned by <see cref="GradMode.NoGrad"/>; disposing it restores recording.</summary>
public struct NoGradScope : IDisposable
{
    private bool _disposed;

    /// <summary>Ends the no-grad scope (idempotent).</summary>
    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        GradMode.Restore();
    }
}
