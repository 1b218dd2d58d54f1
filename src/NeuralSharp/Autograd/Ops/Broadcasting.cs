using NeuralSharp.Kernels;

namespace NeuralSharp;

/// <summary>
/// Element-wise binary ops under NumPy broadcasting, decomposed into contiguous inner runs so that
/// each run is one vectorised kernel call: both operands full, or one of them a broadcast scalar.
/// </summary>
internal static class Broadcasting
{
    /// <summary>dst[outShape] = a op b, with a and b broadcast to outShape. dst may alias a or b when they have outShape.</summary>
    public static void Binary(BinaryOp op, ReadOnlySpan<float> a, int[] aShape, ReadOnlySpan<float> b, int[] bShape, Span<float> dst, int[] outShape)
    {
        if (ShapeUtil.SameShape(aShape, bShape))
        {
            Elementwise.Binary(op, a, b, dst);
            return;
        }
        if (b.Length == 1)
        {
            Elementwise.BinaryScalarRight(op, a, b[0], dst);
            return;
        }
        if (a.Length == 1)
        {
            Elementwise.BinaryScalarLeft(op, a[0], b, dst);
            return;
        }
        int rank = outShape.Length;
        var aStrides = BroadcastStrides(aShape, outShape);
        var bStrides = BroadcastStrides(bShape, outShape);

        // Merge trailing dimensions while each operand keeps one kind (contiguous or broadcast).
        int inner = 1, firstInner = rank;
        bool aFull = true, bFull = true;
        for (int d = rank - 1; d >= 0; d--)
        {
            if (outShape[d] == 1) { firstInner = d; continue; }
            bool af = aStrides[d] != 0, bf = bStrides[d] != 0;
            if (firstInner == rank || inner == 1) { aFull = af; bFull = bf; }
            else if (af != aFull || bf != bFull) break;
            // A full run must also be contiguous across the merged dimensions.
            if (af && aStrides[d] != inner) break;
            if (bf && bStrides[d] != inner) break;
            inner *= outShape[d];
            firstInner = d;
        }

        int outer = dst.Length / Math.Max(inner, 1);
        Span<int> index = stackalloc int[rank];
        for (int o = 0; o < outer; o++)
        {
            int aOff = 0, bOff = 0;
            for (int d = 0; d < firstInner; d++)
            {
                aOff += index[d] * aStrides[d];
                bOff += index[d] * bStrides[d];
            }
            var dRun = dst.Slice(o * inner, inner);
            if (aFull && bFull) Elementwise.Binary(op, a.Slice(aOff, inner), b.Slice(bOff, inner), dRun);
            else if (aFull) Elementwise.BinaryScalarRight(op, a.Slice(aOff, inner), b[bOff], dRun);
            else if (bFull) Elementwise.BinaryScalarLeft(op, a[aOff], b.Slice(bOff, inner), dRun);
            else dRun.Fill(ScalarOp(op, a[aOff], b[bOff]));
            for (int d = firstInner - 1; d >= 0; d--)
            {
                if (++index[d] < outShape[d]) break;
                index[d] = 0;
            }
        }
    }

    private static float ScalarOp(BinaryOp op, float x, float y) => op switch
    {
        BinaryOp.Add => x + y,
        BinaryOp.Sub => x - y,
        BinaryOp.Mul => x * y,
        _ => x / y,
    };

    /// <summary>Row-major strides of <paramref name="shape"/> aligned to <paramref name="outShape"/>, 0 where broadcast.</summary>
    public static int[] BroadcastStrides(int[] shape, int[] outShape)
    {
        int rank = outShape.Length, offset = rank - shape.Length;
        var strides = new int[rank];
        int stride = 1;
        for (int d = rank - 1; d >= 0; d--)
        {
            int size = d < offset ? 1 : shape[d - offset];
            strides[d] = size == 1 ? 0 : stride;
            stride *= size;
        }
        return strides;
    }

    /// <summary>
    /// Accumulates <paramref name="grad"/> (shape <paramref name="gradShape"/>) into <paramref name="dst"/> of
    /// shape <paramref name="targetShape"/>, summing over the broadcast dimensions (the adjoint of broadcasting).
    /// </summary>
    public static void AccumulateSumToShape(ReadOnlySpan<float> grad, int[] gradShape, Span<float> dst, int[] targetShape)
    {
        if (grad.Length == dst.Length)
        {
            Elementwise.Add(grad, dst);
            return;
        }
        if (dst.Length == 1)
        {
            dst[0] += (float)Reduce.SumAll(grad);
            return;
        }
        // Reduce one broadcast axis at a time, outermost first, into pooled scratch.
        int rank = gradShape.Length, offset = rank - targetShape.Length;
        var shape = (int[])gradShape.Clone();
        float[]? scratch = null;
        ReadOnlySpan<float> current = grad;
        for (int d = 0; d < rank; d++)
        {
            int target = d < offset ? 1 : targetShape[d - offset];
            if (target != 1 || shape[d] == 1) continue;
            int outerN = ShapeUtil.Product(shape, 0, d), innerN = ShapeUtil.Product(shape, d + 1, rank);
            var next = TensorPool.Rent(outerN * innerN);
            Reduce.Sum(current, next.AsSpan(0, outerN * innerN), outerN, shape[d], innerN, accumulate: false);
            if (scratch != null) TensorPool.Return(scratch);
            scratch = next;
            current = next.AsSpan(0, outerN * innerN);
            shape[d] = 1;
        }
        Elementwise.Add(current, dst);
        if (scratch != null) TensorPool.Return(scratch);
    }
}
