using NeuralSharp.Kernels;

namespace NeuralSharp;

// Legend: M rows of the left operand (all leading dimensions collapsed), K the reduction, N columns;
// for Linear: In input features, Out output features.
public static partial class Functional
{
    /// <summary>
    /// Matrix product. a [.., M, K] @ b [K, N] -> [.., M, N] (leading dimensions of a are batch rows), or
    /// a [B.., M, K] @ b [B.., K, N] with equal batch dimensions -> [B.., M, N].
    /// </summary>
    /// <exception cref="ArgumentException">When the inner dimensions or batch dimensions differ.</exception>
    public static Tensor MatMul(Tensor a, Tensor b)
    {
        if (a.Rank < 2 || b.Rank < 2)
            throw new ArgumentException($"MatMul: both operands need at least 2 dimensions; got {ShapeUtil.Format(a.Shape)} and {ShapeUtil.Format(b.Shape)}.");
        int k = a.Dim(-1), n = b.Dim(-1);
        if (b.Dim(-2) != k)
            throw new ArgumentException($"MatMul: inner dimensions differ: {ShapeUtil.Format(a.Shape)} @ {ShapeUtil.Format(b.Shape)} ({k} vs {b.Dim(-2)}).");
        int batch, m;
        if (b.Rank == 2)
        {
            batch = 1;
            m = a.Size / Math.Max(k, 1);
            if (k == 0) m = ShapeUtil.Product(a.ShapeRef, 0, a.Rank - 1);
        }
        else
        {
            if (a.Rank != b.Rank || !a.Shape[..^2].SequenceEqual(b.Shape[..^2]))
                throw new ArgumentException($"MatMul: batch dimensions differ: {ShapeUtil.Format(a.Shape)} @ {ShapeUtil.Format(b.Shape)}.");
            batch = ShapeUtil.Product(a.ShapeRef, 0, a.Rank - 2);
            m = a.Dim(-2);
        }
        var outShape = a.ShapeArray;
        outShape[^1] = n;
        var y = Tensor.Empty(outShape);
        var ad = a.Data; var bd = b.Data; var yd = y.Data;
        for (int i = 0; i < batch; i++)
            Gemm.Sgemm(false, false, m, n, k, 1f, ad.Slice(i * m * k), k, bd.Slice(i * k * n), n, 0f, yd.Slice(i * m * n), n);
        return Node.ShouldRecord(a, b) ? new MatMulNode(a, b, batch, m, k, n).Attach(y) : y;
    }

    private sealed class MatMulNode(Tensor a, Tensor b, int batch, int m, int k, int n) : Node(a, b)
    {
        protected internal override void Backward(Tensor dy)
        {
            var dyd = dy.Data;
            bool sharedB = batch == 1 || b.Rank == 2;
            bool freshA = false, freshB = false;
            for (int i = 0; i < batch; i++)
            {
                var dyi = dyd.Slice(i * m * n);
                // A fresh gradient is overwritten (beta = 0) instead of zero-filled and accumulated into; a shared B's
                // gradient only by the first batch entry, later ones add to it.
                if (a.RequiresGrad) // dA += dY @ B^T
                {
                    var da = a.GradBufferForOverwrite(out bool fresh);
                    if (i == 0) freshA = fresh;
                    Gemm.Sgemm(false, true, m, k, n, 1f, dyi, n, b.Data.Slice(sharedB ? 0 : i * k * n), n, freshA ? 0f : 1f, da.Slice(i * m * k), k);
                }
                if (b.RequiresGrad) // dB += A^T @ dY
                {
                    var db = b.GradBufferForOverwrite(out bool fresh);
                    if (i == 0) freshB = fresh;
                    float beta = freshB && (!sharedB || i == 0) ? 0f : 1f;
                    Gemm.Sgemm(true, false, k, n, m, 1f, a.Data.Slice(i * m * k), k, dyi, n, beta, db.Slice(sharedB ? 0 : i * k * n), n);
                }
            }
        }
    }

    /// <summary>
    /// Fused linear layer: y = act(x·Wᵀ + b). x [.., In], weight [Out, In], bias [Out] or null -> [.., Out].
    /// The forward is one GEMM whose epilogue adds the bias and applies the activation per tile; it keeps the
    /// pre-activation only when recording and the derivative needs it (<see cref="FusedLinear.NeedsPreActivation"/>).
    /// The backward applies the activation derivative and sums the bias gradient in one pass over dy, then runs the
    /// two GEMMs dX += dZ·W and dW += dZᵀ·X.
    /// </summary>
    /// <exception cref="ArgumentException">When the shapes do not fit.</exception>
    public static Tensor Linear(Tensor x, Tensor weight, Tensor? bias = null, Activation activation = Activation.Identity, float alpha = 0.01f)
    {
        if (weight.Rank != 2 || x.Rank < 1 || x.Dim(-1) != weight.Dim(1))
            throw new ArgumentException($"Linear: input {ShapeUtil.Format(x.Shape)} does not fit weight {ShapeUtil.Format(weight.Shape)} (expected input [.., {(weight.Rank == 2 ? weight.Dim(1) : -1)}] and weight [Out, In]).");
        int input = weight.Dim(1), output = weight.Dim(0);
        if (bias != null && (bias.Rank != 1 || bias.Dim(0) != output))
            throw new ArgumentException($"Linear: bias {ShapeUtil.Format(bias.Shape)} does not fit weight {ShapeUtil.Format(weight.Shape)} (expected [{output}]).");
        int rows = ShapeUtil.Product(x.ShapeRef, 0, x.Rank - 1);
        var outShape = x.ShapeArray;
        outShape[^1] = output;
        bool record = Node.ShouldRecord(x, weight, bias);
        var y = Tensor.Empty(outShape);
        Tensor? z = record && FusedLinear.NeedsPreActivation(activation, alpha) ? Tensor.Empty(outShape) : null;
        Gemm.SgemmBiasActivation(false, true, rows, output, input, x.Data, input, weight.Data, input,
            bias is null ? default : bias.Data, activation, alpha, y.Data, output, z is null ? default : z.Data);
        return record ? new LinearNode(x, weight, bias, z, y, activation, alpha, rows).Attach(y) : y;
    }

