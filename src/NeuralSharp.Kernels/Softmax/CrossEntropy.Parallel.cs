using System.Buffers;
using System.Runtime.InteropServices;

namespace NeuralSharp.Kernels;

// Legend: as in CrossEntropy.cs; a part = a contiguous block of whole rows, one per kernel thread.
//
// Large inputs split their rows into one block per kernel thread. Every row is computed by the same code as on one
// thread. The forward's loss is still summed on the calling thread, in row order, from per-row terms the parts store
// (the same additions in the same order), so neither the log-probabilities, the loss nor the gradient depend on the
// thread count.
public static partial class CrossEntropy
{
    /// <summary>Fewest logits for which the forward and backward split rows across threads (as Softmax does).</summary>
    internal const int ParallelMinElements = Softmax.ParallelMinElements;

    private static unsafe (double Loss, double Weight) ForwardInParallel(ReadOnlySpan<float> logits, ReadOnlySpan<int> targets,
        ReadOnlySpan<float> classWeights, float labelSmoothing, int ignoreIndex, Span<float> logProbs, int rows, int classes)
    {
        double[] terms = ArrayPool<double>.Shared.Rent(3 * rows);
        try
        {
            fixed (float* px = &MemoryMarshal.GetReference(logits), py = &MemoryMarshal.GetReference(logProbs),
                   pw = &MemoryMarshal.GetReference(classWeights))
            fixed (int* pt = &MemoryMarshal.GetReference(targets))
            fixed (double* pterms = terms)
            {
                int parts = Math.Min(rows, KernelThreads.Count);
                KernelThreads.For(parts, new ForwardParts
                {
                    X = px, Y = py, W = pw, Weighted = !classWeights.IsEmpty, T = pt, Terms = pterms,
                    Rows = rows, Classes = classes, Parts = parts, Eps = labelSmoothing, Ignore = ignoreIndex,
                });
            }
            double loss = 0, weight = 0;
            for (int i = 0; i < rows; i++)
            {
                if (targets[i] == ignoreIndex) continue;
                loss += terms[3 * i];
                if (labelSmoothing != 0) loss += terms[3 * i + 1];
                weight += terms[3 * i + 2];
            }
            return (loss, weight);
        }
        finally
        {
            ArrayPool<double>.Shared.Return(terms);
        }
    }

    private unsafe struct ForwardParts : IKernelLoopBody
    {
        public float* X, Y, W;
        public int* T;
        public double* Terms;
        public bool Weighted;
        public int Rows, Classes, Parts, Ignore;
        public float Eps;

        public readonly void Invoke(int part)
        {
            int r0 = KernelThreads.PartStart(Rows, part, Parts), r1 = KernelThreads.PartStart(Rows, part + 1, Parts);
            var weights = Weighted ? new ReadOnlySpan<float>(W, Classes) : default;
            bool rows512 = Classes >= 16 && Softmax.UseRows512;
            if (!rows512)
            {
                long b = (long)r0 * Classes, len = (long)(r1 - r0) * Classes;
                Softmax.LogForward(new ReadOnlySpan<float>(X + b, (int)len), new Span<float>(Y + b, (int)len), r1 - r0, Classes, 1);
            }
            for (int i = r0; i < r1; i++)
            {
                nuint b = (nuint)i * (nuint)Classes;
                // Row by row, so the loss terms read the row just written while it is still in L1.
                if (rows512) Softmax.LogForwardRow512(X + b, Y + b, (nuint)Classes, i + 1 < r1 ? (nuint)Classes : 0);
                int t = T[i];
                if (t == Ignore) continue;
                var (target, smooth, wy) = RowLossTerms(new ReadOnlySpan<float>(Y + b, Classes), t, weights, Eps);
                (Terms[3 * i], Terms[3 * i + 1], Terms[3 * i + 2]) = (target, smooth, wy);
            }
        }
    }

    private static unsafe void BackwardInParallel(ReadOnlySpan<float> logProbs, ReadOnlySpan<int> targets, ReadOnlySpan<float> classWeights,
        float labelSmoothing, int ignoreIndex, float scale, Span<float> dLogits, int rows, int classes)
    {
        fixed (float* pl = &MemoryMarshal.GetReference(logProbs), pd = &MemoryMarshal.GetReference(dLogits),
               pw = &MemoryMarshal.GetReference(classWeights))
        fixed (int* pt = &MemoryMarshal.GetReference(targets))
        {
            int parts = Math.Min(rows, KernelThreads.Count);
            KernelThreads.For(parts, new BackwardParts
            {
                Lp = pl, D = pd, W = pw, Weighted = !classWeights.IsEmpty, T = pt, Rows = rows, Classes = classes, Parts = parts,
                Eps = labelSmoothing, Ignore = ignoreIndex, Scale = scale,
            });
        }
    }

    private unsafe struct BackwardParts : IKernelLoopBody
    {
        public float* Lp, D, W;
        public int* T;
        public bool Weighted;
        public int Rows, Classes, Parts, Ignore;
        public float Eps, Scale;

        public readonly void Invoke(int part)
        {
            int r0 = KernelThreads.PartStart(Rows, part, Parts), r1 = KernelThreads.PartStart(Rows, part + 1, Parts);
            int n = Rows * Classes;
            BackwardRows(new ReadOnlySpan<float>(Lp, n), new ReadOnlySpan<int>(T, Rows), Weighted ? new ReadOnlySpan<float>(W, Classes) : default,
                Eps, Ignore, Scale, new Span<float>(D, n), r0, r1, Classes);
        }
    }
}
