using System.Collections.Concurrent;

namespace NeuralSharp;

/// <summary>
/// Recycles the float buffers behind tensors so that a steady-state training step allocates no new
/// large arrays: buffers are kept by exact length, because a training loop asks for the same shapes
/// every step. Buffers below <see cref="MinPooledLength"/> are left to the GC (they are cheap).
/// Thread-safe.
/// </summary>
public static class TensorPool
{
    /// <summary>Buffers shorter than this many floats are not pooled.</summary>
    public const int MinPooledLength = 256;

    private const int MaxBuffersPerLength = 64;
    private static readonly ConcurrentDictionary<int, ConcurrentBag<float[]>> Buckets = new();
    private static long _pooledBytes;
    private static long _allocatedArrays;

    /// <summary>Upper bound on the bytes the pool keeps idle (default 2 GiB); returns beyond it are dropped to the GC.</summary>
    public static long MaxPooledBytes { get; set; } = 2L << 30;

    /// <summary>The number of pooled-size arrays allocated so far (a steady training loop stops increasing it).</summary>
    public static long AllocatedArrays => Interlocked.Read(ref _allocatedArrays);

    /// <summary>Bytes currently held idle by the pool.</summary>
    public static long PooledBytes => Interlocked.Read(ref _pooledBytes);

    /// <summary>Rents an array of exactly <paramref name="length"/> floats; contents are undefined.</summary>
    internal static float[] Rent(int length)
    {
        if (length < MinPooledLength) return length == 0 ? [] : new float[length];
        if (Buckets.TryGetValue(length, out var bag) && bag.TryTake(out var array))
        {
            Interlocked.Add(ref _pooledBytes, -4L * length);
            return array;
        }
        Interlocked.Increment(ref _allocatedArrays);
        return GC.AllocateUninitializedArray<float>(length);
    }

    /// <summary>Returns an array obtained from <see cref="Rent"/>; the caller must not use it afterwards.</summary>
    internal static void Return(float[] array)
    {
        if (array.Length < MinPooledLength) return;
        if (Interlocked.Read(ref _pooledBytes) + 4L * array.Length > MaxPooledBytes) return;
        var bag = Buckets.GetOrAdd(array.Length, static _ => new ConcurrentBag<float[]>());
        if (bag.Count >= MaxBuffersPerLength) return;
        bag.Add(array);
        Interlocked.Add(ref _pooledBytes, 4L * array.Length);
    }

    /// <summary>Drops every idle buffer (for example after training, to give memory back).</summary>
    public static void Clear()
    {
        Buckets.Clear();
        Interlocked.Exchange(ref _pooledBytes, 0);
    }
}
