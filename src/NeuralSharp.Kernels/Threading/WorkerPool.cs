using System.Diagnostics;
using System.Runtime.ExceptionServices;

namespace NeuralSharp.Kernels;

/// <summary>
/// The persistent workers behind <see cref="KernelThreads"/>. One loop runs at a time (a second concurrent
/// or nested caller runs inline); workers spin briefly after a loop, then sleep on a semaphore.
/// </summary>
/// <remarks>
/// Iterations are claimed through <see cref="s_ticket"/>: generation in the high 32 bits, next index in the
/// low 32. A claim is a compare-exchange against the ticket value read before the job fields, so a worker
/// that wakes late can never claim (or run) an index of a different loop. Generations advance by two: an
/// odd generation marks "job fields being written", which no worker claims from.
/// </remarks>
internal static unsafe class WorkerPool
{
    private sealed class Worker
    {
        public readonly SemaphoreSlim Wake = new(0);
        public int Sleeping;
        public int Id;
    }

    private static readonly long s_spinTicks = Stopwatch.Frequency / 20_000; // ~50 µs of spinning before sleeping

    private static int s_busy;
    private static long s_ticket;
    private static int s_pending;
    private static int s_count;
    private static int s_maxWorkers;
    private static object? s_target;
    private static void* s_state;
    private static delegate*<object?, void*, int, void> s_invoke;
    private static ExceptionDispatchInfo? s_error;
    private static Worker[] s_workers = [];
    private static readonly object s_growLock = new();

    [ThreadStatic] private static bool t_isWorker;

    /// <summary>Claims the pool for one loop; false if it is in use (nested or concurrent loop) or this is a worker.</summary>
    public static bool TryEnter() => !t_isWorker && Interlocked.CompareExchange(ref s_busy, 1, 0) == 0;

    /// <summary>Runs a loop on the caller plus up to threads - 1 workers; the caller must hold the pool (TryEnter).</summary>
    public static void Run(int count, int threads, object? target, void* state, delegate*<object?, void*, int, void> invoke)
    {
        try
        {
            int wanted = Math.Min(threads, count) - 1;
            EnsureWorkers(wanted);
            long generation = (s_ticket >> 32) + 1;
            Interlocked.Exchange(ref s_ticket, generation << 32 | int.MaxValue);        // odd: fields in flux
            s_target = target;
            s_state = state;
            s_invoke = invoke;
            s_count = count;
            s_maxWorkers = wanted;
            s_error = null;
            Volatile.Write(ref s_pending, count);
            Interlocked.Exchange(ref s_ticket, (generation + 1) << 32);               // even: published
            Worker[] workers = s_workers;
            for (int w = 0; w < wanted; w++)
                if (Interlocked.Exchange(ref workers[w].Sleeping, 0) == 1) workers[w].Wake.Release();

            RunShare(generation + 1);

            WaitForShares();
            s_target = null;
            ExceptionDispatchInfo? error = s_error;
            s_error = null;
            error?.Throw();
        }
        finally
        {
            Volatile.Write(ref s_busy, 0);
        }
    }

    /// <summary>
    /// Waits until every iteration of the current loop has finished: spins on pause instructions for up to ~50 µs, then
    /// also yields. The workers run on other cores, so yielding early only adds a system call's latency (several µs on
    /// a VM, where a batch-1 layer takes ~30 µs); yielding is kept for when the machine is oversubscribed.
    /// </summary>
    private static void WaitForShares()
    {
        long start = Stopwatch.GetTimestamp();
        while (Volatile.Read(ref s_pending) != 0)
        {
            Thread.SpinWait(16);
            if (Stopwatch.GetTimestamp() - start > s_spinTicks) break;
        }
        var spin = new SpinWait();
        while (Volatile.Read(ref s_pending) != 0) spin.SpinOnce(sleep1Threshold: -1);
    }

    private static void RunShare(long generation)
    {
        while (true)
        {
            long ticket = Volatile.Read(ref s_ticket);
            if (ticket >> 32 != generation) return;
            int index = (int)ticket;
            // Fields read after the ticket: valid if the compare-exchange below sees the same ticket.
            int count = s_count;
            if (index >= count) return;
            object? target = s_target;
            void* state = s_state;
            var invoke = s_invoke;
            if (Interlocked.CompareExchange(ref s_ticket, ticket + 1, ticket) != ticket) continue;
            try
            {
                invoke(target, state, index);
            }
            catch (Exception e)
            {
                Interlocked.CompareExchange(ref s_error, ExceptionDispatchInfo.Capture(e), null);
            }
            Interlocked.Decrement(ref s_pending);
        }
    }

    private static void EnsureWorkers(int wanted)
    {
        if (s_workers.Length >= wanted) return;
        lock (s_growLock)
        {
            var workers = s_workers;
            if (workers.Length >= wanted) return;
            var grown = new Worker[wanted];
            Array.Copy(workers, grown, workers.Length);
            for (int w = workers.Length; w < wanted; w++)
            {
                var worker = new Worker { Id = w };
                grown[w] = worker;
                // The worker starts from the current generation, so it takes part in the loop about to be published.
                long seen = Volatile.Read(ref s_ticket) >> 32;
                var thread = new Thread(() => WorkerLoop(worker, seen), 256 * 1024)
                {
                    IsBackground = true,
                    Name = $"NeuralSharp.Kernels worker {w + 1}",
                };
                thread.Start();
            }
            s_workers = grown;
        }
    }

    private static void WorkerLoop(Worker worker, long seen)
    {
        t_isWorker = true;
        bool spin = false;
        while (true)
        {
            long generation = WaitForJob(worker, seen, spin);
            seen = generation;
            // A worker left out of a loop (Count lowered) sleeps straight away instead of spinning.
            spin = worker.Id < Volatile.Read(ref s_maxWorkers);
            if (spin) RunShare(generation);
        }
    }

    /// <summary>Returns the next published (even) generation after <paramref name="seen"/>: spins, then sleeps.</summary>
    private static long WaitForJob(Worker worker, long seen, bool spin)
    {
        while (true)
        {
            long start = Stopwatch.GetTimestamp();
            while (spin)
            {
                long g = Volatile.Read(ref s_ticket) >> 32;
                if (g != seen && (g & 1) == 0) return g;
                Thread.SpinWait(16);
                if (Stopwatch.GetTimestamp() - start > s_spinTicks) break;
            }
            spin = true; // after a wake-up, spin again

            Interlocked.Exchange(ref worker.Sleeping, 1);
            long now = Volatile.Read(ref s_ticket) >> 32;
            if (now != seen && (now & 1) == 0)
            {
                // A job arrived while going to sleep: cancel the sleep, or consume the release already sent.
                if (Interlocked.Exchange(ref worker.Sleeping, 0) == 0) worker.Wake.Wait();
                return now;
            }
            worker.Wake.Wait();
        }
    }
}
