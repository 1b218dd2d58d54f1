using NeuralSharp.Onnx.Import;
using NeuralSharp.Onnx.Protos;

namespace NeuralSharp.Onnx.Ops;

// Ops that make tensors from attributes or shapes: Constant, ConstantOfShape, Shape, Size, Range.
internal static partial class ShapeOps
{
    /// <summary>
    /// Constant: the tensor of attribute 'value', or (opset 12) a scalar/1-D tensor from value_float(s),
    /// value_int(s) (int64) or value_string(s). sparse_value is refused.
    /// </summary>
    private static OnnxOp CreateConstant(OpContext ctx)
    {
        ctx.RequireArity(0, 0);
        ctx.RequireKnownAttributes("value", "sparse_value", "value_float", "value_floats", "value_int", "value_ints", "value_string", "value_strings");
        var names = ctx.AttributeNames.ToList();
        if (names.Count != 1)
            throw ctx.Fail($"exactly one value attribute must be set, found {(names.Count == 0 ? "none" : string.Join(", ", names))}");
        var value = names[0] switch
        {
            "value" => ctx.TensorAttribute("value")!,
            "sparse_value" => throw ctx.Unsupported("sparse tensors (attribute 'sparse_value') are not supported"),
            "value_float" => OnnxTensor.FromArray([ctx.Float("value_float", 0f)]),
            "value_floats" => Vector(ctx.Floats("value_floats")!),
            "value_int" => OnnxTensor.FromArray([ctx.Int("value_int", 0)]),
            "value_ints" => Vector(ctx.Ints("value_ints")!),
            "value_string" => OnnxTensor.FromArray([ctx.String("value_string", "")]),
            _ => Vector(ctx.Strings("value_strings")!),
        };
        return Op(ValueInfo.Of(value), (_, outs) => outs[0] = value);
    }

    private static OnnxTensor Vector<T>(T[] values) => OnnxTensor.FromArray(values, values.Length);

    /// <summary>ConstantOfShape: a tensor of the shape given by the int64 input, filled with the one-element 'value' attribute (default float 0).</summary>
    private static OnnxOp CreateConstantOfShape(OpContext ctx)
    {
        ctx.RequireArity(1, 1);
        ctx.RequireKnownAttributes("value");
        ctx.RequireType(0, OnnxElementType.Int64);
        var value = ctx.TensorAttribute("value") ?? OnnxTensor.FromArray([0f], 1);
        if (value.Length != 1) throw ctx.Fail($"attribute 'value' must hold one element, it has shape {TensorData.Text(value.Shape)}");
        TensorData.Width(value.ElementType);
        var dims = ConstantLongs(ctx, 0);
        int[]? outShape = dims != null ? DimsFromValues(dims, ctx.Fail) : UnknownDims(KnownLength(ctx, 0));
        return Op(new ValueInfo(value.ElementType, outShape), (ins, outs) =>
        {
            var shape = DimsFromValues(ins[0]!.AsSpan<long>().ToArray(), m => RunError("ConstantOfShape", m));
            var y = TensorData.New(value.ElementType, shape);
            TensorData.Fill(y, value, 0);
            outs[0] = y;
        });
    }

    /// <summary>Checks that shape values are dimensions (0 to int.MaxValue) and converts them.</summary>
    private static int[] DimsFromValues(long[] values, Func<string, Exception> fail)
    {
        var dims = new int[values.Length];
        for (int i = 0; i < dims.Length; i++)
        {
            if (values[i] < 0 || values[i] > int.MaxValue) throw fail($"shape {TensorData.Text(values)} has dimension {values[i]}");
            dims[i] = (int)values[i];
        }
        try
        {
            OnnxTensor.ElementCount(dims);
        }
        catch (ArgumentException)
        {
            throw fail($"shape {TensorData.Text(values)} has more elements than an array can hold");
        }
        return dims;
    }

    /// <summary>
    /// Shape: the input's dimensions as int64 [end - start] (opset 15 start/end: negative from the back, clamped to
    /// [0, rank]). Constant at load when those dimensions are all known, so shape arithmetic folds.
    /// </summary>
    private static OnnxOp CreateShape(OpContext ctx)
    {
        ctx.RequireArity(1, 1);
        ctx.RequireKnownAttributes(ctx.Opset >= 15 ? ["start", "end"] : []);
        AnyType(ctx, 0);
        long start = ctx.Int("start", 0);
        long? end = ctx.HasAttribute("end") ? ctx.Int("end", 0) : null;
        var shape = ctx.Input(0).Shape;
        ValueInfo output = new(OnnxElementType.Int64, [-1]);
        if (shape != null)
        {
            var (s, e) = ShapeRange(start, end, shape.Length);
            var dims = shape[s..e];
            output = dims.Contains(-1)
                ? new ValueInfo(OnnxElementType.Int64, [dims.Length])
                : ValueInfo.Of(OnnxTensor.FromArray(dims.Select(d => (long)d).ToArray(), dims.Length));
        }
        return Op(output, (ins, outs) =>
        {
            var x = ins[0]!;
            var (s, e) = ShapeRange(start, end, x.Rank);
            var dims = new long[e - s];
            for (int i = 0; i < dims.Length; i++) dims[i] = x.Shape[s + i];
            outs[0] = OnnxTensor.FromArray(dims, dims.Length);
        });
    }

