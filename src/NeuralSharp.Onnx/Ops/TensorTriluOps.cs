using NeuralSharp.Onnx.Import;

namespace NeuralSharp.Onnx.Ops;

// Trilu: keeps a triangle of each matrix in the last two axes, zeroes the rest.
internal static partial class ShapeOps
{
    /// <summary>
    /// Trilu: for each [rows, cols] matrix of the last two axes keeps element (i, j) when j - i &gt;= k (upper=1, the
    /// default) or j - i &lt;= k (upper=0), with k the optional int64 scalar input (default 0); others become zero.
    /// </summary>
    private static OnnxOp CreateTrilu(OpContext ctx)
    {
        ctx.RequireArity(1, 2);
        ctx.RequireKnownAttributes("upper");
        var type = AnyType(ctx, 0);
        if (ctx.HasInput(1)) ctx.RequireType(1, OnnxElementType.Int64);
        bool upper = ctx.Int("upper", 1) != 0;
        var shape = ctx.Input(0).Shape;
        if (shape != null && shape.Length < 2) throw ctx.Fail($"input {ctx.Input(0).ShapeText} must have rank 2 or more");
        return Op(new ValueInfo(type, shape), (ins, outs) =>
        {
            var x = ins[0]!;
            if (x.Rank < 2) throw RunError("Trilu", $"input {TensorData.Text(x.Shape)} must have rank 2 or more");
            long k = 0;
            if (ins.Length > 1 && ins[1] != null)
            {
                if (ins[1]!.Length != 1) throw RunError("Trilu", $"k must be a scalar, it has shape {TensorData.Text(ins[1]!.Shape)}");
                k = ins[1]!.AsSpan<long>()[0];
            }
            var y = TensorData.New(x.ElementType, x.ShapeArray);
            int rows = x.Shape[^2], cols = x.Shape[^1];
            switch (TensorData.Width(x.ElementType))
            {
                case ElementWidth.Bits8: Triangle<byte>(TensorData.Span<byte>(x), TensorData.Span<byte>(y), rows, cols, k, upper); break;
                case ElementWidth.Bits16: Triangle<short>(TensorData.Span<short>(x), TensorData.Span<short>(y), rows, cols, k, upper); break;
                case ElementWidth.Bits32: Triangle<int>(TensorData.Span<int>(x), TensorData.Span<int>(y), rows, cols, k, upper); break;
                case ElementWidth.Bits64: Triangle<long>(TensorData.Span<long>(x), TensorData.Span<long>(y), rows, cols, k, upper); break;
                default: Triangle<string>(TensorData.Span<string>(x), TensorData.Span<string>(y), rows, cols, k, upper); break;
            }
            outs[0] = y;
        });
    }

    /// <summary>Copies the kept triangle of each matrix into <paramref name="dst"/>, which starts zeroed.</summary>
    private static void Triangle<T>(ReadOnlySpan<T> src, Span<T> dst, int rows, int cols, long k, bool upper)
    {
        int matrix = rows * cols;
        if (matrix == 0) return;
        k = Math.Clamp(k, -(long)rows - 1, (long)cols + 1); // beyond this every k keeps all or nothing; no overflow

        for (int m = 0; m < src.Length; m += matrix)
            for (int i = 0; i < rows; i++)
            {
                // Columns kept in row i: j >= i + k (upper) or j <= i + k (lower), clipped to [0, cols).
                long from = upper ? Math.Clamp(i + k, 0, cols) : 0;
                long to = upper ? cols : Math.Clamp(i + k + 1, 0, cols);
                if (to > from)
                    src.Slice(m + i * cols + (int)from, (int)(to - from)).CopyTo(dst.Slice(m + i * cols + (int)from, (int)(to - from)));
            }
    }
}