    /// <summary>
    /// The fused linear layer's forward with the weight pre-packed (<paramref name="packedWeight"/> = Gemm.PackB of
    /// <paramref name="weight"/> with transB): y = act(x·Wᵀ + b), never recorded (inference only). The caller guarantees
    /// that the packed copy holds the weight's current values.
    /// </summary>
    internal static Tensor LinearPacked(Tensor x, Tensor weight, Tensor? bias, Activation activation, float alpha, GemmPackedB packedWeight)
    {
        if (weight.Rank != 2 || x.Rank < 1 || x.Dim(-1) != weight.Dim(1) || packedWeight.K != weight.Dim(1) || packedWeight.N != weight.Dim(0))
            throw new ArgumentException($"Linear: input {ShapeUtil.Format(x.Shape)} does not fit weight {ShapeUtil.Format(weight.Shape)} (expected input [.., {(weight.Rank == 2 ? weight.Dim(1) : -1)}] and weight [Out, In]).");
        int output = weight.Dim(0);
        if (bias != null && (bias.Rank != 1 || bias.Dim(0) != output))
            throw new ArgumentException($"Linear: bias {ShapeUtil.Format(bias.Shape)} does not fit weight {ShapeUtil.Format(weight.Shape)} (expected [{output}]).");
        int rows = ShapeUtil.Product(x.ShapeRef, 0, x.Rank - 1);
        var outShape = x.ShapeArray;
        outShape[^1] = output;
        var y = Tensor.Empty(outShape);
        Gemm.SgemmBiasActivationPacked(false, rows, x.Data, weight.Dim(1), packedWeight, bias is null ? default : bias.Data,
            activation, alpha, y.Data, output);
        return y;
    }

    private sealed class LinearNode : Node
    {
        private readonly Tensor _x, _weight, _y;
        private readonly Tensor? _bias, _z;
        private readonly Activation _activation;
        private readonly float _alpha;
        private readonly int _rows;

        // z: the pre-activation, or null when the activation's derivative is computed from y.
        public LinearNode(Tensor x, Tensor weight, Tensor? bias, Tensor? z, Tensor y, Activation activation, float alpha, int rows)
            : base(bias == null ? [x, weight] : [x, weight, bias])
        {
            (_x, _weight, _bias, _z, _y, _activation, _alpha, _rows) = (x, weight, bias, z, y, activation, alpha, rows);
        }

        public override string Name => _activation == Activation.Identity ? "Linear" : "Linear+" + _activation;

        protected internal override void Backward(Tensor dy)
        {
            int input = _weight.Dim(1), output = _weight.Dim(0);
            bool needDz = _x.RequiresGrad || _weight.RequiresGrad;
            Span<float> biasGrad = _bias is { RequiresGrad: true } ? _bias.GradBuffer() : default;
            Tensor? dzOwned = null;
            ReadOnlySpan<float> dz = dy.Data;
            // One pass over dy: dZ = dY·act'(Z) (no zeroing) and the bias gradient's column sums. With Identity dZ is dY
            // itself and the pass only sums the columns. dZ overwrites dY in place (the kernel allows exact aliasing)
            // when dY is the output's own gradient, which the engine frees right after this call unless it is retained;
            // otherwise it goes to a fresh buffer.
            if (_activation != Activation.Identity || !biasGrad.IsEmpty)
            {
                Span<float> dzOut = default;
                if (_activation != Activation.Identity && needDz)
                {
                    if (!_y.RetainsGrad && ReferenceEquals(dy, _y.Grad)) dzOut = dy.Data;
                    else dzOut = (dzOwned = Tensor.Empty(dy.ShapeRef)).Data;
                }
                FusedLinear.ActivationBackward(_activation, _z is null ? default : _z.Data, _y.Data, dy.Data,
                    dzOut, biasGrad, _rows, output, _alpha);
                if (!dzOut.IsEmpty) dz = dzOut;
            }
            // A gradient that does not exist yet is written with beta = 0 instead of zero-filled and accumulated into
            // (the usual case for both: each step's first write to dW, and x feeds only this layer).
            if (_x.RequiresGrad) // dX += dZ @ W
            {
                var dx = _x.GradBufferForOverwrite(out bool fresh);
                Gemm.Sgemm(false, false, _rows, input, output, 1f, dz, output, _weight.Data, input, fresh ? 0f : 1f, dx, input);
            }
            if (_weight.RequiresGrad) // dW += dZᵀ @ X
            {
                var dw = _weight.GradBufferForOverwrite(out bool fresh);
                Gemm.Sgemm(true, false, output, input, _rows, 1f, dz, output, _x.Data, input, fresh ? 0f : 1f, dw, input);
            }
            dzOwned?.Dispose();
        }

        protected override void ReleaseSaved() => _z?.Dispose();
    }
}
