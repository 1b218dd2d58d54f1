using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace NeuralSharp;

/// <summary>
/// Recycles the float buffers behind tensors so that a steady-state training step allocates no new
/// large arrays: buffers are kept by exact length, because a training loop asks for the same shapes
/// every step. Buffers below <see cref="MinPooledLength"/> are left to the GC (they are cheap).
/// Pooled buffers are pinned and a tensor's data starts on a 64-byte boundary inside its buffer (see
/// <see cref="Rent(int, out int)"/>). Thread-safe.
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

    /// <summary>
    /// Floats a pooled array holds beyond the length asked for, so that a 64-byte aligned run of that length fits in
    /// it: the GC aligns arrays' data to 8 bytes only (4 on 32-bit runtimes), and a kernel's 64-byte vector loads and stores that straddle two
    /// cache lines cost two accesses, and a line shared by the parts two threads write ping-pongs between the cores.
    /// </summary>
    private const int AlignmentPadding = 15;

    /// <summary>
    /// Rents an array with room for <paramref name="length"/> floats from index 0 (contents undefined): exactly
    /// <paramref name="length"/> long below <see cref="MinPooledLength"/>, longer (padded) above.
    /// </summary>
    internal static float[] Rent(int length) => Rent(length, out _);

    /// <summary>
    /// Rents an array holding <paramref name="length"/> floats from <paramref name="offset"/> on, where they start on a
    /// 64-byte boundary when the length is at least <see cref="MinPooledLength"/> (pooled arrays are pinned, so the
    /// address and hence the offset never change). Contents are undefined.
    /// </summary>
    internal static float[] Rent(int length, out int offset)
    {
        offset = 0;
        if (length < MinPooledLength) return length == 0 ? [] : new float[length];
        if (!Buckets.TryGetValue(length, out var bag) || !bag.TryTake(out var array))
        {
            Interlocked.Increment(ref _allocatedArrays);
            array = GC.AllocateUninitializedArray<float>(length + AlignmentPadding, pinned: true);
        }
        else Interlocked.Add(ref _pooledBytes, -4L * array.Length);
        offset = AlignedOffset(array);
        return array;
    }

    /// <summary>A zeroed, pinned array for long-lived buffers (optimizer state): its <paramref name="length"/> floats from
    /// <see cref="AlignedOffset"/> on start on a 64-byte boundary.</summary>
    internal static float[] AllocateAligned(int length) => GC.AllocateArray<float>(length + AlignmentPadding, pinned: true);

    /// <summary>The first index of a pinned, padded array (from this class) whose address is a multiple of 64 bytes.</summary>
    internal static unsafe int AlignedOffset(float[] pinned)
    {
        // Pinned: the address is fixed for the array's life. Its data is at least 4-byte aligned: at most 15 floats of padding.
        nint address = (nint)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(pinned));
        return (int)((64 - (address & 63)) & 63) / sizeof(float);
    }

    /// <summary>Returns an array obtained from <see cref="Rent(int, out int)"/>; the caller must not use it afterwards.</summary>
    internal static void Return(float[] array)
    {
        // Arrays below the pooled length were plain allocations (never padded): leave them to the GC.
        if (array.Length < MinPooledLength + AlignmentPadding) return;
        if (Interlocked.Read(ref _pooledBytes) + 4L * array.Length > MaxPooledBytes) return;
        var bag = Buckets.GetOrAdd(array.Length - AlignmentPadding, static _ => new ConcurrentBag<float[]>());
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
