using NeuralSharp.Kernels;

namespace NeuralSharp;

public static partial class Functional
{
    /// <summary>The same values with another shape (one dimension may be -1); a view, no copy.</summary>
    /// <exception cref="ArgumentException">When the element counts differ.</exception>
    public static Tensor Reshape(Tensor x, params int[] shape)
    {
        var resolved = ShapeUtil.ResolveReshape(x.Shape, shape, "Reshape");
        var y = x.View(0, resolved);
        return Node.ShouldRecord(x) ? new ViewNode(x, 0).Attach(y) : y;
    }

    /// <summary>Collapses dimensions <paramref name="startDim"/>..end into one (PyTorch's nn.Flatten default: from 1).</summary>
    public static Tensor Flatten(Tensor x, int startDim = 1)
    {
        int s = ShapeUtil.NormalizeAxis(startDim, x.Rank, "Flatten");
        var shape = new int[s + 1];
        for (int i = 0; i < s; i++) shape[i] = x.ShapeRef[i];
        shape[s] = ShapeUtil.Product(x.ShapeRef, s, x.Rank);
        return Reshape(x, shape);
    }

    /// <summary>Rows [start, start + length) along dimension 0; a view, no copy.</summary>
    /// <exception cref="ArgumentOutOfRangeException">When the range is outside the tensor.</exception>
    public static Tensor SliceRows(Tensor x, int start, int length)
    {
        if (x.Rank < 1) throw new ArgumentException("SliceRows: cannot slice a scalar.");
        if (start < 0 || length < 0 || start + length > x.Dim(0))
            throw new ArgumentOutOfRangeException(nameof(start), $"SliceRows: rows [{start}, {start + length}) are outside a tensor of shape {ShapeUtil.Format(x.Shape)}.");
        int rowSize = ShapeUtil.Product(x.ShapeRef, 1, x.Rank);
        var shape = x.ShapeArray;
        shape[0] = length;
        var y = x.View(start * rowSize, shape);
        return Node.ShouldRecord(x) ? new ViewNode(x, start * rowSize).Attach(y) : y;
    }

    private sealed class ViewNode(Tensor x, int offset) : Node(x)
    {
        protected internal override void Backward(Tensor dy) => Elementwise.Add(dy.Data, GradOf(x).Slice(offset, dy.Size));
    }

    /// <summary>Swaps two dimensions (a copy; PyTorch's transpose followed by contiguous()).</summary>
    public static Tensor Transpose(Tensor x, int dim0 = -2, int dim1 = -1)
    {
        int a = ShapeUtil.NormalizeAxis(dim0, x.Rank, "Transpose"), b = ShapeUtil.NormalizeAxis(dim1, x.Rank, "Transpose");
        var shape = x.ShapeArray;
        (shape[a], shape[b]) = (shape[b], shape[a]);
        var y = Tensor.Empty(shape);
        TransposeCopy(x.Data, x.ShapeRef, a, b, y.Data, accumulate: false);
        return Node.ShouldRecord(x) ? new TransposeNode(x, a, b, shape).Attach(y) : y;
    }

    private sealed class TransposeNode(Tensor x, int a, int b, int[] yShape) : Node(x)
    {
        protected internal override void Backward(Tensor dy) => TransposeCopy(dy.Data, yShape, a, b, GradOf(x), accumulate: true);
    }

    /// <summary>dst (shape with axes a and b swapped) = or += src; walks src as [outer, A, mid, B, inner].</summary>
    private static void TransposeCopy(ReadOnlySpan<float> src, int[] shape, int a, int b, Span<float> dst, bool accumulate)
    {
        if (a == b)
        {
            if (accumulate) Elementwise.Add(src, dst); else src.CopyTo(dst);
            return;
        }
        if (a > b) (a, b) = (b, a);
        int outer = ShapeUtil.Product(shape, 0, a), na = shape[a], mid = ShapeUtil.Product(shape, a + 1, b), nb = shape[b], inner = ShapeUtil.Product(shape, b + 1, shape.Length);
        for (int o = 0; o < outer; o++)
            for (int i = 0; i < na; i++)
                for (int m = 0; m < mid; m++)
                    for (int j = 0; j < nb; j++)
                    {
                        int s = (((o * na + i) * mid + m) * nb + j) * inner;
                        int d = (((o * nb + j) * mid + m) * na + i) * inner;
                        if (accumulate) Elementwise.Add(src.Slice(s, inner), dst.Slice(d, inner));
                        else src.Slice(s, inner).CopyTo(dst.Slice(d, inner));
                    }
    }

    /// <summary>
    /// Inverted dropout: in training zeroes each element with probability <paramref name="p"/> and scales the
    /// rest by 1/(1-p); the identity otherwise. The mask comes from <paramref name="random"/> (seeded, reproducible).
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">When p is outside [0, 1).</exception>
    public static Tensor Dropout(Tensor x, float p, bool training, RandomSource random)
    {
        if (!(p >= 0f && p < 1f)) throw new ArgumentOutOfRangeException(nameof(p), $"Dropout: probability must be in [0, 1), got {p}.");
        if (!training || p == 0f) return x;
        var mask = Tensor.Empty(x.ShapeRef);
        var md = mask.Data;
        float keep = 1f / (1f - p);
        for (int i = 0; i < md.Length; i++) md[i] = random.NextFloat() < p ? 0f : keep;
        var y = Tensor.Empty(x.ShapeRef);
        Elementwise.Binary(BinaryOp.Mul, x.Data, md, y.Data);
        if (Node.ShouldRecord(x)) return new DropoutNode(x, mask).Attach(y);
        mask.Dispose();
        return y;
    }

    private sealed class DropoutNode(Tensor x, Tensor mask) : Node(x)
    {
        protected internal override void Backward(Tensor dy) => Elementwise.MultiplyAdd(dy.Data, mask.Data, GradOf(x));

        protected override void ReleaseSaved() => mask.Dispose();
    }
}
