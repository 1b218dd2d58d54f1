using NeuralSharp.Kernels;

namespace NeuralSharp;

// Legend: B batch, H heads, Tq query positions, Tk key positions, D query/key width, Dv value width.
public static partial class Functional
{
    /// <summary>
    /// Scaled dot-product attention: softmax(q·kᵀ/√D + M)·v, where M is -∞ at masked (query i, key j) pairs and 0 elsewhere.
    /// q [B, H, Tq, D], k [B, H, Tk, D], v [B, H, Tk, Dv] -> [B, H, Tq, Dv]; or the same without the head dimension
    /// (q [B, Tq, D], k [B, Tk, D], v [B, Tk, Dv] -> [B, Tq, Dv]).
    /// A pair is masked when <paramref name="causal"/> and j &gt; i, or when <paramref name="keyPaddingMask"/>[b, j] is 0.
    /// A query row whose keys are all masked gets all-zero attention weights, hence a zero output row and zero gradients
    /// (PyTorch 1.13 gives NaN there); this is a definition, not an accident: such a row attends to nothing.
    /// Built from existing ops: batched <see cref="MatMul"/>, <see cref="Softmax(Tensor, int)"/> and a masked fill.
    /// </summary>
    /// <param name="q">Queries.</param>
    /// <param name="k">Keys.</param>
    /// <param name="v">Values.</param>
    /// <param name="keyPaddingMask">Optional key mask [B, Tk]: 1 = attend to the key, 0 = padding (the Hugging Face
    /// attention_mask convention; PyTorch's key_padding_mask is the opposite: True = padding). Values must be 0 or 1.</param>
    /// <param name="causal">Exclude keys after the query (j &gt; i), top-left aligned as PyTorch's is_causal.</param>
    /// <param name="dropout">Dropout probability on the attention weights, in [0, 1); applied whenever &gt; 0.</param>
    /// <param name="random">Dropout-mask source; <see cref="RandomSource.Global"/> when null.</param>
    /// <exception cref="ArgumentException">When the ranks or shapes of q, k, v do not fit (naming them and their shapes), or
    /// the mask's shape is not [B, Tk] or it holds a value other than 0 and 1 (naming keyPaddingMask and both shapes).</exception>
    /// <exception cref="ArgumentOutOfRangeException">When the dropout is outside [0, 1).</exception>
    public static Tensor ScaledDotProductAttention(Tensor q, Tensor k, Tensor v, Tensor? keyPaddingMask = null, bool causal = false,
        float dropout = 0f, RandomSource? random = null)
    {
        const string op = "ScaledDotProductAttention";
        if (q.Rank is not (3 or 4) || k.Rank != q.Rank || v.Rank != q.Rank)
            throw new ArgumentException($"{op}: q, k and v must all be [B, H, T, D] or all [B, T, D]; got q {ShapeUtil.Format(q.Shape)}, k {ShapeUtil.Format(k.Shape)}, v {ShapeUtil.Format(v.Shape)}.");
        if (!q.Shape[..^2].SequenceEqual(k.Shape[..^2]) || !q.Shape[..^2].SequenceEqual(v.Shape[..^2]) || q.Dim(-1) != k.Dim(-1) || k.Dim(-2) != v.Dim(-2))
            throw new ArgumentException($"{op}: shapes do not fit: q {ShapeUtil.Format(q.Shape)}, k {ShapeUtil.Format(k.Shape)}, v {ShapeUtil.Format(v.Shape)} " +
                "(expected q [.., Tq, D], k [.., Tk, D], v [.., Tk, Dv] with equal leading dimensions).");
        if (!(dropout >= 0f && dropout < 1f))
            throw new ArgumentOutOfRangeException(nameof(dropout), $"{op}: dropout must be in [0, 1), got {dropout}.");
        int batch = q.Dim(0), heads = q.Rank == 4 ? q.Dim(1) : 1, tq = q.Dim(-2), tk = k.Dim(-2), d = q.Dim(-1);
        if (keyPaddingMask != null)
        {
            if (keyPaddingMask.Rank != 2 || keyPaddingMask.Dim(0) != batch || keyPaddingMask.Dim(1) != tk)
                throw new ArgumentException($"{op}: keyPaddingMask must be [B, Tk] = {ShapeUtil.Format([batch, tk])}, got {ShapeUtil.Format(keyPaddingMask.Shape)}.", nameof(keyPaddingMask));
            foreach (float m in keyPaddingMask.Data)
                if (m != 0f && m != 1f)
                    throw new ArgumentException($"{op}: keyPaddingMask {ShapeUtil.Format(keyPaddingMask.Shape)} must hold only 0 (padding) and 1 (keep), found {m}.", nameof(keyPaddingMask));
        }

        var scores = Mul(MatMul(q, Transpose(k, -2, -1)), 1f / MathF.Sqrt(d)); // [.., Tq, Tk]
        bool[]? deadRows = null;
        if (causal || keyPaddingMask != null)
        {
            var fill = BuildAttentionMask(keyPaddingMask, causal, batch, heads, tq, tk, out deadRows);
            scores = MaskedFill(scores, fill, float.NegativeInfinity);
        }
        var weights = Softmax(scores, -1);
        if (deadRows != null)
        {
            var dead = new bool[weights.Size];
            for (int r = 0; r < deadRows.Length; r++)
                if (deadRows[r]) dead.AsSpan(r * tk, tk).Fill(true);
            weights = MaskedFill(weights, dead, 0f);
        }
        if (dropout > 0f) weights = Dropout(weights, dropout, training: true, random ?? RandomSource.Global);
        return MatMul(weights, v);
    }

