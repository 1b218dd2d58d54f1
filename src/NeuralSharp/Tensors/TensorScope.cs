namespace NeuralSharp;

/// <summary>
/// Disposes, when it ends, every tensor created on this thread while it was the innermost scope —
/// returning their buffers to <see cref="TensorPool"/>. Wrap a training step or a batch of inference
/// in one: <c>using (TensorScope.Begin()) { ... }</c>. Keep a result beyond the scope with
/// <see cref="Tensor.MoveToOuterScope"/>. Parameters registered on a module are never owned by a scope.
/// </summary>
public sealed class TensorScope : IDisposable
{
    [ThreadStatic] private static TensorScope? _current;
    private readonly TensorScope? _outer;
    private readonly List<Tensor> _owned = new(64);
    private bool _disposed;

    private TensorScope(TensorScope? outer) => _outer = outer;

    /// <summary>The innermost active scope of this thread, or null.</summary>
    public static TensorScope? Current => _current;

    /// <summary>Starts a scope nested inside the current one (if any).</summary>
    public static TensorScope Begin() => _current = new TensorScope(_current);

    internal static void Register(Tensor tensor) => _current?._owned.Add(tensor);

    /// <summary>Stops owning <paramref name="tensor"/>; returns the scope that owns it afterwards.</summary>
    internal TensorScope? Detach(Tensor tensor, bool moveToOuter)
    {
        int index = _owned.LastIndexOf(tensor);
        if (index >= 0) _owned.RemoveAt(index);
        if (!moveToOuter || _outer == null) return null;
        _outer._owned.Add(tensor);
        return _outer;
    }

    /// <summary>Disposes every tensor this scope owns and makes the outer scope current again.</summary>
    /// <exception cref="InvalidOperationException">When scopes are not ended innermost-first on this thread.</exception>
    public void Dispose()
    {
        if (_disposed) return;
        if (_current != this) throw new InvalidOperationException("TensorScope.Dispose: scopes must be ended innermost first, on the thread that began them.");
        _disposed = true;
        _current = _outer;
        foreach (var tensor in _owned) tensor.ReleaseFromScope();
        _owned.Clear();
    }
}
