using System.Numerics.Tensors;

namespace NeuralSharp;

public static partial class Functional
{
    /// <summary>
    /// Embedding lookup (PyTorch's <c>F.embedding</c>): y[..., :] = weight[indices[...], :]. The backward pass scatter-adds each
    /// output row's gradient into row indices[...] of the weight gradient; the row <paramref name="paddingIdx"/> gets no gradient.
    /// </summary>
    /// <param name="weight">The table [num, dim].</param>
    /// <param name="indices">Row indices in [0, num), row-major over <paramref name="shape"/>.</param>
    /// <param name="shape">The indices' shape (its product is indices.Length); the output is [..shape, dim].</param>
    /// <param name="paddingIdx">A row (in [0, num)) excluded from the gradient, or null.</param>
    /// <exception cref="ArgumentException">When the weight is not 2-D, the shape does not match the index count, or an index is
    /// out of range (the message names the index and its position).</exception>
    public static Tensor Embedding(Tensor weight, ReadOnlySpan<int> indices, int[] shape, int? paddingIdx = null)
    {
        const string op = "Embedding";
        if (weight.Rank != 2) throw new ArgumentException($"{op}: weight must be [num_embeddings, embedding_dim]; got {ShapeUtil.Format(weight.Shape)}.", nameof(weight));
        int num = weight.Dim(0), dim = weight.Dim(1);
        long count = 1;
        foreach (int s in shape)
        {
            if (s < 0) throw new ArgumentException($"{op}: negative dimension in the indices' shape {ShapeUtil.Format(shape)}.", nameof(shape));
            count *= s;
        }
        if (count != indices.Length)
            throw new ArgumentException($"{op}: {indices.Length} indices do not fill the shape {ShapeUtil.Format(shape)} ({count} elements).", nameof(shape));
        if (paddingIdx is int p && (uint)p >= (uint)num)
            throw new ArgumentOutOfRangeException(nameof(paddingIdx), $"{op}: paddingIdx {p} is outside [0, {num}).");
        for (int i = 0; i < indices.Length; i++)
            if ((uint)indices[i] >= (uint)num)
                throw new ArgumentException($"{op}: index {indices[i]} at position {Position(i, shape)} is outside [0, {num}) (num_embeddings = {num}).", nameof(indices));
        var y = Tensor.Empty([.. shape, dim]);
        var w = weight.Data;
        var yd = y.Data;
        for (int i = 0; i < indices.Length; i++) w.Slice(indices[i] * dim, dim).CopyTo(yd.Slice(i * dim, dim));
        return Node.ShouldRecord(weight) ? new EmbeddingNode(weight, indices.ToArray(), paddingIdx ?? -1, dim).Attach(y) : y;
    }

    /// <summary>
    /// Embedding lookup with the indices held in a float tensor (our tensors are float32): each value must be an integer in
    /// [0, num) (exact for |index| &lt; 2²⁴). See <see cref="Embedding(Tensor, ReadOnlySpan{int}, int[], int?)"/>.
    /// </summary>
    /// <exception cref="ArgumentException">When a value is not an integer or out of range (naming the value and its position).</exception>
    public static Tensor Embedding(Tensor weight, Tensor indices, int? paddingIdx = null)
    {
        var values = indices.Data;
        var ints = new int[values.Length];
        int num = weight.Rank == 2 ? weight.Dim(0) : int.MaxValue;
        for (int i = 0; i < values.Length; i++)
        {
            float v = values[i];
            if (!(v == MathF.Floor(v)) || v < 0f || v >= num)
                throw new ArgumentException($"Embedding: index {v.ToString(System.Globalization.CultureInfo.InvariantCulture)} at position {Position(i, indices.ShapeRef)} " +
                    $"is not an integer in [0, {num}).", nameof(indices));
            ints[i] = (int)v;
        }
        return Embedding(weight, ints, indices.ShapeArray, paddingIdx);
    }

    /// <summary>The multi-index of flat position <paramref name="flat"/> in <paramref name="shape"/>, as "[i, j]".</summary>
    private static string Position(int flat, int[] shape)
    {
        if (shape.Length == 0) return "[]";
        var index = new int[shape.Length];
        for (int d = shape.Length - 1; d >= 0; d--)
        {
            int s = Math.Max(shape[d], 1);
            index[d] = flat % s;
            flat /= s;
        }
        return "[" + string.Join(", ", index) + "]";
    }

    private sealed class EmbeddingNode(Tensor weight, int[] indices, int paddingIdx, int dim) : Node(weight)
    {
        protected internal override void Backward(Tensor dy)
        {
            var g = weight.GradBuffer();
            var d = dy.Data;
            // Sequential in position order: the sum into each row is deterministic.
            for (int i = 0; i < indices.Length; i++)
            {
                int row = indices[i];
                if (row == paddingIdx) continue;
                var target = g.Slice(row * dim, dim);
                TensorPrimitives.Add(target, d.Slice(i * dim, dim), target);
            }
        }
    }
}
