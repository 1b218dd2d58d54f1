using NeuralSharp.Onnx.Import;

namespace NeuralSharp.Onnx.Ops;

// Concat and Split: the tensor viewed as [outer, dim, inner] around the axis; each part is a run of
// (its dim) * inner elements per outer index.
internal static partial class ShapeOps
{
    /// <summary>Concat along 'axis' (default 1 at opset 1, required since 4, negative since 11); other dimensions must agree.</summary>
    private static OnnxOp CreateConcat(OpContext ctx)
    {
        ctx.RequireArity(1, int.MaxValue);
        ctx.RequireKnownAttributes("axis");
        var type = AnyType(ctx, 0);
        for (int i = 1; i < ctx.InputCount; i++) ctx.RequireSameType(0, i);
        if (ctx.Opset >= 4 && !ctx.HasAttribute("axis")) throw ctx.Fail("attribute 'axis' is required");
        long axisAttr = ctx.Int("axis", 1);
        var shapes = Enumerable.Range(0, ctx.InputCount).Select(i => ctx.Input(i).Shape).ToList();
        int rank = shapes.FirstOrDefault(s => s != null)?.Length ?? -1;
        int[]? outShape = null;
        if (rank >= 0)
        {
            int axis = ctx.Axis(axisAttr, rank);
            outShape = new int[rank];
            for (int d = 0; d < rank; d++)
            {
                int dim = d == axis ? 0 : -1;
                foreach (var s in shapes)
                {
                    if (s == null) { if (d == axis) dim = -1; continue; }
                    if (s.Length != rank)
                        throw ctx.Fail($"inputs of ranks {rank} and {s.Length} cannot be concatenated ({string.Join(", ", shapes.Select(TextOrUnknown))})");
                    if (d == axis) dim = dim < 0 || s[d] < 0 ? -1 : dim + s[d];
                    else if (dim < 0) dim = s[d];
                    else if (s[d] >= 0 && s[d] != dim)
                        throw ctx.Fail($"inputs {string.Join(", ", shapes.Select(TextOrUnknown))} differ in dimension {d} (axis {axis})");
                }
                outShape[d] = dim;
            }
        }
        return Op(new ValueInfo(type, outShape), (ins, outs) => outs[0] = Concat(ins!, axisAttr));
    }

    private static string TextOrUnknown(int[]? shape) => shape == null ? "[?]" : TensorData.Text(shape);

    private static OnnxTensor Concat(OnnxTensor[] xs, long axisAttr)
    {
        var first = xs[0];
        int rank = first.Rank;
        string Shapes() => string.Join(", ", xs.Select(x => TensorData.Text(x.Shape)));
        if (axisAttr < -rank || axisAttr >= rank) throw RunError("Concat", $"axis {axisAttr} is out of range for inputs {Shapes()}");
        int axis = (int)(axisAttr < 0 ? axisAttr + rank : axisAttr);
        var outShape = first.ShapeArray;
        outShape[axis] = 0;
        foreach (var x in xs)
        {
            bool fits = x.Rank == rank;
            for (int d = 0; fits && d < rank; d++) fits = d == axis || x.Shape[d] == first.Shape[d];
            if (!fits) throw RunError("Concat", $"inputs {Shapes()} do not match outside axis {axis}");
            outShape[axis] = ToDim((long)outShape[axis] + x.Shape[axis]);
        }
        var y = TensorData.New(first.ElementType, outShape);
        long outer = TensorData.Product(outShape.AsSpan(0, axis)), inner = TensorData.Product(outShape.AsSpan(axis + 1));
        long outBlock = outShape[axis] * inner, offset = 0;
        foreach (var x in xs)
        {
            long block = x.Shape[axis] * inner;
            for (long o = 0; o < outer && block > 0; o++)
                Array.Copy(x.Data, o * block, y.Data, o * outBlock + offset, block);
            offset += block;
        }
        return y;
    }

