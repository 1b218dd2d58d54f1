using NeuralSharp.Kernels;

namespace NeuralSharp;

public static partial class Functional
{
    /// <summary>ReLU6: min(max(x, 0), 6).</summary>
    public static Tensor Relu6(Tensor x) => Activate(x, Activation.Relu6);

    /// <summary>ELU: x for x &gt; 0, alpha (e^x - 1) otherwise.</summary>
    public static Tensor Elu(Tensor x, float alpha = 1f) => Activate(x, Activation.Elu, alpha);

    /// <summary>SELU: scale (x for x &gt; 0, alpha (e^x - 1) otherwise), alpha = 1.6732632, scale = 1.0507010.</summary>
    public static Tensor Selu(Tensor x) => Activate(x, Activation.Selu);

    /// <summary>CELU: x for x &gt; 0, alpha (e^(x/alpha) - 1) otherwise.</summary>
    /// <exception cref="ArgumentException">When alpha is 0 or NaN.</exception>
    public static Tensor Celu(Tensor x, float alpha = 1f) => Activate(x, Activation.Celu, alpha);

    /// <summary>Mish: x tanh(softplus(x)).</summary>
    public static Tensor Mish(Tensor x) => Activate(x, Activation.Mish);

    /// <summary>Hard sigmoid: min(max(x + 3, 0), 6) / 6.</summary>
    public static Tensor HardSigmoid(Tensor x) => Activate(x, Activation.HardSigmoid);

    /// <summary>Hard swish: x min(max(x + 3, 0), 6) / 6.</summary>
    public static Tensor HardSwish(Tensor x) => Activate(x, Activation.HardSwish);

    /// <summary>Softsign: x / (1 + |x|).</summary>
    public static Tensor Softsign(Tensor x) => Activate(x, Activation.Softsign);

    /// <summary>Log-sigmoid: ln sigmoid(x) = -softplus(-x), stable for large |x|.</summary>
    public static Tensor LogSigmoid(Tensor x) => Activate(x, Activation.LogSigmoid);

    /// <summary>Softmin along <paramref name="axis"/>: softmax(-x).</summary>
    public static Tensor Softmin(Tensor x, int axis = -1) => Softmax(Neg(x), axis);

    /// <summary>
    /// PReLU: y = x for x &gt; 0, w[c] x otherwise, where c indexes dimension 1 of x (the channels; the last dimension of an
    /// [N, C] input), or w has a single element shared by all.
    /// </summary>
    /// <param name="x">Input of rank &gt;= 1 (rank &gt;= 2 when w has more than one element).</param>
    /// <param name="weight">Slopes [C] with C = x's dimension 1, or [1].</param>
    /// <exception cref="ArgumentException">When the weight is not one-dimensional or its length is neither 1 nor x's dimension 1.</exception>
    public static Tensor Prelu(Tensor x, Tensor weight)
    {
        if (weight.Rank != 1)
            throw new ArgumentException($"PReLU: weight must be one-dimensional, got shape {ShapeUtil.Format(weight.ShapeRef)}.", nameof(weight));
        int channels = weight.ShapeRef[0];
        int outer, inner;
        if (channels == 1) { outer = 1; inner = x.Size; }
        else
        {
            if (x.Rank < 2 || x.ShapeRef[1] != channels)
                throw new ArgumentException(
                    $"PReLU: weight has {channels} elements but input {ShapeUtil.Format(x.ShapeRef)} has " +
                    (x.Rank < 2 ? "no channel dimension (rank < 2)" : $"{x.ShapeRef[1]} channels (dimension 1)") + "; expected 1 or the channel count.",
                    nameof(weight));
            outer = x.ShapeRef[0];
            inner = ShapeUtil.Product(x.ShapeRef, 2, x.Rank);
        }
        var y = Tensor.Empty(x.ShapeRef);
        Kernels.Prelu.Forward(x.Data, weight.Data, y.Data, outer, channels, inner);
        return Node.ShouldRecord(x, weight) ? new PreluNode(x, weight, outer, channels, inner).Attach(y) : y;
    }

    private sealed class PreluNode(Tensor x, Tensor weight, int outer, int channels, int inner) : Node(x, weight)
    {
        public override string Name => "PReLU";

        protected internal override void Backward(Tensor dy) =>
            Kernels.Prelu.Backward(x.Data, weight.Data, dy.Data, GradOf(x), GradOf(weight), outer, channels, inner);
    }

    /// <summary>
    /// Gated linear unit along <paramref name="axis"/>: splits x into halves a, b along it and returns a ⊙ sigmoid(b)
    /// (the axis halves in size).
    /// </summary>
    /// <exception cref="ArgumentException">When the axis is out of range or its size is odd.</exception>
    public static Tensor Glu(Tensor x, int axis = -1)
    {
        if (x.Rank == 0) throw new ArgumentException("GLU: the input must have at least one dimension, got a scalar.", nameof(x));
        int a = ShapeUtil.NormalizeAxis(axis, x.Rank, "GLU");
        int size = x.ShapeRef[a];
        if (size % 2 != 0)
            throw new ArgumentException($"GLU: dimension {axis} of input {ShapeUtil.Format(x.ShapeRef)} has odd size {size}; it must be even to split in halves.", nameof(x));
        int outer = ShapeUtil.Product(x.ShapeRef, 0, a), half = size / 2, inner = ShapeUtil.Product(x.ShapeRef, a + 1, x.Rank);
        var shape = x.ShapeArray;
        shape[a] = half;
        var y = Tensor.Empty(shape);
        Kernels.Glu.Forward(x.Data, y.Data, outer, half, inner);
        return Node.ShouldRecord(x) ? new GluNode(x, outer, half, inner).Attach(y) : y;
    }

    private sealed class GluNode(Tensor x, int outer, int half, int inner) : Node(x)
    {
        public override string Name => "GLU";

        protected internal override void Backward(Tensor dy) => Kernels.Glu.Backward(x.Data, dy.Data, GradOf(x), outer, half, inner);
    }
}
