namespace NeuralSharp;

public sealed partial class Tensor
{
    /// <summary>Element-wise sum with broadcasting.</summary>
    public static Tensor operator +(Tensor a, Tensor b) => Functional.Add(a, b);

    /// <summary>Element-wise difference with broadcasting.</summary>
    public static Tensor operator -(Tensor a, Tensor b) => Functional.Sub(a, b);

    /// <summary>Element-wise product with broadcasting.</summary>
    public static Tensor operator *(Tensor a, Tensor b) => Functional.Mul(a, b);

    /// <summary>Element-wise quotient with broadcasting.</summary>
    public static Tensor operator /(Tensor a, Tensor b) => Functional.Div(a, b);

    /// <summary>Adds a constant.</summary>
    public static Tensor operator +(Tensor a, float s) => Functional.Add(a, s);

    /// <summary>Subtracts a constant.</summary>
    public static Tensor operator -(Tensor a, float s) => Functional.Add(a, -s);

    /// <summary>Multiplies by a constant.</summary>
    public static Tensor operator *(Tensor a, float s) => Functional.Mul(a, s);

    /// <summary>Multiplies by a constant.</summary>
    public static Tensor operator *(float s, Tensor a) => Functional.Mul(a, s);

    /// <summary>Divides by a constant.</summary>
    public static Tensor operator /(Tensor a, float s) => Functional.Mul(a, 1f / s);

    /// <summary>Negation.</summary>
    public static Tensor operator -(Tensor a) => Functional.Neg(a);

    /// <summary>Matrix product (see <see cref="Functional.MatMul"/>).</summary>
    public Tensor MatMul(Tensor other) => Functional.MatMul(this, other);

    /// <summary>A view with another shape (see <see cref="Functional.Reshape"/>).</summary>
    public Tensor Reshape(params int[] shape) => Functional.Reshape(this, shape);

    /// <summary>Swaps two dimensions (a copy).</summary>
    public Tensor Transpose(int dim0 = -2, int dim1 = -1) => Functional.Transpose(this, dim0, dim1);

    /// <summary>Rows [start, start + length) along dimension 0 (a view).</summary>
    public Tensor SliceRows(int start, int length) => Functional.SliceRows(this, start, length);

    /// <summary>Sum of all elements.</summary>
    public Tensor Sum() => Functional.Sum(this);

    /// <summary>Sum over the given axes.</summary>
    public Tensor Sum(int[] axes, bool keepDim = false) => Functional.Sum(this, axes, keepDim);

    /// <summary>Mean of all elements.</summary>
    public Tensor Mean() => Functional.Mean(this);

    /// <summary>Mean over the given axes.</summary>
    public Tensor Mean(int[] axes, bool keepDim = false) => Functional.Mean(this, axes, keepDim);

    /// <summary>e^x element-wise.</summary>
    public Tensor Exp() => Functional.Exp(this);

    /// <summary>Natural logarithm element-wise.</summary>
    public Tensor Log() => Functional.Log(this);

    /// <summary>Square root element-wise.</summary>
    public Tensor Sqrt() => Functional.Sqrt(this);

    /// <summary>x^p element-wise.</summary>
    public Tensor Pow(float p) => Functional.Pow(this, p);

    /// <summary>Index of the largest value of each row of a [N, C] tensor (the first on ties).</summary>
    /// <exception cref="InvalidOperationException">When the tensor is not 2-D.</exception>
    public int[] ArgMaxRows()
    {
        if (Rank != 2) throw new InvalidOperationException($"Tensor.ArgMaxRows: expected a [N, C] tensor, got {ShapeUtil.Format(_shape)}.");
        int rows = _shape[0], cols = _shape[1];
        var result = new int[rows];
        var data = Data;
        for (int r = 0; r < rows; r++) result[r] = cols == 0 ? -1 : Kernels.Reduce.ArgMax(data.Slice(r * cols, cols));
        return result;
    }
}
