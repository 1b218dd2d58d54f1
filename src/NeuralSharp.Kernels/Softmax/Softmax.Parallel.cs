namespace NeuralSharp.Kernels;

// Legend: rows = outer (inner == 1), dim = row length; a part = a contiguous block of whole rows.
//
// Large inputs of contiguous rows are split into blocks of whole rows, one per kernel thread. Each row is computed
// by the same single-thread code whatever the split, so results do not depend on the thread count. Out of cache a
// row's exponentials are compute-bound while its loads are memory-bound; two threads overlap one's compute with the
// other's memory traffic, which one thread's prefetching alone does not fully do.
public static partial class Softmax
{
    /// <summary>Fewest elements for which softmax over rows is split across threads (smaller inputs stay in cache and finish sooner alone).</summary>
    internal const int ParallelMinElements = 1 << 18;

    /// <summary>Whether contiguous rows of <paramref name="elements"/> floats in all are split across threads (CrossEntropy too).</summary>
    internal static bool SplitsRows(int rows, long elements) => rows >= 2 && elements >= ParallelMinElements && KernelThreads.Count > 1;

    /// <summary>Softmax or log-softmax over contiguous rows with AVX-512: split across threads when the input is large.</summary>
    private static unsafe void Rows512(ReadOnlySpan<float> x, Span<float> y, int rows, int dim, bool log)
    {
        // Whether the output streams is decided on the whole output, not on each thread's part.
        bool stream;
        fixed (float* py = y) stream = log && Streams((long)rows * dim, py);
        if (SplitsRows(rows, (long)rows * dim)) RowsInParallel(x, y, rows, dim, log, stream);
        else if (log) LogForwardRows512(x, y, rows, dim, stream);
        else ForwardRows512(x, y, rows, dim);
    }

    private unsafe struct RowParts : IKernelLoopBody
    {
        public float* X, Y;
        public int Rows, Dim, Parts;
        public bool Log, Stream;

        public readonly void Invoke(int part)
        {
            int r0 = KernelThreads.PartStart(Rows, part, Parts), r1 = KernelThreads.PartStart(Rows, part + 1, Parts);
            var x = new ReadOnlySpan<float>(X + (long)r0 * Dim, (r1 - r0) * Dim);
            var y = new Span<float>(Y + (long)r0 * Dim, (r1 - r0) * Dim);
            if (Log) LogForwardRows512(x, y, r1 - r0, Dim, Stream);
            else ForwardRows512(x, y, r1 - r0, Dim);
        }
    }

    /// <summary>Softmax or log-softmax over contiguous rows, split into one block of rows per kernel thread.</summary>
    private static unsafe void RowsInParallel(ReadOnlySpan<float> x, Span<float> y, int rows, int dim, bool log, bool stream)
    {
        fixed (float* px = x, py = y)
        {
            int parts = Math.Min(rows, KernelThreads.Count);
            KernelThreads.For(parts, new RowParts { X = px, Y = py, Rows = rows, Dim = dim, Parts = parts, Log = log, Stream = stream });
        }
    }
}
