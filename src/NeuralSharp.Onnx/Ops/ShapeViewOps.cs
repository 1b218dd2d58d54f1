using NeuralSharp.Onnx.Import;

namespace NeuralSharp.Onnx.Ops;

// Ops whose output is the input's data under another shape (no copy): Identity, Dropout (inference), Flatten,
// Reshape, Squeeze, Unsqueeze.
internal static partial class ShapeOps
{
    private static readonly OnnxElementType[] FloatTypes =
        [OnnxElementType.Float, OnnxElementType.Double, OnnxElementType.Float16, OnnxElementType.BFloat16];

    /// <summary>Identity: Y = X (the same tensor; inputs are read-only).</summary>
    private static OnnxOp CreateIdentity(OpContext ctx)
    {
        ctx.RequireArity(1, 1);
        ctx.RequireKnownAttributes();
        var type = AnyType(ctx, 0);
        return Op(new ValueInfo(type, ctx.Input(0).Shape), (ins, outs) => outs[0] = ins[0]);
    }

    /// <summary>
    /// Dropout at inference: Y = X, and the optional mask is all true (all ones of X's type before opset 10).
    /// Training mode (is_test=0 before opset 7; from opset 12 a training_mode input that is not a constant false,
    /// unless ratio is a constant 0) is refused at load: it is random.
    /// </summary>
    private static OnnxOp CreateDropout(OpContext ctx)
    {
        int opset = ctx.Opset;
        ctx.RequireArity(1, opset >= 12 ? 3 : 1, 1, 2);
        if (opset < 7)
        {
            ctx.RequireKnownAttributes("is_test", "ratio", "consumed_inputs");
            if (ctx.Int("is_test", 0) == 0)
                throw ctx.Unsupported("training mode (is_test=0) is not supported: NeuralSharp.Onnx runs inference only");
        }
        else ctx.RequireKnownAttributes(opset >= 12 ? ["seed"] : ["ratio"]);
        var type = ctx.RequireType(0, FloatTypes);
        if (ctx.HasInput(1)) ctx.RequireType(1, FloatTypes);
        if (ctx.HasInput(2))
        {
            // Training mode drops random elements: refused unless it is known at load to be off (or a no-op, ratio 0).
            ctx.RequireType(2, OnnxElementType.Bool);
            var training = ctx.Constant(2);
            if (training == null)
                throw ctx.Unsupported("training_mode is a graph input or computed value; training-mode dropout is not supported (inference only)");
            var ratio = ctx.Constant(1);
            bool noOp = ratio != null && ratio.Length == 1 && RatioIsZero(ratio);
            if (training.AsSpan<bool>().Contains(true) && !noOp)
                throw ctx.Unsupported("training_mode=true is not supported: NeuralSharp.Onnx runs inference only");
        }
        var shape = ctx.Input(0).Shape;
        var maskType = opset >= 10 ? OnnxElementType.Bool : type;
        bool withMask = ctx.HasOutput(1);
        return new DelegateOp((ins, outs) =>
        {
            var x = ins[0]!;
            outs[0] = x;
            if (withMask) outs[1] = Ones(maskType, x.ShapeArray);
        })
        { Outputs = [new ValueInfo(type, shape), new ValueInfo(maskType, shape)] };
    }

    private static bool RatioIsZero(OnnxTensor ratio) => ratio.Data switch
    {
        float[] => ratio.AsSpan<float>()[0] == 0f,
        double[] => ratio.AsSpan<double>()[0] == 0d,
        Half[] => ratio.AsSpan<Half>()[0] == Half.Zero,
        _ => (ratio.AsSpan<ushort>()[0] & 0x7FFF) == 0,
    };

    /// <summary>A tensor of ones (true for bool) of a floating-point or bool type.</summary>
    private static OnnxTensor Ones(OnnxElementType type, int[] shape)
    {
        var t = TensorData.New(type, shape);
        switch (t.Data)
        {
            case bool[]: t.AsSpan<bool>().Fill(true); break;
            case float[]: t.AsSpan<float>().Fill(1f); break;
            case double[]: t.AsSpan<double>().Fill(1d); break;
            case Half[]: t.AsSpan<Half>().Fill((Half)1); break;
            case ushort[]: t.AsSpan<ushort>().Fill(0x3F80); break; // bfloat16 1.0
            default: throw new InvalidOperationException($"Dropout: no ones of type {OnnxElementTypes.Name(type)}");
        }
        return t;
    }