    private static (int Start, int End) ShapeRange(long start, long? end, int rank)
    {
        static int Clamp(long v, int rank) => (int)Math.Clamp(v < 0 ? v + rank : v, 0, rank);
        int s = Clamp(start, rank), e = end == null ? rank : Clamp(end.Value, rank);
        return (s, Math.Max(s, e));
    }

    /// <summary>Size: the input's element count as an int64 scalar (constant at load when the shape is known).</summary>
    private static OnnxOp CreateSize(OpContext ctx)
    {
        ctx.RequireArity(1, 1);
        ctx.RequireKnownAttributes();
        AnyType(ctx, 0);
        var shape = ctx.Input(0).Shape;
        long count = shape == null ? -1 : TensorData.Product(shape);
        var output = count >= 0 ? ValueInfo.Of(OnnxTensor.FromArray([count])) : new ValueInfo(OnnxElementType.Int64, []);
        return Op(output, (ins, outs) => outs[0] = OnnxTensor.FromArray([(long)ins[0]!.Length]));
    }

    /// <summary>Range: [start, start + delta, ...) up to limit (exclusive), max(ceil((limit - start) / delta), 0) elements.</summary>
    private static OnnxOp CreateRange(OpContext ctx)
    {
        ctx.RequireArity(3, 3);
        ctx.RequireKnownAttributes();
        var type = ctx.RequireType(0, OnnxElementType.Float, OnnxElementType.Double, OnnxElementType.Int16, OnnxElementType.Int32, OnnxElementType.Int64);
        for (int i = 1; i < 3; i++) ctx.RequireSameType(0, i);
        for (int i = 0; i < 3; i++)
            if (ctx.Input(i).Shape is { Length: > 0 } s && TensorData.Product(s) != 1)
                throw ctx.Fail($"input {i} must be a scalar, it has shape {ctx.Input(i).ShapeText}");
        return Op(new ValueInfo(type, [-1]), (ins, outs) =>
        {
            for (int i = 0; i < 3; i++)
                if (ins[i]!.Length != 1) throw RunError("Range", $"input {i} must be a scalar, it has shape {TensorData.Text(ins[i]!.Shape)}");
            outs[0] = ins[0]!.Data switch
            {
                float[] => RangeOf<float>(ins, (s, i, d) => s + i * d, (s, l, d) => Math.Ceiling(((double)l - s) / d)),
                double[] => RangeOf<double>(ins, (s, i, d) => s + i * d, (s, l, d) => Math.Ceiling((l - s) / d)),
                long[] => RangeOf<long>(ins, (s, i, d) => s + i * d, IntegerCount),
                int[] => RangeOf<int>(ins, (s, i, d) => (int)(s + i * d), (s, l, d) => IntegerCount(s, l, d)),
                _ => RangeOf<short>(ins, (s, i, d) => (short)(s + i * d), (s, l, d) => IntegerCount(s, l, d)),
            };
        });
    }

    private static double IntegerCount(long start, long limit, long delta)
    {
        Int128 span = (Int128)limit - start;
        Int128 n = delta > 0 ? (span + delta - 1) / delta : (span + delta + 1) / delta;
        return (double)n;
    }

    private static OnnxTensor RangeOf<T>(OnnxTensor?[] ins, Func<T, long, T, T> at, Func<T, T, T, double> count) where T : System.Numerics.INumber<T>
    {
        T start = ins[0]!.AsSpan<T>()[0], limit = ins[1]!.AsSpan<T>()[0], delta = ins[2]!.AsSpan<T>()[0];
        if (delta == T.Zero) throw RunError("Range", "delta is 0");
        double n = Math.Max(count(start, limit, delta), 0);
        if (double.IsNaN(n) || n > Array.MaxLength)
            throw RunError("Range", $"start {start}, limit {limit}, delta {delta} give {n} elements");
        var values = new T[(int)n];
        for (int i = 0; i < values.Length; i++) values[i] = at(start, i, delta);
        return OnnxTensor.FromArray(values, values.Length);
    }
}
