using NeuralSharp.Kernels;

namespace NeuralSharp;

public static partial class Functional
{
    /// <summary>Sum of all elements, as a scalar tensor.</summary>
    public static Tensor Sum(Tensor x) => SumAxes(x, AllAxes(x.Rank), keepDim: false, scale: 1f, "Sum");

    /// <summary>Mean of all elements, as a scalar tensor.</summary>
    public static Tensor Mean(Tensor x) => SumAxes(x, AllAxes(x.Rank), keepDim: false, scale: x.Size == 0 ? float.NaN : 1f / x.Size, "Mean");

    /// <summary>Sum over the given axes (negative axes count from the end).</summary>
    public static Tensor Sum(Tensor x, int[] axes, bool keepDim = false) => SumAxes(x, axes, keepDim, 1f, "Sum");

    /// <summary>Sum over one axis.</summary>
    public static Tensor Sum(Tensor x, int axis, bool keepDim = false) => SumAxes(x, [axis], keepDim, 1f, "Sum");

    /// <summary>Mean over the given axes.</summary>
    public static Tensor Mean(Tensor x, int[] axes, bool keepDim = false)
    {
        int count = 1;
        foreach (int a in axes) count *= x.Dim(a);
        return SumAxes(x, axes, keepDim, count == 0 ? float.NaN : 1f / count, "Mean");
    }

    /// <summary>Mean over one axis.</summary>
    public static Tensor Mean(Tensor x, int axis, bool keepDim = false) => Mean(x, [axis], keepDim);

    private static int[] AllAxes(int rank)
    {
        var axes = new int[rank];
        for (int i = 0; i < rank; i++) axes[i] = i;
        return axes;
    }

    private static Tensor SumAxes(Tensor x, int[] axes, bool keepDim, float scale, string op)
    {
        int rank = x.Rank;
        var reduced = new bool[rank];
        foreach (int a in axes)
        {
            int n = ShapeUtil.NormalizeAxis(a, rank, op);
            if (rank > 0 && reduced[n]) throw new ArgumentException($"{op}: axis {a} is listed twice for shape {ShapeUtil.Format(x.Shape)}.");
            if (rank > 0) reduced[n] = true;
        }
        var keptShape = new int[rank];
        var outShape = new List<int>(rank);
        for (int d = 0; d < rank; d++)
        {
            keptShape[d] = reduced[d] ? 1 : x.ShapeRef[d];
            if (!reduced[d] || keepDim) outShape.Add(keptShape[d]);
        }
        var y = Tensor.Empty(outShape.ToArray());
        if (y.Size == 1)
        {
            y.Data[0] = (float)(Reduce.SumAll(x.Data) * scale);
        }
        else
        {
            y.Data.Clear();
            Broadcasting.AccumulateSumToShape(x.Data, x.ShapeRef, y.Data, keptShape);
            if (scale != 1f) Elementwise.Scale(y.Data, scale, y.Data);
        }
        return Node.ShouldRecord(x) ? new SumNode(x, keptShape, scale).Attach(y) : y;
    }

    private sealed class SumNode(Tensor x, int[] keptShape, float scale) : Node(x)
    {
        protected internal override void Backward(Tensor dy)
        {
            // Broadcast dy (viewed with the reduced axes kept as 1) back over x, scaled.
            var gx = x.GradBuffer();
            if (scale == 1f)
            {
                Broadcasting.Binary(BinaryOp.Add, gx, x.ShapeRef, dy.Data, keptShape, gx, x.ShapeRef);
                return;
            }
            var scaled = Tensor.Empty(dy.ShapeRef);
            Elementwise.Scale(dy.Data, scale, scaled.Data);
            Broadcasting.Binary(BinaryOp.Add, gx, x.ShapeRef, scaled.Data, keptShape, gx, x.ShapeRef);
            scaled.Dispose();
        }
    }
}