    /// <summary>
    /// The fill mask over the scores [B, H, Tq, Tk]: true where a pair is masked, but false throughout a row whose pairs are all
    /// masked (<paramref name="deadRows"/> marks those; they are zeroed after the softmax instead). deadRows is null when none.
    /// </summary>
    private static bool[] BuildAttentionMask(Tensor? keyPaddingMask, bool causal, int batch, int heads, int tq, int tk, out bool[]? deadRows)
    {
        var fill = new bool[batch * heads * tq * tk];
        deadRows = null;
        ReadOnlySpan<float> pad = keyPaddingMask is null ? default : keyPaddingMask.Data;
        for (int b = 0; b < batch; b++)
            for (int h = 0; h < heads; h++)
                for (int i = 0; i < tq; i++)
                {
                    int row = (b * heads + h) * tq + i;
                    var f = fill.AsSpan(row * tk, tk);
                    bool any = false;
                    for (int j = 0; j < tk; j++)
                    {
                        bool masked = (causal && j > i) || (!pad.IsEmpty && pad[b * tk + j] == 0f);
                        f[j] = masked;
                        any |= !masked;
                    }
                    if (!any && tk > 0)
                    {
                        f.Clear();
                        (deadRows ??= new bool[batch * heads * tq])[row] = true;
                    }
                }
        return fill;
    }

    /// <summary>
    /// y = x with <paramref name="value"/> where <paramref name="mask"/> is non-zero (PyTorch's masked_fill). mask is
    /// broadcast to x's shape (right-aligned; each of its dimensions equals x's or is 1). Gradient: dx += dy where the mask is 0.
    /// </summary>
    /// <exception cref="ArgumentException">When the mask does not broadcast to x (naming both shapes).</exception>
    public static Tensor MaskedFill(Tensor x, Tensor mask, float value)
    {
        int rank = x.Rank;
        bool fits = mask.Rank <= rank;
        for (int i = 1; fits && i <= mask.Rank; i++) fits = mask.Dim(-i) == 1 || mask.Dim(-i) == x.Dim(-i);
        if (!fits)
            throw new ArgumentException($"MaskedFill: mask {ShapeUtil.Format(mask.Shape)} does not broadcast to x {ShapeUtil.Format(x.Shape)}.", nameof(mask));
        // The mask's stride for each of x's dimensions (0 where broadcast), then one walk over x's multi-index.
        var strides = new int[rank];
        for (int i = 1, s = 1; i <= mask.Rank; i++)
        {
            strides[rank - i] = mask.Dim(-i) == 1 ? 0 : s;
            s *= mask.Dim(-i);
        }
        var fill = new bool[x.Size];
        var md = mask.Data;
        var index = new int[rank];
        for (int e = 0, m = 0; e < fill.Length; e++)
        {
            fill[e] = md[m] != 0f;
            for (int a = rank - 1; a >= 0; a--) // odometer step
            {
                m += strides[a];
                if (++index[a] < x.ShapeRef[a]) break;
                m -= strides[a] * index[a];
                index[a] = 0;
            }
        }
        return MaskedFill(x, fill, value);
    }

    /// <summary>y = x with <paramref name="value"/> where <paramref name="fill"/> (one flag per element of x) is true.</summary>
    internal static Tensor MaskedFill(Tensor x, bool[] fill, float value)
    {
        var y = Tensor.Empty(x.ShapeRef);
        var xd = x.Data; var yd = y.Data;
        for (int i = 0; i < yd.Length; i++) yd[i] = fill[i] ? value : xd[i];
        return Node.ShouldRecord(x) ? new MaskedFillNode(x, fill).Attach(y) : y;
    }

    private sealed class MaskedFillNode(Tensor x, bool[] fill) : Node(x)
    {
        protected internal override void Backward(Tensor dy)
        {
            var dx = GradOf(x);
            if (dx.IsEmpty) return;
            var d = dy.Data;
            for (int i = 0; i < dx.Length; i++)
                if (!fill[i]) dx[i] += d[i];
        }
    }
}
