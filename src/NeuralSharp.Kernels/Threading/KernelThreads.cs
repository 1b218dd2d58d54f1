using System.Runtime.CompilerServices;

namespace NeuralSharp.Kernels;

/// <summary>
/// The threads the kernels run on: the calling thread plus a small set of persistent worker threads,
/// never more than <see cref="Count"/> in total. Work is handed out index by index, so a loop body that
/// writes independent outputs gives the same result whatever the thread count.
/// </summary>
public static class KernelThreads
{
    private static int s_count = Math.Max(1, Environment.ProcessorCount);

    /// <summary>
    /// Number of threads kernels may use, the calling thread included (default:
    /// <see cref="Environment.ProcessorCount"/>). Settable at any time; 1 runs everything on the caller.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The value set is less than 1.</exception>
    public static int Count
    {
        get => Volatile.Read(ref s_count);
        set
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(value, 1, nameof(Count));
            Volatile.Write(ref s_count, value);
        }
    }

    /// <summary>
    /// Where part <paramref name="index"/> of <paramref name="parts"/> balanced contiguous parts of [0, <paramref name="n"/>)
    /// starts (index == parts gives n): part i is [PartStart(n, i, parts), PartStart(n, i + 1, parts)).
    /// </summary>
    internal static int PartStart(long n, int index, int parts) => (int)(n * index / parts);

    /// <summary>
    /// Runs <c>body(i)</c> for every i in [0, <paramref name="count"/>) on up to <see cref="Count"/> threads
    /// (the caller runs a share) and returns when all are done. Iterations run in no particular order.
    /// </summary>
    /// <param name="count">Number of iterations; 0 or less does nothing.</param>
    /// <param name="body">The loop body; called concurrently, so iterations must be independent.</param>
    /// <exception cref="ArgumentNullException"><paramref name="body"/> is null.</exception>
    /// <remarks>
    /// If a body throws, the first exception is rethrown on the caller after all iterations have finished.
    /// With count 1 or <see cref="Count"/> 1, or when called from inside another parallel loop, the loop
    /// runs inline on the caller with no synchronisation.
    /// </remarks>
    public static unsafe void For(int count, Action<int> body)
    {
        ArgumentNullException.ThrowIfNull(body);
        if (count <= 0) return;
        int threads = Count;
        if (count == 1 || threads == 1 || !WorkerPool.TryEnter())
        {
            for (int i = 0; i < count; i++) body(i);
            return;
        }
        WorkerPool.Run(count, threads, body, null, &InvokeAction);
    }

    /// <summary>
    /// Runs <c>body.Invoke(i)</c> for every i in [0, <paramref name="count"/>) like
    /// <see cref="For(int, Action{int})"/>, without allocating: the struct is passed by reference to all threads.
    /// </summary>
    /// <typeparam name="TBody">The loop body type.</typeparam>
    /// <param name="count">Number of iterations; 0 or less does nothing.</param>
    /// <param name="body">The loop body; <see cref="IKernelLoopBody.Invoke"/> must not mutate it.</param>
    public static unsafe void For<TBody>(int count, TBody body) where TBody : struct, IKernelLoopBody
    {
        if (count <= 0) return;
        int threads = Count;
        if (count == 1 || threads == 1 || !WorkerPool.TryEnter())
        {
            for (int i = 0; i < count; i++) body.Invoke(i);
            return;
        }
        // body is a by-value parameter, so it lives in this frame (not on the GC heap) until Run returns.
        WorkerPool.Run(count, threads, null, Unsafe.AsPointer(ref body), &InvokeStruct<TBody>);
    }

    private static unsafe void InvokeAction(object? target, void* state, int index) =>
        Unsafe.As<Action<int>>(target!)(index);

    // At tier 1 the JIT inlines the whole body into this method, kernels included. Once a big kernel is inlined here
    // the inlining budget is spent and the kernel's own [AggressiveInlining] helpers stay calls (measured: GemmVector's
    // Finish, softmax's ExpRow; 2-thread softmax ran 2-4x slower once warm). So the hot kernels are marked
    // NoInlining | AggressiveOptimization: compiled on their own, fully optimised from the first call.
    private static unsafe void InvokeStruct<TBody>(object? target, void* state, int index)
        where TBody : struct, IKernelLoopBody =>
        Unsafe.AsRef<TBody>(state).Invoke(index);
}
