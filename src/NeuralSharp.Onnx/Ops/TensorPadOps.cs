using NeuralSharp.Onnx.Import;

namespace NeuralSharp.Onnx.Ops;

// Pad: each output coordinate o on axis k reads input coordinate o - begin_k, or — outside [0, d_k) — the constant
// value (mode constant), the nearest edge (edge) or the mirror image without repeating the edge (reflect).
// Negative pads crop.
internal static partial class ShapeOps
{
    /// <summary>
    /// Pad with modes constant, edge and reflect: pads [b_0..b_(n-1), e_0..e_(n-1)] and a float 'value' as attributes
    /// before opset 11; pads, optional constant_value and (opset 18) optional axes as inputs since.
    /// </summary>
    private static OnnxOp CreatePad(OpContext ctx)
    {
        int opset = ctx.Opset;
        long[]? pads, axes = null;
        OnnxTensor? value = null;
        bool atRun;
        OnnxElementType type;
        if (opset < 11)
        {
            ctx.RequireArity(1, 1);
            ctx.RequireKnownAttributes("mode", "pads", "value");
            type = ctx.RequireType(0, OnnxElementType.Float, OnnxElementType.Double, OnnxElementType.Float16);
            pads = ctx.Ints("pads") ?? throw ctx.Fail("attribute 'pads' is required");
            float v = ctx.Float("value", 0f);
            value = type switch
            {
                OnnxElementType.Float => OnnxTensor.FromArray([v]),
                OnnxElementType.Double => OnnxTensor.FromArray([(double)v]),
                _ => OnnxTensor.FromArray([(Half)v]),
            };
            atRun = false;
        }
        else
        {
            ctx.RequireArity(2, opset >= 18 ? 4 : 3);
            ctx.RequireKnownAttributes("mode");
            type = AnyType(ctx, 0);
            ctx.RequireType(1, OnnxElementType.Int64);
            if (ctx.HasInput(2)) ctx.RequireSameType(0, 2);
            if (ctx.HasInput(3)) ctx.RequireType(3, TensorData.IndexTypes);
            pads = ConstantLongs(ctx, 1);
            axes = ConstantLongs(ctx, 3);
            atRun = pads == null || (ctx.HasInput(3) && axes == null);
        }
        string mode = ctx.String("mode", "constant");
        if (mode is not ("constant" or "edge" or "reflect")) throw ctx.Unsupported($"unsupported mode '{mode}' (supported: constant, edge, reflect)");
        var shape = ctx.Input(0).Shape;
        int[]? outShape = shape == null ? null : UnknownDims(shape.Length);
        if (shape != null && !atRun)
            outShape = PadGeometry(shape, pads!, axes, ctx.Fail).Shape;
        bool attributes = opset < 11;
        return Op(new ValueInfo(type, outShape), (ins, outs) =>
        {
            var x = ins[0]!;
            var p = attributes ? pads! : ins[1]!.AsSpan<long>().ToArray();
            var a = attributes || ins.Length < 4 || ins[3] == null ? null : TensorData.Longs(ins[3]!, "Pad axes");
            var (dims, begins) = PadGeometry(x.ShapeArray, p, a, m => RunError("Pad", m));
            var fill = value ?? (ins.Length > 2 && ins[2] != null ? ins[2] : null);
            if (fill != null && fill.Length != 1) throw RunError("Pad", $"constant_value must be a scalar, it has shape {TensorData.Text(fill.Shape)}");
            var maps = new int[dims.Length][];
            for (int k = 0; k < dims.Length; k++)
            {
                int d = x.Shape[k];
                if (mode != "constant" && d == 0 && dims[k] > 0)
                    throw RunError("Pad", $"mode {mode} cannot pad axis {k} of input {TensorData.Text(x.Shape)}: it is empty");
                maps[k] = new int[dims[k]];
                for (int o = 0; o < dims[k]; o++) maps[k][o] = SourceIndex(o - begins[k], d, mode);
            }
            var y = TensorData.New(x.ElementType, dims);
            switch (TensorData.Width(x.ElementType))
            {
                case ElementWidth.Bits8: PadCopy(TensorData.Span<byte>(x), x.Shape, TensorData.Span<byte>(y), dims, maps, fill == null ? (byte)0 : TensorData.Span<byte>(fill)[0]); break;
                case ElementWidth.Bits16: PadCopy(TensorData.Span<short>(x), x.Shape, TensorData.Span<short>(y), dims, maps, fill == null ? (short)0 : TensorData.Span<short>(fill)[0]); break;
                case ElementWidth.Bits32: PadCopy(TensorData.Span<int>(x), x.Shape, TensorData.Span<int>(y), dims, maps, fill == null ? 0 : TensorData.Span<int>(fill)[0]); break;
                case ElementWidth.Bits64: PadCopy(TensorData.Span<long>(x), x.Shape, TensorData.Span<long>(y), dims, maps, fill == null ? 0L : TensorData.Span<long>(fill)[0]); break;
                default: PadCopy(TensorData.Span<string>(x), x.Shape, TensorData.Span<string>(y), dims, maps, fill == null ? "" : TensorData.Span<string>(fill)[0]); break;
            }
            outs[0] = y;
        });
    }