    /// <summary>Flatten: [d0..dn) → [d0·…·d(axis-1), d(axis)·…·d(n-1)]; axis in [0, rank] (negative from opset 11).</summary>
    private static OnnxOp CreateFlatten(OpContext ctx)
    {
        ctx.RequireArity(1, 1);
        ctx.RequireKnownAttributes("axis");
        var type = AnyType(ctx, 0);
        long axis = ctx.Int("axis", 1);
        if (axis < 0 && ctx.Opset < 11) throw ctx.Fail($"axis {axis} must be non-negative before opset 11");
        var shape = ctx.Input(0).Shape;
        int[] outShape = [-1, -1];
        if (shape != null)
        {
            int a = FlattenAxis(axis, shape.Length) ?? throw ctx.Fail($"axis {axis} is out of range for rank {shape.Length}");
            outShape = [ToDim(TensorData.Product(shape.AsSpan(0, a))), ToDim(TensorData.Product(shape.AsSpan(a)))];
        }
        return Op(new ValueInfo(type, outShape), (ins, outs) =>
        {
            var x = ins[0]!;
            int a = FlattenAxis(axis, x.Rank) ?? throw RunError("Flatten", $"axis {axis} is out of range for input {TensorData.Text(x.Shape)}");
            outs[0] = x.Reshaped([(int)TensorData.Product(x.Shape[..a]), (int)TensorData.Product(x.Shape[a..])]);
        });
    }

    private static int? FlattenAxis(long axis, int rank) =>
        axis < -rank || axis > rank ? null : (int)(axis < 0 ? axis + rank : axis);

    private static int ToDim(long product) => product > int.MaxValue ? throw new ArgumentException($"dimension {product} is too large") : (int)product;

    /// <summary>
    /// Reshape to a target shape (attribute before opset 5, int64 input since): 0 copies the input's dimension
    /// (unless allowzero=1, opset 14), one -1 is inferred from the element count. Returns a view.
    /// </summary>
    private static OnnxOp CreateReshape(OpContext ctx)
    {
        int opset = ctx.Opset;
        long[]? target;
        if (opset < 5)
        {
            ctx.RequireArity(1, 1);
            ctx.RequireKnownAttributes("shape", "consumed_inputs");
            target = ctx.Ints("shape") ?? throw ctx.Fail("attribute 'shape' is required");
        }
        else
        {
            ctx.RequireArity(2, 2);
            ctx.RequireKnownAttributes(opset >= 14 ? ["allowzero"] : []);
            ctx.RequireType(1, OnnxElementType.Int64);
            target = ConstantLongs(ctx, 1);
        }
        var type = AnyType(ctx, 0);
        bool allowZero = ctx.Int("allowzero", 0) != 0;
        int[]? outShape = target != null
            ? ReshapeDims(ctx.Input(0).Shape, target, allowZero, ctx.Fail)
            : UnknownDims(KnownLength(ctx, 1));
        return Op(new ValueInfo(type, outShape), (ins, outs) =>
        {
            var x = ins[0]!;
            var dims = ReshapeDims(x.ShapeArray, target ?? ins[1]!.AsSpan<long>().ToArray(), allowZero, m => RunError("Reshape", m));
            outs[0] = x.Reshaped(dims);
        });
    }

    /// <summary>
    /// The output shape of Reshape(input → target). With an unknown input rank (null) or dimensions (-1), copied and
    /// inferred dimensions may come out unknown; a copied unknown dimension cancels out of the -1's inference
    /// (Reshape [N, 3, 4] by [0, -1] gives [N, 12]). When everything is known the element counts must agree.
    /// </summary>
    internal static int[] ReshapeDims(int[]? input, long[] target, bool allowZero, Func<string, Exception> fail)
    {
        string What() => $"cannot reshape {(input == null ? "[?]" : TensorData.Text(input))} to {TensorData.Text(target)}";
        var dims = new int[target.Length];
        var copied = new bool[input?.Length ?? 0];
        int inferAt = -1;
        long knownOut = 1;
        for (int i = 0; i < target.Length; i++)
        {
            long t = target[i];
            if (t == -1)
            {
                if (inferAt >= 0) throw fail($"{What()}: more than one dimension is -1");
                inferAt = i;
            }
            else if (t == 0 && !allowZero)
            {
                if (input == null) { dims[i] = -1; continue; }
                if (i >= input.Length) throw fail($"{What()}: dimension {i} is 0 (copy the input's) but the input has rank {input.Length}");
                dims[i] = input[i];
                copied[i] = true;
            }
            else if (t < -1 || t > int.MaxValue) throw fail($"{What()}: dimension {i} is {t}");
            else
            {
                dims[i] = (int)t;
                knownOut = SaturatingProduct(knownOut, t);
            }
        }
        if (allowZero && inferAt >= 0 && Array.IndexOf(target, 0L) >= 0)
            throw fail($"{What()}: with allowzero=1 the shape cannot hold both 0 and -1");
        if (input == null) { if (inferAt >= 0) dims[inferAt] = -1; return dims; }

        long knownIn = 1;
        bool unknownIn = false;
        for (int i = 0; i < input.Length; i++)
        {
            if (copied[i]) continue;
            if (input[i] < 0) unknownIn = true;
            else knownIn = SaturatingProduct(knownIn, input[i]);
        }
        if (inferAt >= 0)
        {
            if (unknownIn) dims[inferAt] = -1;
            else if (knownOut == 0 || knownIn % knownOut != 0)
                throw fail($"{What()}: {knownIn} elements do not divide into dimensions of {knownOut}");
            else dims[inferAt] = ToDim(knownIn / knownOut);
        }
        else if (!unknownIn && knownIn != knownOut)
            throw fail($"{What()}: {TensorData.Product(input)} elements vs {TensorData.Product(dims)}");
        return dims;
    }

