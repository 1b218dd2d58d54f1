namespace NeuralSharp;

/// <summary>
/// The buffer behind one or more tensors (a tensor and its reshaped or row-sliced views). Reference
/// counted so that the buffer goes back to <see cref="TensorPool"/> only when the last view is disposed.
/// </summary>
internal sealed class TensorStorage
{
    private float[]? _array;
    private int _references = 1;
    private readonly bool _pooled;

    public TensorStorage(float[] array, bool pooled)
    {
        _array = array;
        _pooled = pooled;
    }

    public float[] Array => _array ?? throw new ObjectDisposedException(nameof(Tensor), "The tensor's storage has been disposed (returned to the pool); it can no longer be read or written.");

    public bool IsAlive => _array != null;

    public void AddReference() => Interlocked.Increment(ref _references);

    public void Release()
    {
        if (Interlocked.Decrement(ref _references) != 0) return;
        var array = Interlocked.Exchange(ref _array, null);
        if (array != null && _pooled) TensorPool.Return(array);
    }
}
