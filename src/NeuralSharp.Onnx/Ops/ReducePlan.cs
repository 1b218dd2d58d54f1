namespace NeuralSharp.Onnx.Ops;

/// <summary>
/// How to walk a row-major input once, in memory order, while reducing a set of its axes without permuting it.
/// Dimensions of size 1 are dropped and neighbouring dimensions that are both reduced or both kept are merged;
/// the input is then a sequence of <see cref="Runs"/> contiguous runs of the last merged dimension
/// (<see cref="Inner"/> elements). When that dimension is reduced, a whole run folds into one output element;
/// when it is kept, a run folds element-wise into <see cref="Inner"/> consecutive output elements. The output
/// offset of each run is tracked by an odometer over the other merged dimensions (output stride 0 where reduced).
/// </summary>
internal sealed class ReducePlan
{
    private readonly int[] _dims;
    private readonly int[] _outStrides;

    private ReducePlan(int[] dims, int[] outStrides, bool innerReduced, int outputLength, int count, int runs, int[] outputShape)
    {
        _dims = dims;
        _outStrides = outStrides;
        InnerReduced = innerReduced;
        OutputLength = outputLength;
        Count = count;
        Runs = runs;
        OutputShape = outputShape;
    }

    /// <summary>The output's shape (reduced axes kept as 1 or removed).</summary>
    public int[] OutputShape { get; }

    /// <summary>The number of output elements.</summary>
    public int OutputLength { get; }

    /// <summary>The number of input elements that reduce into each output element (product of the reduced dimensions).</summary>
    public int Count { get; }

    /// <summary>The length of the last merged dimension: each run's length.</summary>
    public int Inner => _dims[^1];

    /// <summary>Whether the last merged dimension is reduced.</summary>
    public bool InnerReduced { get; }

    /// <summary>The number of contiguous runs of <see cref="Inner"/> input elements (0 for an empty input).</summary>
    public int Runs { get; }

    /// <summary>A plan for reducing the axes flagged in <paramref name="reduced"/> of a tensor of shape <paramref name="shape"/>.</summary>
    public static ReducePlan Create(ReadOnlySpan<int> shape, ReadOnlySpan<bool> reduced, bool keepDims)
    {
        var dims = new List<int>();
        var flags = new List<bool>();
        var outputShape = new List<int>();
        int count = 1, outputLength = 1;
        long total = 1;
        for (int i = 0; i < shape.Length; i++)
        {
            int d = shape[i];
            total *= d;
            if (reduced[i]) count *= d; else outputLength *= d;
            if (!reduced[i]) outputShape.Add(d); else if (keepDims) outputShape.Add(1);
            if (d == 1) continue;
            if (flags.Count > 0 && flags[^1] == reduced[i]) dims[^1] *= d;
            else { dims.Add(d); flags.Add(reduced[i]); }
        }
        if (dims.Count == 0) { dims.Add(1); flags.Add(false); }
        var outStrides = new int[dims.Count];
        int stride = 1;
        for (int i = dims.Count - 1; i >= 0; i--)
        {
            if (flags[i]) continue;
            outStrides[i] = stride;
            stride *= dims[i];
        }
        int runs = total == 0 ? 0 : (int)(total / dims[^1]);
        return new ReducePlan(dims.ToArray(), outStrides, flags[^1], outputLength, count, runs, outputShape.ToArray());
    }

    /// <summary>Walks the runs: calls <paramref name="visit"/>(run index, input offset, output offset) in memory order.</summary>
    public void ForEachRun<TVisitor>(ref TVisitor visit) where TVisitor : struct, IRunVisitor
    {
        int m = _dims.Length - 1;
        Span<int> index = m <= 16 ? stackalloc int[m] : new int[m];
        index.Clear();
        int inner = Inner, outOffset = 0;
        for (int r = 0, inOffset = 0; r < Runs; r++, inOffset += inner)
        {
            visit.Run(inOffset, outOffset);
            for (int i = m - 1; i >= 0; i--)
            {
                outOffset += _outStrides[i];
                if (++index[i] < _dims[i]) break;
                outOffset -= _outStrides[i] * _dims[i];
                index[i] = 0;
            }
        }
    }
}

/// <summary>What a reduction does with one contiguous run of the input (see <see cref="ReducePlan"/>).</summary>
internal interface IRunVisitor
{
    /// <summary>Folds the run starting at input offset <paramref name="inOffset"/> into the output at <paramref name="outOffset"/>.</summary>
    void Run(int inOffset, int outOffset);
}