    /// <summary>a·b for non-negative factors, capped above any element count (declared shapes may be absurd).</summary>
    private static long SaturatingProduct(long a, long b) => b == 0 ? 0 : a > (long)Array.MaxLength * 4 / b ? (long)Array.MaxLength * 4 : a * b;

    /// <summary>Squeeze: removes the listed axes (attribute before opset 13, input since), which must have size 1, or every size-1 axis.</summary>
    private static OnnxOp CreateSqueeze(OpContext ctx)
    {
        var (axes, fromInput) = AxesArgument(ctx, required: false);
        var type = AnyType(ctx, 0);
        var shape = ctx.Input(0).Shape;
        int[]? outShape = null;
        if (shape != null)
        {
            if (axes != null)
            {
                var normal = NormalizeAxes(ctx, axes, shape.Length);
                foreach (int a in normal)
                    if (shape[a] > 1 || shape[a] == 0) throw ctx.Fail($"cannot squeeze axis {a} of {ctx.Input(0).ShapeText}: its size is not 1");
                outShape = shape.Where((_, i) => Array.IndexOf(normal, i) < 0).ToArray();
            }
            else if (!fromInput && !shape.Contains(-1)) outShape = shape.Where(d => d != 1).ToArray();
            else if (fromInput && KnownLength(ctx, 1) >= 0) outShape = UnknownDims(shape.Length - KnownLength(ctx, 1));
        }
        return Op(new ValueInfo(type, outShape), (ins, outs) =>
        {
            var x = ins[0]!;
            var given = axes ?? (fromInput ? ins[1]!.AsSpan<long>().ToArray() : null);
            int[] remove = given != null
                ? NormalizeAxes("Squeeze", given, x.Rank)
                : Enumerable.Range(0, x.Rank).Where(i => x.Shape[i] == 1).ToArray();
            foreach (int a in remove)
                if (x.Shape[a] != 1) throw RunError("Squeeze", $"cannot squeeze axis {a} of {TensorData.Text(x.Shape)}: its size is {x.Shape[a]}, not 1");
            outs[0] = x.Reshaped(x.ShapeArray.Where((_, i) => Array.IndexOf(remove, i) < 0).ToArray());
        });
    }

    /// <summary>Unsqueeze: inserts size-1 axes at the listed positions of the output (attribute before opset 13, input since).</summary>
    private static OnnxOp CreateUnsqueeze(OpContext ctx)
    {
        var (axes, fromInput) = AxesArgument(ctx, required: true);
        var type = AnyType(ctx, 0);
        var shape = ctx.Input(0).Shape;
        int[]? outShape = null;
        if (shape != null && axes != null) outShape = UnsqueezeShape(shape, NormalizeAxes(ctx, axes, shape.Length + axes.Length));
        else if (shape != null && KnownLength(ctx, 1) >= 0) outShape = UnknownDims(shape.Length + KnownLength(ctx, 1));
        return Op(new ValueInfo(type, outShape), (ins, outs) =>
        {
            var x = ins[0]!;
            var given = axes ?? ins[1]!.AsSpan<long>().ToArray();
            outs[0] = x.Reshaped(UnsqueezeShape(x.ShapeArray, NormalizeAxes("Unsqueeze", given, x.Rank + given.Length)));
        });
    }

    private static int[] UnsqueezeShape(int[] shape, int[] axes)
    {
        var result = new int[shape.Length + axes.Length];
        for (int i = 0, j = 0; i < result.Length; i++)
            result[i] = Array.IndexOf(axes, i) >= 0 ? 1 : shape[j++];
        return result;
    }

    /// <summary>
    /// The axes of Squeeze/Unsqueeze: the 'axes' attribute before opset 13, the optional int64 input 1 since
    /// (null with fromInput = true when that input is computed at run time).
    /// </summary>
    private static (long[]? Axes, bool FromInput) AxesArgument(OpContext ctx, bool required)
    {
        if (ctx.Opset < 13)
        {
            ctx.RequireArity(1, 1);
            ctx.RequireKnownAttributes("axes");
            var axes = ctx.Ints("axes");
            if (axes == null && required) throw ctx.Fail("attribute 'axes' is required");
            if (axes != null && ctx.Opset < 11 && axes.Any(a => a < 0)) throw ctx.Fail($"axes {TensorData.Text(axes)} must be non-negative before opset 11");
            return (axes, false);
        }
        ctx.RequireArity(required ? 2 : 1, 2);
        ctx.RequireKnownAttributes();
        if (!ctx.HasInput(1))
        {
            if (required) throw ctx.Fail("input 1 (axes) is required");
            return (null, false);
        }
        ctx.RequireType(1, OnnxElementType.Int64);
        var constant = ConstantLongs(ctx, 1);
        return (constant, constant == null);
    }
}
