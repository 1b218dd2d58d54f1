using NeuralSharp.Kernels;

namespace NeuralSharp;

/// <summary>
/// The differentiable tensor operations (PyTorch's <c>torch</c> / <c>torch.nn.functional</c>). Each op
/// checks shapes, allocates its result from the pool, calls a kernel and, when recording, attaches
/// the node whose backward sits beside it in the same file.
/// </summary>
public static partial class Functional
{
    /// <summary>a + b with broadcasting.</summary>
    public static Tensor Add(Tensor a, Tensor b) => BinaryOpForward(BinaryOp.Add, a, b, "Add");

    /// <summary>a - b with broadcasting.</summary>
    public static Tensor Sub(Tensor a, Tensor b) => BinaryOpForward(BinaryOp.Sub, a, b, "Sub");

    /// <summary>a * b (element-wise) with broadcasting.</summary>
    public static Tensor Mul(Tensor a, Tensor b) => BinaryOpForward(BinaryOp.Mul, a, b, "Mul");

    /// <summary>a / b (element-wise) with broadcasting.</summary>
    public static Tensor Div(Tensor a, Tensor b) => BinaryOpForward(BinaryOp.Div, a, b, "Div");

    /// <summary>x + s.</summary>
    public static Tensor Add(Tensor x, float s) => Affine(x, 1f, s);

    /// <summary>x * s.</summary>
    public static Tensor Mul(Tensor x, float s) => Affine(x, s, 0f);

    /// <summary>-x.</summary>
    public static Tensor Neg(Tensor x) => Affine(x, -1f, 0f);

    private static Tensor BinaryOpForward(BinaryOp op, Tensor a, Tensor b, string name)
    {
        var outShape = ShapeUtil.SameShape(a.Shape, b.Shape) ? a.ShapeArray : ShapeUtil.Broadcast(a.Shape, b.Shape, name);
        var y = Tensor.Empty(outShape);
        Broadcasting.Binary(op, a.Data, a.ShapeRef, b.Data, b.ShapeRef, y.Data, outShape);
        return Node.ShouldRecord(a, b) ? new BinaryNode(op, a, b).Attach(y) : y;
    }

    private sealed class BinaryNode(BinaryOp op, Tensor a, Tensor b) : Node(a, b)
    {
        public override string Name => op.ToString();

        protected internal override void Backward(Tensor dy)
        {
            var shape = dy.ShapeRef;
            if (a.RequiresGrad)
            {
                switch (op)
                {
                    case BinaryOp.Add or BinaryOp.Sub:
                        Broadcasting.AccumulateSumToShape(dy.Data, shape, a.GradBuffer(), a.ShapeRef);
                        break;
                    case BinaryOp.Mul:
                        WithTemporary(dy, BinaryOp.Mul, b, t => Broadcasting.AccumulateSumToShape(t, shape, a.GradBuffer(), a.ShapeRef));
                        break;
                    case BinaryOp.Div:
                        WithTemporary(dy, BinaryOp.Div, b, t => Broadcasting.AccumulateSumToShape(t, shape, a.GradBuffer(), a.ShapeRef));
                        break;
                }
            }
            if (b.RequiresGrad)
            {
                switch (op)
                {
                    case BinaryOp.Add:
                        Broadcasting.AccumulateSumToShape(dy.Data, shape, b.GradBuffer(), b.ShapeRef);
                        break;
                    case BinaryOp.Sub:
                        WithTemporary(dy, BinaryOp.Mul, Tensor.Scalar(-1f), t => Broadcasting.AccumulateSumToShape(t, shape, b.GradBuffer(), b.ShapeRef));
                        break;
                    case BinaryOp.Mul:
                        WithTemporary(dy, BinaryOp.Mul, a, t => Broadcasting.AccumulateSumToShape(t, shape, b.GradBuffer(), b.ShapeRef));
                        break;
                    case BinaryOp.Div:
                        // d(a/b)/db = -a/b^2 = -(a/b)/b; computed as -(dy*a)/(b*b) in two broadcast passes.
                        var tmp = TensorPool.Rent(dy.Size);
                        try
                        {
                            Broadcasting.Binary(BinaryOp.Mul, dy.Data, shape, a.Data, a.ShapeRef, tmp.AsSpan(0, dy.Size), shape);
                            var bb = TensorPool.Rent(b.Size);
                            try
                            {
                                Elementwise.Binary(BinaryOp.Mul, b.Data, b.Data, bb.AsSpan(0, b.Size));
                                Elementwise.Scale(bb.AsSpan(0, b.Size), -1f, bb.AsSpan(0, b.Size));
                                Broadcasting.Binary(BinaryOp.Div, tmp.AsSpan(0, dy.Size), shape, bb.AsSpan(0, b.Size), b.ShapeRef, tmp.AsSpan(0, dy.Size), shape);
                            }
                            finally { TensorPool.Return(bb); }
                            Broadcasting.AccumulateSumToShape(tmp.AsSpan(0, dy.Size), shape, b.GradBuffer(), b.ShapeRef);
                        }
                        finally { TensorPool.Return(tmp); }
                        break;
                }
            }
        }

        private delegate void SpanAction(ReadOnlySpan<float> values);

        /// <summary>Computes dy op other (broadcast to dy's shape) into pooled scratch and hands it to <paramref name="use"/>.</summary>
        private static void WithTemporary(Tensor dy, BinaryOp op, Tensor other, SpanAction use)
        {
            var tmp = TensorPool.Rent(dy.Size);
            try
            {
                var span = tmp.AsSpan(0, dy.Size);
                Broadcasting.Binary(op, dy.Data, dy.ShapeRef, other.Data, other.ShapeRef, span, dy.ShapeRef);
                use(span);
            }
            finally { TensorPool.Return(tmp); }
        }
    }

    /// <summary>x * scale + shift.</summary>
    internal static Tensor Affine(Tensor x, float scale, float shift)
    {
        var y = Tensor.Empty(x.ShapeRef);
        Elementwise.Scale(x.Data, scale, y.Data);
        if (shift != 0f) Elementwise.BinaryScalarRight(BinaryOp.Add, y.Data, shift, y.Data);
        return Node.ShouldRecord(x) ? new AffineNode(x, scale).Attach(y) : y;
    }

    private sealed class AffineNode(Tensor x, float scale) : Node(x)
    {
        protected internal override void Backward(Tensor dy) => Elementwise.MultiplyAdd(dy.Data, scale, GradOf(x));
    }
}
