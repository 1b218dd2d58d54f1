using NeuralSharp.Kernels;

namespace NeuralSharp;

// Routing ops for mixture-of-experts and tree-routed blocks: gather rows, scatter-add rows, gather single
// elements, top-k. Legend: N rows of the source, M selected rows, R row size (product of the trailing
// dimensions), C columns of a 2-D tensor, K selected per row.
public static partial class Functional
{
    /// <summary>
    /// Gathers rows: y[m] = x[indices[m]] (PyTorch's <c>index_select(x, 0, indices)</c>). x [N, ..] -> [M, ..].
    /// Backward scatter-adds: dx[indices[m]] += dy[m] (repeated indices accumulate).
    /// </summary>
    /// <exception cref="ArgumentException">When x is a scalar.</exception>
    /// <exception cref="ArgumentOutOfRangeException">When an index is outside [0, N).</exception>
    public static Tensor IndexSelectRows(Tensor x, int[] indices)
    {
        if (x.Rank < 1) throw new ArgumentException("IndexSelectRows: cannot select rows of a scalar.", nameof(x));
        int n = x.Dim(0), r = ShapeUtil.Product(x.ShapeRef, 1, x.Rank);
        CheckIndices("IndexSelectRows", indices, n);
        var shape = x.ShapeArray;
        shape[0] = indices.Length;
        var y = Tensor.Empty(shape);
        var xd = x.Data; var yd = y.Data;
        for (int m = 0; m < indices.Length; m++) xd.Slice(indices[m] * r, r).CopyTo(yd.Slice(m * r, r));
        return Node.ShouldRecord(x) ? new IndexSelectRowsNode(x, indices, r).Attach(y) : y;
    }

    private sealed class IndexSelectRowsNode(Tensor x, int[] indices, int r) : Node(x)
    {
        protected internal override void Backward(Tensor dy)
        {
            var gx = GradOf(x);
            var dyd = dy.Data;
            for (int m = 0; m < indices.Length; m++) Elementwise.Add(dyd.Slice(m * r, r), gx.Slice(indices[m] * r, r));
        }
    }

    /// <summary>
    /// Scatter-adds rows into a copy of x: y = x; y[indices[m]] += source[m] (PyTorch's <c>x.index_add(0, indices, source)</c>).
    /// x [N, ..], source [M, ..] with the same trailing dimensions -> [N, ..]. Backward: dx = dy, dsource[m] = dy[indices[m]].
    /// </summary>
    /// <exception cref="ArgumentException">When the shapes do not fit or the index count differs from M.</exception>
    /// <exception cref="ArgumentOutOfRangeException">When an index is outside [0, N).</exception>
    public static Tensor IndexAddRows(Tensor x, int[] indices, Tensor source) => IndexAddRows(x, [indices], [source]);

    /// <summary>
    /// Several scatter-adds in one op (one output allocation): y = x; for each pair s, y[indices[s][m]] += sources[s][m],
    /// applied in list order (deterministic). Used to combine the outputs of experts that each ran on a subset of rows.
    /// </summary>
    /// <exception cref="ArgumentException">When the lists differ in length, a shape does not fit or an index count differs from its source's rows.</exception>
    /// <exception cref="ArgumentOutOfRangeException">When an index is outside [0, N).</exception>
    public static Tensor IndexAddRows(Tensor x, IReadOnlyList<int[]> indices, IReadOnlyList<Tensor> sources)
    {
        if (x.Rank < 1) throw new ArgumentException("IndexAddRows: cannot scatter rows into a scalar.", nameof(x));
        if (indices.Count != sources.Count)
            throw new ArgumentException($"IndexAddRows: {indices.Count} index lists for {sources.Count} sources.", nameof(indices));
        int n = x.Dim(0), r = ShapeUtil.Product(x.ShapeRef, 1, x.Rank);
        for (int s = 0; s < sources.Count; s++)
        {
            var src = sources[s];
            if (src.Rank != x.Rank || !src.Shape[1..].SequenceEqual(x.Shape[1..]) || src.Dim(0) != indices[s].Length)
                throw new ArgumentException($"IndexAddRows: source {s} has shape {ShapeUtil.Format(src.Shape)}; expected [{indices[s].Length}, ..] with the trailing dimensions of {ShapeUtil.Format(x.Shape)}.", nameof(sources));
            CheckIndices("IndexAddRows", indices[s], n);
        }
        var y = Tensor.Empty(x.ShapeRef);
        x.Data.CopyTo(y.Data);
        var yd = y.Data;
        for (int s = 0; s < sources.Count; s++)
        {
            var sd = sources[s].Data;
            var idx = indices[s];
            for (int m = 0; m < idx.Length; m++) Elementwise.Add(sd.Slice(m * r, r), yd.Slice(idx[m] * r, r));
        }
        var inputs = new Tensor[sources.Count + 1];
        inputs[0] = x;
        for (int s = 0; s < sources.Count; s++) inputs[s + 1] = sources[s];
        return Node.ShouldRecord(inputs) ? new IndexAddRowsNode(inputs, indices.ToArray(), r).Attach(y) : y;
    }

