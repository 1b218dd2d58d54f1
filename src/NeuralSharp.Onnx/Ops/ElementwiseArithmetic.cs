using System.Numerics;
using NeuralSharp.Kernels;
using NeuralSharp.Onnx.Import;
using BinaryFn = System.Func<NeuralSharp.Onnx.OnnxTensor, NeuralSharp.Onnx.OnnxTensor, NeuralSharp.Onnx.OnnxTensor>;

namespace NeuralSharp.Onnx.Ops;

/// <summary>Add, Sub, Mul, Div, Pow, PRelu and the variadic Max, Min, Sum, Mean.</summary>
internal static partial class ElementwiseOps
{
    private static void RegisterArithmetic(OperatorRegistry registry)
    {
        registry.Add("Add", 1, Arithmetic(ArithOp.Add));
        registry.Add("Sub", 1, Arithmetic(ArithOp.Sub));
        registry.Add("Mul", 1, Arithmetic(ArithOp.Mul));
        registry.Add("Div", 1, Arithmetic(ArithOp.Div));
        registry.Add("Max", 1, Variadic(ArithOp.Max, Numeric, mean: false));
        registry.Add("Min", 1, Variadic(ArithOp.Min, Numeric, mean: false));
        registry.Add("Sum", 1, Variadic(ArithOp.Add, Floats, mean: false));
        registry.Add("Mean", 1, Variadic(ArithOp.Add, Floats, mean: true));
        registry.Add("Pow", 1, CreatePow);
        registry.Add("PRelu", 1, CreatePRelu);
    }

    /// <summary>y = a op b, NumPy broadcasting (opset 7 on) or the legacy <c>broadcast</c>/<c>axis</c> rule; every numeric type (integer Div truncates toward zero).</summary>
    private static OpFactory Arithmetic(ArithOp op) => ctx =>
    {
        ctx.RequireArity(2, 2);
        ctx.RequireKnownAttributes(Attributes(ctx, legacyBroadcast: true));
        var type = ctx.RequireType(0, Numeric);
        ctx.RequireType(1, Numeric);
        ctx.RequireSameType(0, 1);
        var (run, shape) = BroadcastRule(ctx, Dispatch<BinaryFn, ArithFactory>(type, new ArithFactory(op, ctx.OpType)));
        return new DelegateOp((ins, outs) => outs[0] = run(ins[0]!, ins[1]!)) { Outputs = [new ValueInfo(type, shape)] };
    };

    /// <summary>
    /// The broadcasting rule of a binary operator: NumPy's from opset 7; before it, equal shapes unless
    /// <c>broadcast</c> = 1, which aligns B with A's dimensions from <c>axis</c> (default: A's trailing dimensions)
    /// and stretches B's dimensions of 1. Returns the run (which reshapes B as needed) and the result shape.
    /// </summary>
    internal static (BinaryFn Run, int[]? Shape) BroadcastRule(OpContext ctx, BinaryFn fn)
    {
        var a = ctx.Input(0).Shape;
        var b = ctx.Input(1).Shape;
        string what = ctx.OpType;
        if (ctx.Opset >= 7)
            return (fn, a == null || b == null ? null : Broadcast.Shape(a, b, m => ctx.Fail(m)));
        long broadcast = ctx.Int("broadcast", 0);
        long? axis = ctx.HasAttribute("axis") ? ctx.Int("axis", 0) : null;
        if (broadcast == 0)
        {
            if (a != null && b != null && (a.Length != b.Length || a.Zip(b).Any(p => p.First >= 0 && p.Second >= 0 && p.First != p.Second)))
                throw ctx.Fail($"shapes {ctx.Input(0).ShapeText} and {ctx.Input(1).ShapeText} differ and broadcast is not set");
            return ((x, y) =>
            {
                if (!x.Shape.SequenceEqual(y.Shape))
                    throw new ArgumentException($"{what}: shapes [{Dims(x.Shape)}] and [{Dims(y.Shape)}] differ and broadcast is not set");
                return fn(x, y);
            }, a ?? b);
        }
        if (broadcast != 1) throw ctx.Fail($"broadcast must be 0 or 1, not {broadcast}");
        if (a != null && b != null) LegacyShape(a, b, axis, m => ctx.Fail(m));
        return ((x, y) => fn(x, y.Reshaped(LegacyShape(x.Shape, y.Shape, axis, m => new ArgumentException($"{what}: {m}")))), a);
    }

