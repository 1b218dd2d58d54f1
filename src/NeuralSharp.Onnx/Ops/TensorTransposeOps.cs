using NeuralSharp.Onnx.Import;

namespace NeuralSharp.Onnx.Ops;

// Transpose: Y[i_0, ..., i_(n-1)] = X[...] with Y's axis k being X's axis perm[k].
internal static partial class ShapeOps
{
    /// <summary>Transpose by 'perm' (default: reverse the axes). A permutation that only moves size-1 axes returns a view.</summary>
    private static OnnxOp CreateTranspose(OpContext ctx)
    {
        ctx.RequireArity(1, 1);
        ctx.RequireKnownAttributes("perm");
        var type = AnyType(ctx, 0);
        var perm = ctx.Ints("perm");
        var shape = ctx.Input(0).Shape;
        if (perm != null)
        {
            if (shape != null && perm.Length != shape.Length)
                throw ctx.Fail($"perm {TensorData.Text(perm)} does not match the input's rank {shape.Length}");
            if (!IsPermutation(perm)) throw ctx.Fail($"perm {TensorData.Text(perm)} is not a permutation of 0..{perm.Length - 1}");
        }
        int[]? outShape = shape != null ? Permute(shape, perm ?? Reversed(shape.Length)) : UnknownDims(perm?.Length ?? -1);
        return Op(new ValueInfo(type, outShape), (ins, outs) =>
        {
            var x = ins[0]!;
            var p = perm ?? Reversed(x.Rank);
            if (p.Length != x.Rank) throw RunError("Transpose", $"perm {TensorData.Text(p)} does not match input {TensorData.Text(x.Shape)}");
            outs[0] = Transpose(x, p);
        });
    }

    private static long[] Reversed(int rank) => Enumerable.Range(0, rank).Reverse().Select(i => (long)i).ToArray();

    private static bool IsPermutation(long[] perm) =>
        perm.All(p => p >= 0 && p < perm.Length) && perm.Distinct().Count() == perm.Length;

    private static int[] Permute(int[] shape, long[] perm) => perm.Select(p => shape[p]).ToArray();

    /// <summary>The transposed tensor (a view when the non-unit axes keep their order).</summary>
    internal static OnnxTensor Transpose(OnnxTensor x, long[] perm)
    {
        var inShape = x.ShapeArray;
        var outShape = Permute(inShape, perm);
        int last = -1;
        bool order = true;
        foreach (long p in perm)
        {
            if (inShape[p] == 1) continue;
            if (p < last) { order = false; break; }
            last = (int)p;
        }
        if (order) return x.Reshaped(outShape);

        var strides = TensorData.Strides(inShape);
        var permuted = perm.Select(p => strides[p]).ToArray();
        var y = TensorData.New(x.ElementType, outShape);
        TensorData.StridedCopy(x, 0, permuted, y);
        return y;
    }
}
