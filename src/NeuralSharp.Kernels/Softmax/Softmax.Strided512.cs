using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace NeuralSharp.Kernels;

// Column chunks of one [dim, inner] block: 16 neighbouring inner positions c..c+15 walk down dim together,
// each step a contiguous vector load at d*inner + c. Softmax.Strided256.cs is this file with 512 -> 256
// (and 16 -> 8 lanes, which the code does not depend on).
public static partial class Softmax
{
    private static void ForwardCols512(ref float x, ref float y, int dim, int inner, int c)
    {
        var max = Vector512.LoadUnsafe(ref x, (nuint)c);
        var nan = ~Vector512.Equals(max, max);
        for (int d = 1; d < dim; d++)
        {
            var v = Vector512.LoadUnsafe(ref x, (nuint)(d * inner + c));
            nan |= ~Vector512.Equals(v, v);
            max = Vector512.MaxNative(max, v);
        }
        max |= nan; // NaN lanes (all ones) poison the whole column
        var sum = Vector512<float>.Zero;
        for (int d = 0; d < dim; d++)
        {
            nuint k = (nuint)(d * inner + c);
            var e = FastMath.Exp(Vector512.LoadUnsafe(ref x, k) - max);
            e.StoreUnsafe(ref y, k);
            sum += e;
        }
        for (int d = 0; d < dim; d++)
        {
            nuint k = (nuint)(d * inner + c);
            (Vector512.LoadUnsafe(ref y, k) / sum).StoreUnsafe(ref y, k);
        }
    }

    private static void LogForwardCols512(ref float x, ref float y, int dim, int inner, int c)
    {
        var max = Vector512.LoadUnsafe(ref x, (nuint)c);
        var nan = ~Vector512.Equals(max, max);
        for (int d = 1; d < dim; d++)
        {
            var v = Vector512.LoadUnsafe(ref x, (nuint)(d * inner + c));
            nan |= ~Vector512.Equals(v, v);
            max = Vector512.MaxNative(max, v);
        }
        max |= nan;
        var sum = Vector512<float>.Zero;
        for (int d = 0; d < dim; d++)
            sum += FastMath.Exp(Vector512.LoadUnsafe(ref x, (nuint)(d * inner + c)) - max);
        var ls = FastMath.Log(sum);
        for (int d = 0; d < dim; d++)
        {
            nuint k = (nuint)(d * inner + c);
            (Vector512.LoadUnsafe(ref x, k) - max - ls).StoreUnsafe(ref y, k);
        }
    }

    private static void BackwardCols512(ref float y, ref float dy, ref float dx, int dim, int inner, int c)
    {
        var s = Vector512<float>.Zero;
        for (int d = 0; d < dim; d++)
        {
            nuint k = (nuint)(d * inner + c);
            s += Vector512.LoadUnsafe(ref y, k) * Vector512.LoadUnsafe(ref dy, k);
        }
        for (int d = 0; d < dim; d++)
        {
            nuint k = (nuint)(d * inner + c);
            var r = Vector512.LoadUnsafe(ref dx, k) + Vector512.LoadUnsafe(ref y, k) * (Vector512.LoadUnsafe(ref dy, k) - s);
            r.StoreUnsafe(ref dx, k);
        }
    }

    private static void LogBackwardCols512(ref float y, ref float dy, ref float dx, int dim, int inner, int c)
    {
        var s = Vector512<float>.Zero;
        for (int d = 0; d < dim; d++)
            s += Vector512.LoadUnsafe(ref dy, (nuint)(d * inner + c));
        for (int d = 0; d < dim; d++)
        {
            nuint k = (nuint)(d * inner + c);
            var r = Vector512.LoadUnsafe(ref dx, k) + (Vector512.LoadUnsafe(ref dy, k) - FastMath.Exp(Vector512.LoadUnsafe(ref y, k)) * s);
            r.StoreUnsafe(ref dx, k);
        }
    }
}
