using NeuralSharp.Kernels;

namespace NeuralSharp;

public static partial class Functional
{
    /// <summary>e^x, element-wise.</summary>
    public static Tensor Exp(Tensor x)
    {
        var y = Tensor.Empty(x.ShapeRef);
        Elementwise.Exp(x.Data, y.Data);
        return Node.ShouldRecord(x) ? new ExpNode(x, y).Attach(y) : y;
    }

    private sealed class ExpNode(Tensor x, Tensor y) : Node(x)
    {
        protected internal override void Backward(Tensor dy) => Elementwise.MultiplyAdd(dy.Data, y.Data, GradOf(x));
    }

    /// <summary>Natural logarithm, element-wise (NaN for negative inputs, -inf at 0, as IEEE).</summary>
    public static Tensor Log(Tensor x)
    {
        var y = Tensor.Empty(x.ShapeRef);
        Elementwise.Log(x.Data, y.Data);
        return Node.ShouldRecord(x) ? new LogNode(x).Attach(y) : y;
    }

    private sealed class LogNode(Tensor x) : Node(x)
    {
        protected internal override void Backward(Tensor dy)
        {
            // d log x = dy / x
            var tmp = Tensor.Empty(dy.ShapeRef);
            Elementwise.Binary(BinaryOp.Div, dy.Data, x.Data, tmp.Data);
            Elementwise.Add(tmp.Data, GradOf(x));
            tmp.Dispose();
        }
    }

    /// <summary>Square root, element-wise.</summary>
    public static Tensor Sqrt(Tensor x)
    {
        var y = Tensor.Empty(x.ShapeRef);
        Elementwise.Sqrt(x.Data, y.Data);
        return Node.ShouldRecord(x) ? new SqrtNode(x, y).Attach(y) : y;
    }

    private sealed class SqrtNode(Tensor x, Tensor y) : Node(x)
    {
        protected internal override void Backward(Tensor dy)
        {
            // d sqrt x = dy / (2 sqrt x)
            var tmp = Tensor.Empty(dy.ShapeRef);
            Elementwise.Binary(BinaryOp.Div, dy.Data, y.Data, tmp.Data);
            Elementwise.MultiplyAdd(tmp.Data, 0.5f, GradOf(x));
            tmp.Dispose();
        }
    }

    /// <summary>x^p element-wise, for a constant exponent.</summary>
    public static Tensor Pow(Tensor x, float p)
    {
        var y = Tensor.Empty(x.ShapeRef);
        Elementwise.Pow(x.Data, p, y.Data);
        return Node.ShouldRecord(x) ? new PowNode(x, p).Attach(y) : y;
    }

    private sealed class PowNode(Tensor x, float p) : Node(x)
    {
        protected internal override void Backward(Tensor dy) => Elementwise.PowBackward(x.Data, p, dy.Data, GradOf(x));
    }

    /// <summary>Applies an activation function element-wise (see <see cref="Activation"/>).</summary>
    /// <param name="x">The input.</param>
    /// <param name="activation">Which function.</param>
    /// <param name="alpha">LeakyReLU's negative slope or Softplus's beta; ignored by the others.</param>
    public static Tensor Activate(Tensor x, Activation activation, float alpha = 0.01f)
    {
        if (activation == Activation.Identity) return x;
        var y = Tensor.Empty(x.ShapeRef);
        Activations.Forward(activation, x.Data, y.Data, alpha);
        return Node.ShouldRecord(x) ? new ActivationNode(x, y, activation, alpha).Attach(y) : y;
    }

    private sealed class ActivationNode(Tensor x, Tensor y, Activation activation, float alpha) : Node(x)
    {
        public override string Name => activation.ToString();

        protected internal override void Backward(Tensor dy) => Activations.Backward(activation, x.Data, y.Data, dy.Data, GradOf(x), alpha);
    }

    /// <summary>max(x, 0).</summary>
    public static Tensor Relu(Tensor x) => Activate(x, Activation.Relu);

    /// <summary>x for x &gt; 0, else slope * x.</summary>
    public static Tensor LeakyRelu(Tensor x, float negativeSlope = 0.01f) => Activate(x, Activation.LeakyRelu, negativeSlope);

    /// <summary>1 / (1 + e^-x).</summary>
    public static Tensor Sigmoid(Tensor x) => Activate(x, Activation.Sigmoid);

    /// <summary>Hyperbolic tangent.</summary>
    public static Tensor Tanh(Tensor x) => Activate(x, Activation.Tanh);

    /// <summary>GELU: x·Φ(x) (erf form), or its tanh approximation when <paramref name="tanhApproximation"/>.</summary>
    public static Tensor Gelu(Tensor x, bool tanhApproximation = false) => Activate(x, tanhApproximation ? Activation.GeluTanh : Activation.GeluErf);

    /// <summary>SiLU (swish): x·sigmoid(x).</summary>
    public static Tensor Silu(Tensor x) => Activate(x, Activation.Silu);

    /// <summary>Softplus: log(1 + e^(βx))/β, linear where βx &gt; 20 (as PyTorch).</summary>
    public static Tensor Softplus(Tensor x, float beta = 1f) => Activate(x, Activation.Softplus, beta);
}