    /// <summary>
    /// Split along 'axis' into the outputs: sizes from 'split' (attribute before opset 13, optional int64 input since,
    /// also an input at opset 1), else equal parts — at opset 18 'num_outputs' parts of ceil(dim / n), the last smaller.
    /// </summary>
    private static OnnxOp CreateSplit(OpContext ctx)
    {
        int opset = ctx.Opset;
        bool splitInput = opset == 1 || opset >= 13;
        ctx.RequireArity(1, splitInput ? 2 : 1, 1, int.MaxValue);
        ctx.RequireKnownAttributes(opset >= 18 ? ["axis", "num_outputs"] : opset >= 13 ? ["axis"] : ["axis", "split"]);
        var type = AnyType(ctx, 0);
        long axisAttr = ctx.Int("axis", 0);
        int parts = ctx.OutputCount;
        long[]? split = opset < 13 ? ctx.Ints("split") : null;
        bool splitAtRun = false;
        if (splitInput && ctx.HasInput(1))
        {
            if (split != null) throw ctx.Fail("'split' is given both as attribute and input");
            ctx.RequireType(1, OnnxElementType.Int64);
            split = ConstantLongs(ctx, 1);
            splitAtRun = split == null;
        }
        bool uneven = false;
        if (ctx.HasAttribute("num_outputs"))
        {
            if (split != null || splitAtRun) throw ctx.Fail("'split' and 'num_outputs' cannot both be given");
            long n = ctx.Int("num_outputs", 0);
            if (n != parts) throw ctx.Fail($"num_outputs {n} differs from the {parts} outputs listed");
            uneven = true;
        }
        else if (opset >= 18 && split == null && !splitAtRun) throw ctx.Fail("either input 'split' or attribute 'num_outputs' is required");
        if (split != null && (split.Length != parts || split.Any(s => s < 0 || s > int.MaxValue)))
            throw ctx.Fail($"split {TensorData.Text(split)} does not give {parts} non-negative sizes");

        var shape = ctx.Input(0).Shape;
        var outputs = Enumerable.Range(0, parts).Select(_ => new ValueInfo(type, null)).ToArray();
        if (shape != null)
        {
            int axis = ctx.Axis(axisAttr, shape.Length);
            int[]? sizes = split?.Select(s => (int)s).ToArray();
            if (sizes != null && shape[axis] >= 0 && sizes.Sum(s => (long)s) != shape[axis])
                throw ctx.Fail($"split {TensorData.Text(split!)} does not add up to dimension {axis} of {ctx.Input(0).ShapeText}");
            if (sizes == null && !splitAtRun && shape[axis] >= 0)
                sizes = EqualParts(shape[axis], parts, uneven) ?? throw ctx.Fail($"dimension {axis} of {ctx.Input(0).ShapeText} does not split into {parts} equal parts");
            for (int i = 0; i < parts; i++)
            {
                var s = (int[])shape.Clone();
                s[axis] = sizes?[i] ?? -1;
                outputs[i] = new ValueInfo(type, s);
            }
        }
        return new DelegateOp((ins, outs) =>
        {
            var x = ins[0]!;
            string What() => $"input {TensorData.Text(x.Shape)}";
            if (axisAttr < -x.Rank || axisAttr >= x.Rank) throw RunError("Split", $"axis {axisAttr} is out of range for {What()}");
            int axis = (int)(axisAttr < 0 ? axisAttr + x.Rank : axisAttr);
            int dim = x.Shape[axis];
            var given = split ?? (splitAtRun ? ins[1]!.AsSpan<long>().ToArray() : null);
            int[] sizes;
            if (given != null)
            {
                if (given.Length != parts || given.Any(s => s < 0 || s > dim) || given.Sum() != dim)
                    throw RunError("Split", $"split {TensorData.Text(given)} does not divide dimension {axis} of {What()} into {parts} parts");
                sizes = given.Select(s => (int)s).ToArray();
            }
            else sizes = EqualParts(dim, parts, uneven) ?? throw RunError("Split", $"dimension {axis} of {What()} does not split into {parts} equal parts");
            long outer = TensorData.Product(x.Shape[..axis]), inner = TensorData.Product(x.Shape[(axis + 1)..]);
            long inBlock = dim * inner, offset = 0;
            for (int i = 0; i < parts; i++)
            {
                var shape = x.ShapeArray;
                shape[axis] = sizes[i];
                var y = TensorData.New(x.ElementType, shape);
                long block = sizes[i] * inner;
                for (long o = 0; o < outer && block > 0; o++)
                    Array.Copy(x.Data, o * inBlock + offset, y.Data, o * block, block);
                offset += block;
                outs[i] = y;
            }
        })
        { Outputs = outputs };
    }

    /// <summary>Sizes of <paramref name="parts"/> equal parts of <paramref name="dim"/>; when uneven is allowed, ceil(dim / parts) each with a smaller last part; else null when it does not divide.</summary>
    private static int[]? EqualParts(int dim, int parts, bool uneven)
    {
        if (dim % parts == 0) return Enumerable.Repeat(dim / parts, parts).ToArray();
        if (!uneven) return null;
        int chunk = (dim + parts - 1) / parts;
        return Enumerable.Range(0, parts).Select(i => Math.Clamp(dim - i * chunk, 0, chunk)).ToArray();
    }
}
