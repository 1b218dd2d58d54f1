namespace NeuralSharp;

public static partial class Functional
{
    /// <summary>
    /// Layer normalisation over the last <c>normalizedSize</c> elements of each row:
    /// y = (x - mean) / sqrt(var + eps) · γ + β, with the biased variance (as PyTorch).
    /// </summary>
    /// <param name="x">Input [.., D].</param>
    /// <param name="weight">γ [D], or null for no scale.</param>
    /// <param name="bias">β [D], or null for no shift.</param>
    /// <param name="eps">Added to the variance.</param>
    /// <exception cref="ArgumentException">When γ or β do not match the last dimension.</exception>
    public static Tensor LayerNorm(Tensor x, Tensor? weight, Tensor? bias, float eps = 1e-5f)
    {
        int cols = NormColumns(x, weight, bias, "LayerNorm");
        int rows = x.Size / Math.Max(cols, 1);
        var y = Tensor.Empty(x.ShapeRef);
        var mean = Tensor.Empty(rows);
        var rstd = Tensor.Empty(rows);
        Kernels.LayerNorm.Forward(x.Data, Span(weight), Span(bias), eps, y.Data, mean.Data, rstd.Data, rows, cols);
        if (Node.ShouldRecord(x, weight, bias)) return new LayerNormNode(x, weight, bias, mean, rstd, rows, cols).Attach(y);
        mean.Dispose();
        rstd.Dispose();
        return y;
    }

    private sealed class LayerNormNode(Tensor x, Tensor? weight, Tensor? bias, Tensor mean, Tensor rstd, int rows, int cols)
        : Node(Inputs3(x, weight, bias))
    {
        protected internal override void Backward(Tensor dy)
        {
            // The kernel always writes dx: when only γ/β need gradients (a norm applied to the raw input), dx goes to scratch.
            using var scratch = x.RequiresGrad ? null : Tensor.Zeros(x.ShapeArray);
            Kernels.LayerNorm.Backward(x.Data, Span(weight), mean.Data, rstd.Data, dy.Data, scratch != null ? scratch.Data : GradOf(x),
                weight is { RequiresGrad: true } ? weight.GradBuffer() : default, bias is { RequiresGrad: true } ? bias.GradBuffer() : default, rows, cols);
        }

        protected override void ReleaseSaved()
        {
            mean.Dispose();
            rstd.Dispose();
        }
    }

    /// <summary>RMS normalisation: y = x / sqrt(mean(x²) + eps) · γ over the last dimension (Zhang &amp; Sennrich 2019).</summary>
    /// <exception cref="ArgumentException">When γ does not match the last dimension.</exception>
    public static Tensor RmsNorm(Tensor x, Tensor? weight, float eps = 1e-6f)
    {
        int cols = NormColumns(x, weight, null, "RmsNorm");
        int rows = x.Size / Math.Max(cols, 1);
        var y = Tensor.Empty(x.ShapeRef);
        var rstd = Tensor.Empty(rows);
        Kernels.RmsNorm.Forward(x.Data, Span(weight), eps, y.Data, rstd.Data, rows, cols);
        if (Node.ShouldRecord(x, weight)) return new RmsNormNode(x, weight, rstd, rows, cols).Attach(y);
        rstd.Dispose();
        return y;
    }

    private sealed class RmsNormNode(Tensor x, Tensor? weight, Tensor rstd, int rows, int cols) : Node(Inputs3(x, weight, null))
    {
        protected internal override void Backward(Tensor dy)
        {
            // As LayerNorm: dx goes to scratch when the input needs no gradient.
            using var scratch = x.RequiresGrad ? null : Tensor.Zeros(x.ShapeArray);
            Kernels.RmsNorm.Backward(x.Data, Span(weight), rstd.Data, dy.Data, scratch != null ? scratch.Data : GradOf(x),
                weight is { RequiresGrad: true } ? weight.GradBuffer() : default, rows, cols);
        }

        protected override void ReleaseSaved() => rstd.Dispose();
    }

    private static int NormColumns(Tensor x, Tensor? weight, Tensor? bias, string op)
    {
        if (x.Rank < 1) throw new ArgumentException($"{op}: input must have at least one dimension; got a scalar.");
        int cols = x.Dim(-1);
        if (weight != null && (weight.Rank != 1 || weight.Dim(0) != cols))
            throw new ArgumentException($"{op}: weight {ShapeUtil.Format(weight.Shape)} does not match input {ShapeUtil.Format(x.Shape)} (expected [{cols}]).");
        if (bias != null && (bias.Rank != 1 || bias.Dim(0) != cols))
            throw new ArgumentException($"{op}: bias {ShapeUtil.Format(bias.Shape)} does not match input {ShapeUtil.Format(x.Shape)} (expected [{cols}]).");
        return cols;
    }

    private static ReadOnlySpan<float> Span(Tensor? t) => t == null ? ReadOnlySpan<float>.Empty : t.Data;

    private static Tensor[] Inputs3(Tensor x, Tensor? a, Tensor? b) =>
        (a, b) switch
        {
            (null, null) => [x],
            (not null, null) => [x, a],
            (null, not null) => [x, b],
            _ => [x, a!, b!],
        };
}
