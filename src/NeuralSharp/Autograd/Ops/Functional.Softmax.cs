namespace NeuralSharp;

public static partial class Functional
{
    /// <summary>Softmax along <paramref name="axis"/>: exp(x - max) / Σ exp(x - max).</summary>
    public static Tensor Softmax(Tensor x, int axis = -1) => SoftmaxForward(x, axis, log: false);

    /// <summary>Log-softmax along <paramref name="axis"/>: x - max - log Σ exp(x - max).</summary>
    public static Tensor LogSoftmax(Tensor x, int axis = -1) => SoftmaxForward(x, axis, log: true);

    /// <summary>Softmax of x / temperature (temperature &gt; 1 flattens, &lt; 1 sharpens).</summary>
    /// <exception cref="ArgumentOutOfRangeException">When the temperature is not positive and finite.</exception>
    public static Tensor Softmax(Tensor x, int axis, float temperature)
    {
        if (!(temperature > 0f) || float.IsInfinity(temperature))
            throw new ArgumentOutOfRangeException(nameof(temperature), $"Softmax: temperature must be positive and finite, got {temperature}.");
        if (temperature == 1f) return Softmax(x, axis);
        var scaled = Mul(x, 1f / temperature);
        return Softmax(scaled, axis);
    }

    private static Tensor SoftmaxForward(Tensor x, int axis, bool log)
    {
        string op = log ? "LogSoftmax" : "Softmax";
        int a = ShapeUtil.NormalizeAxis(axis, x.Rank, op);
        int outer = ShapeUtil.Product(x.ShapeRef, 0, a), dim = x.Rank == 0 ? 1 : x.ShapeRef[a], inner = ShapeUtil.Product(x.ShapeRef, a + 1, x.Rank);
        var y = Tensor.Empty(x.ShapeRef);
        if (log) Kernels.Softmax.LogForward(x.Data, y.Data, outer, dim, inner);
        else Kernels.Softmax.Forward(x.Data, y.Data, outer, dim, inner);
        return Node.ShouldRecord(x) ? new SoftmaxNode(x, y, log, outer, dim, inner).Attach(y) : y;
    }

    private sealed class SoftmaxNode(Tensor x, Tensor y, bool log, int outer, int dim, int inner) : Node(x)
    {
        public override string Name => log ? "LogSoftmax" : "Softmax";

        protected internal override void Backward(Tensor dy)
        {
            if (log) Kernels.Softmax.LogBackward(y.Data, dy.Data, GradOf(x), outer, dim, inner);
            else Kernels.Softmax.Backward(y.Data, dy.Data, GradOf(x), outer, dim, inner);
        }
    }
}
