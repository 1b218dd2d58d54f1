namespace NeuralSharp.Kernels;

/// <summary>An element-wise binary arithmetic operation, as used by <see cref="Elementwise.Binary"/>.</summary>
public enum BinaryOp
{
    /// <summary>x + y.</summary>
    Add,
    /// <summary>x - y.</summary>
    Sub,
    /// <summary>x * y.</summary>
    Mul,
    /// <summary>x / y (IEEE: division by zero gives ±inf or NaN).</summary>
    Div,
}