    private sealed class IndexAddRowsNode(Tensor[] operands, int[][] indices, int r) : Node(operands)
    {
        protected internal override void Backward(Tensor dy)
        {
            var dyd = dy.Data;
            if (Inputs[0].RequiresGrad) Elementwise.Add(dyd, Inputs[0].GradBuffer());
            for (int s = 0; s < indices.Length; s++)
            {
                var src = Inputs[s + 1];
                if (!src.RequiresGrad) continue;
                var gs = src.GradBuffer();
                var idx = indices[s];
                for (int m = 0; m < idx.Length; m++) Elementwise.Add(dyd.Slice(idx[m] * r, r), gs.Slice(m * r, r));
            }
        }
    }

    /// <summary>
    /// Gathers single elements of a 2-D tensor: y[m] = x[rows[m], cols[m]]. x [N, C] -> [M].
    /// Backward: dx[rows[m], cols[m]] += dy[m].
    /// </summary>
    /// <exception cref="ArgumentException">When x is not 2-D or the index lists differ in length.</exception>
    /// <exception cref="ArgumentOutOfRangeException">When an index is out of range.</exception>
    public static Tensor GatherElements(Tensor x, int[] rows, int[] cols)
    {
        if (x.Rank != 2) throw new ArgumentException($"GatherElements: expected a [N, C] tensor, got {ShapeUtil.Format(x.Shape)}.", nameof(x));
        if (rows.Length != cols.Length) throw new ArgumentException($"GatherElements: {rows.Length} row indices but {cols.Length} column indices.", nameof(cols));
        int n = x.Dim(0), c = x.Dim(1);
        CheckIndices("GatherElements", rows, n);
        CheckIndices("GatherElements", cols, c);
        var y = Tensor.Empty(rows.Length);
        var xd = x.Data; var yd = y.Data;
        for (int m = 0; m < rows.Length; m++) yd[m] = xd[rows[m] * c + cols[m]];
        return Node.ShouldRecord(x) ? new GatherElementsNode(x, rows, cols, c).Attach(y) : y;
    }

    private sealed class GatherElementsNode(Tensor x, int[] rows, int[] cols, int c) : Node(x)
    {
        protected internal override void Backward(Tensor dy)
        {
            var gx = GradOf(x);
            var dyd = dy.Data;
            for (int m = 0; m < rows.Length; m++) gx[rows[m] * c + cols[m]] += dyd[m];
        }
    }

    /// <summary>
    /// The <paramref name="k"/> largest values of each row, in descending order (ties: the lower column first).
    /// x [N, C] -> values [N, K]; <paramref name="indices"/> gets their columns, row-major [N·K].
    /// Backward: dx[n, indices[n, j]] += dvalues[n, j]; the selection itself is not differentiable.
    /// </summary>
    /// <exception cref="ArgumentException">When x is not 2-D.</exception>
    /// <exception cref="ArgumentOutOfRangeException">When k is outside [1, C].</exception>
    public static Tensor TopK(Tensor x, int k, out int[] indices)
    {
        if (x.Rank != 2) throw new ArgumentException($"TopK: expected a [N, C] tensor, got {ShapeUtil.Format(x.Shape)}.", nameof(x));
        int n = x.Dim(0), c = x.Dim(1);
        if (k < 1 || k > c) throw new ArgumentOutOfRangeException(nameof(k), $"TopK: k must be in [1, {c}] for {ShapeUtil.Format(x.Shape)}, got {k}.");
        indices = new int[n * k];
        var y = Tensor.Empty(n, k);
        var xd = x.Data; var yd = y.Data;
        for (int row = 0; row < n; row++)
        {
            var xr = xd.Slice(row * c, c);
            var idx = indices.AsSpan(row * k, k);
            int count = 0;
            // Insertion into a sorted list of length k: O(C·K), fine for the small K of routing.
            for (int j = 0; j < c; j++)
            {
                float v = xr[j];
                if (count == k && !(v > xr[idx[k - 1]])) continue;
                int pos = count < k ? count++ : k - 1;
                while (pos > 0 && v > xr[idx[pos - 1]]) { idx[pos] = idx[pos - 1]; pos--; }
                idx[pos] = j;
            }
            for (int j = 0; j < k; j++) yd[row * k + j] = xr[idx[j]];
        }
        if (!Node.ShouldRecord(x)) return y;
        var rows = new int[n * k];
        for (int i = 0; i < rows.Length; i++) rows[i] = i / k;
        return new GatherElementsNode(x, rows, indices, c).Attach(y);
    }

    private static void CheckIndices(string op, int[] indices, int n)
    {
        foreach (int i in indices)
            if ((uint)i >= (uint)n)
                throw new ArgumentOutOfRangeException(nameof(indices), $"{op}: index {i} is outside [0, {n}).");
    }
}
