using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace NeuralSharp.Kernels;

// Column chunks of one [dim, inner] block: 16 (here 8) neighbouring inner positions walk down dim together,
// each step a contiguous vector load at d*inner + c. This file is generated from Softmax.Strided512.cs with 512 -> 256
// (and 16 -> 8 lanes, which the code does not depend on).
public static partial class Softmax
{
    private static void ForwardCols256(ref float x, ref float y, int dim, int inner, int c)
    {
        var max = Vector256.LoadUnsafe(ref x, (nuint)c);
        var nan = ~Vector256.Equals(max, max);
        for (int d = 1; d < dim; d++)
        {
            var v = Vector256.LoadUnsafe(ref x, (nuint)(d * inner + c));
            nan |= ~Vector256.Equals(v, v);
            max = Vector256.MaxNative(max, v);
        }
        max |= nan; // NaN lanes (all ones) poison the whole column
        var sum = Vector256<float>.Zero;
        for (int d = 0; d < dim; d++)
        {
            nuint k = (nuint)(d * inner + c);
            var e = FastMath.Exp(Vector256.LoadUnsafe(ref x, k) - max);
            e.StoreUnsafe(ref y, k);
            sum += e;
        }
        for (int d = 0; d < dim; d++)
        {
            nuint k = (nuint)(d * inner + c);
            (Vector256.LoadUnsafe(ref y, k) / sum).StoreUnsafe(ref y, k);
        }
    }

    private static void LogForwardCols256(ref float x, ref float y, int dim, int inner, int c)
    {
        var max = Vector256.LoadUnsafe(ref x, (nuint)c);
        var nan = ~Vector256.Equals(max, max);
        for (int d = 1; d < dim; d++)
        {
            var v = Vector256.LoadUnsafe(ref x, (nuint)(d * inner + c));
            nan |= ~Vector256.Equals(v, v);
            max = Vector256.MaxNative(max, v);
        }
        max |= nan;
        var sum = Vector256<float>.Zero;
        for (int d = 0; d < dim; d++)
            sum += FastMath.Exp(Vector256.LoadUnsafe(ref x, (nuint)(d * inner + c)) - max);
        var ls = FastMath.Log(sum);
        for (int d = 0; d < dim; d++)
        {
            nuint k = (nuint)(d * inner + c);
            (Vector256.LoadUnsafe(ref x, k) - max - ls).StoreUnsafe(ref y, k);
        }
    }

    private static void BackwardCols256(ref float y, ref float dy, ref float dx, int dim, int inner, int c)
    {
        var s = Vector256<float>.Zero;
        for (int d = 0; d < dim; d++)
        {
            nuint k = (nuint)(d * inner + c);
            s += Vector256.LoadUnsafe(ref y, k) * Vector256.LoadUnsafe(ref dy, k);
        }
        for (int d = 0; d < dim; d++)
        {
            nuint k = (nuint)(d * inner + c);
            var r = Vector256.LoadUnsafe(ref dx, k) + Vector256.LoadUnsafe(ref y, k) * (Vector256.LoadUnsafe(ref dy, k) - s);
            r.StoreUnsafe(ref dx, k);
        }
    }

    private static void LogBackwardCols256(ref float y, ref float dy, ref float dx, int dim, int inner, int c)
    {
        var s = Vector256<float>.Zero;
        for (int d = 0; d < dim; d++)
            s += Vector256.LoadUnsafe(ref dy, (nuint)(d * inner + c));
        for (int d = 0; d < dim; d++)
        {
            nuint k = (nuint)(d * inner + c);
            var r = Vector256.LoadUnsafe(ref dx, k) + (Vector256.LoadUnsafe(ref dy, k) - FastMath.Exp(Vector256.LoadUnsafe(ref y, k)) * s);
            r.StoreUnsafe(ref dx, k);
        }
    }
}