    /// <summary>The output shape and per-axis begin pads of padding <paramref name="shape"/> by <paramref name="pads"/> on <paramref name="axes"/> (all when null).</summary>
    private static (int[] Shape, long[] Begins) PadGeometry(int[] shape, long[] pads, long[]? axes, Func<string, Exception> fail)
    {
        int rank = shape.Length;
        int n = axes?.Length ?? rank;
        if (pads.Length != 2 * n)
            throw fail($"pads {TensorData.Text(pads)} must hold {2 * n} values (begins then ends) for input {TensorData.Text(shape)}");
        var begins = new long[rank];
        var dims = (int[])shape.Clone();
        var seen = new bool[rank];
        for (int i = 0; i < n; i++)
        {
            long a = axes?[i] ?? i;
            if (a < -rank || a >= rank) throw fail($"axis {a} is out of range for input {TensorData.Text(shape)}");
            int axis = (int)(a < 0 ? a + rank : a);
            if (seen[axis]) throw fail($"axes {TensorData.Text(axes!)} repeat axis {axis}");
            seen[axis] = true;
            begins[axis] = pads[i];
            if (shape[axis] < 0) continue;
            long size = shape[axis] + pads[i] + pads[i + n];
            if (size < 0 || size > int.MaxValue)
                throw fail($"pads {TensorData.Text(pads)} give dimension {axis} of input {TensorData.Text(shape)} size {size}");
            dims[axis] = (int)size;
        }
        if (!dims.Contains(-1)) OnnxTensor.ElementCount(dims);
        return (dims, begins);
    }

    /// <summary>The input coordinate an output coordinate reads (i = o - begin), or -1 for the constant value.</summary>
    private static int SourceIndex(long i, int d, string mode)
    {
        if (i >= 0 && i < d) return (int)i;
        switch (mode)
        {
            case "constant": return -1;
            case "edge": return i < 0 ? 0 : d - 1;
            default:
                if (d == 1) return 0;
                long period = 2L * (d - 1);
                long r = ((i % period) + period) % period;
                return (int)(r < d ? r : period - r);
        }
    }

    private static void PadCopy<T>(ReadOnlySpan<T> src, ReadOnlySpan<int> srcShape, Span<T> dst, int[] dims, int[][] maps, T fill)
    {
        if (dst.IsEmpty) return;
        int rank = dims.Length;
        if (rank == 0) { dst[0] = src[0]; return; }
        var strides = TensorData.Strides(srcShape);
        int inner = dims[rank - 1];
        var innerMap = maps[rank - 1];
        var index = new int[rank];
        for (int start = 0; start < dst.Length; start += inner)
        {
            var row = dst.Slice(start, inner);
            long offset = 0;
            bool outside = false;
            for (int k = 0; k < rank - 1 && !outside; k++)
            {
                int m = maps[k][index[k]];
                outside = m < 0;
                offset += m * strides[k];
            }
            if (outside) row.Fill(fill);
            else
                for (int j = 0; j < row.Length; j++)
                    row[j] = innerMap[j] < 0 ? fill : src[(int)offset + innerMap[j]];
            index[rank - 1] = inner - 1;
            Broadcast.Increment(index, dims);
        }
    }
}