    /// <summary>B's shape padded with 1s to A's rank, placed from <paramref name="axis"/> (default: right-aligned); B's dimensions must equal A's or be 1.</summary>
    internal static int[] LegacyShape(ReadOnlySpan<int> a, ReadOnlySpan<int> b, long? axis, Func<string, Exception> fail)
    {
        if (b.Length > a.Length)
            throw fail($"B [{Dims(b)}] has a higher rank than A [{Dims(a)}] (legacy broadcast)");
        long start = axis ?? a.Length - b.Length;
        if (start < 0) start += a.Length;
        if (start < 0 || start + b.Length > a.Length)
            throw fail($"axis {axis} does not place B [{Dims(b)}] inside A [{Dims(a)}] (legacy broadcast)");
        var shape = Enumerable.Repeat(1, a.Length).ToArray();
        for (int i = 0; i < b.Length; i++)
        {
            int da = a[(int)start + i], db = b[i];
            if (db != 1 && da >= 0 && db >= 0 && da != db)
                throw fail($"B [{Dims(b)}] does not match A [{Dims(a)}] from axis {start} (legacy broadcast)");
            shape[(int)start + i] = db;
        }
        return shape;
    }

    /// <summary>Max, Min, Sum and Mean over one or more inputs of one type, NumPy broadcasting.</summary>
    private static OpFactory Variadic(ArithOp op, OnnxElementType[] types, bool mean) => ctx =>
    {
        ctx.RequireArity(1, int.MaxValue);
        ctx.RequireKnownAttributes(Attributes(ctx, legacyBroadcast: false));
        var type = ctx.RequireType(0, types);
        for (int i = 1; i < ctx.InputCount; i++)
        {
            ctx.RequireType(i, types);
            ctx.RequireSameType(0, i);
        }
        int count = ctx.InputCount;
        var shape = Broadcast.Shape(Enumerable.Range(0, count).Select(i => ctx.Input(i).Shape), m => ctx.Fail(m));
        var fold = Dispatch<BinaryFn, ArithFactory>(type, new ArithFactory(op, ctx.OpType));
        var divide = Dispatch<BinaryFn, ArithFactory>(type, new ArithFactory(ArithOp.Div, ctx.OpType));
        var n = Convert(OnnxTensor.FromArray(new double[] { count }), type);
        return new DelegateOp((ins, outs) =>
        {
            var acc = ins[0]!;
            for (int i = 1; i < ins.Length; i++) acc = fold(acc, ins[i]!);
            if (mean && count > 1) acc = divide(acc, n);
            outs[0] = ReferenceEquals(acc, ins[0]) ? acc.Reshaped(acc.ShapeArray) : acc;
        })
        { Outputs = [new ValueInfo(type, shape)] };
    };

    /// <summary>
    /// y = x^p: base float, double, float16, int32 or int64 (the result has its type), exponent any numeric type.
    /// Floating bases and fractional exponents compute in double; integer ^ integer is exact (wrapping like C).
    /// </summary>
    private static OnnxOp CreatePow(OpContext ctx)
    {
        ctx.RequireArity(2, 2);
        ctx.RequireKnownAttributes(Attributes(ctx, legacyBroadcast: true));
        var type = ctx.RequireType(0, OnnxElementType.Float, OnnxElementType.Double, OnnxElementType.Float16, OnnxElementType.Int32, OnnxElementType.Int64);
        var exponent = ctx.RequireType(1, Numeric);
        bool integral = !OnnxElementTypes.IsFloat(type) && !OnnxElementTypes.IsFloat(exponent);
        BinaryFn fn = (type, integral) switch
        {
            (OnnxElementType.Int32, true) => (a, b) => ElementwiseLoops.Binary<int, long, int, PowIntRun<int>>(new(), a, Convert(b, OnnxElementType.Int64), "Pow"),
            (OnnxElementType.Int64, true) => (a, b) => ElementwiseLoops.Binary<long, long, long, PowIntRun<long>>(new(), a, Convert(b, OnnxElementType.Int64), "Pow"),
            (OnnxElementType.Int32, false) => PowVia<int>,
            (OnnxElementType.Int64, false) => PowVia<long>,
            (OnnxElementType.Double, _) => PowVia<double>,
            (OnnxElementType.Float16, _) => PowVia<Half>,
            _ => PowVia<float>,
        };
        var (run, shape) = BroadcastRule(ctx, fn);
        return new DelegateOp((ins, outs) => outs[0] = run(ins[0]!, ins[1]!)) { Outputs = [new ValueInfo(type, shape)] };
    }

    private static OnnxTensor PowVia<T>(OnnxTensor a, OnnxTensor b) where T : unmanaged, INumber<T> =>
        ElementwiseLoops.Binary<T, double, T, PowRun<T>>(new(), a, Convert(b, OnnxElementType.Double), "Pow");

    /// <summary>
    /// y = x for x &gt;= 0, slope * x otherwise; the slope broadcasts to X (unidirectionally). Before opset 7 a 1-D
    /// slope of X's channel count applies along axis 1 (the older PRelu's per-channel slope).
    /// </summary>
    private static OnnxOp CreatePRelu(OpContext ctx)
    {
        ctx.RequireArity(2, 2);
        ctx.RequireKnownAttributes(Attributes(ctx, legacyBroadcast: false));
        var type = ctx.RequireType(0, Floats);
        ctx.RequireType(1, Floats);
        ctx.RequireSameType(0, 1);
        bool legacy = ctx.Opset < 7;
        var x = ctx.Input(0).Shape;
        var s = ctx.Input(1).Shape;
        if (x != null && s != null) SlopeShape(x, s, legacy, m => ctx.Fail(m));
        var fn = Dispatch<BinaryFn, PReluFactory>(type, new PReluFactory());
        return new DelegateOp((ins, outs) =>
        {
            var X = ins[0]!; var S = ins[1]!;
            outs[0] = fn(X, S.Reshaped(SlopeShape(X.Shape, S.Shape, legacy, m => new ArgumentException($"PRelu: {m}"))));
        })
        { Outputs = [new ValueInfo(type, x)] };
    }

    /// <summary>The shape under which the slope broadcasts to X (its own, or [1, C, 1, ...] for a legacy per-channel slope).</summary>
    private static int[] SlopeShape(ReadOnlySpan<int> x, ReadOnlySpan<int> s, bool legacy, Func<string, Exception> fail)
    {
        if (legacy && s.Length == 1 && x.Length >= 2 && s[0] != 1 && (s[0] == x[1] || x[1] < 0))
        {
            var channel = Enumerable.Repeat(1, x.Length).ToArray();
            channel[1] = s[0];
            return channel;
        }
        var shape = Broadcast.Shape(x, s, fail);
        bool fits = shape.Length == x.Length;
        for (int i = 0; fits && i < x.Length; i++) fits = shape[i] == x[i] || x[i] < 0;
        if (!fits) throw fail($"the slope [{Dims(s)}] does not broadcast to X [{Dims(x)}]");
        return s.ToArray();
    }

    private readonly struct ArithFactory(ArithOp op, string what) : INumericFactory<BinaryFn>
    {
        public BinaryFn Create<T>() where T : unmanaged, INumber<T>, IMinMaxValue<T>
        {
            var run = new ArithRun<T>(op);
            string name = what;
            return (a, b) => ElementwiseLoops.Binary<T, T, T, ArithRun<T>>(run, a, b, name);
        }
    }

    private readonly struct PReluFactory : INumericFactory<BinaryFn>
    {
        public BinaryFn Create<T>() where T : unmanaged, INumber<T>, IMinMaxValue<T> =>
            (a, b) => ElementwiseLoops.Binary<T, T, T, PReluRun<T>>(new(), a, b, "PRelu");
    }
}
