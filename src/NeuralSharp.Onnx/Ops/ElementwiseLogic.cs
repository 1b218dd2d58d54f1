using System.Numerics;
using NeuralSharp.Onnx.Import;
using BinaryFn = System.Func<NeuralSharp.Onnx.OnnxTensor, NeuralSharp.Onnx.OnnxTensor, NeuralSharp.Onnx.OnnxTensor>;

namespace NeuralSharp.Onnx.Ops;

/// <summary>Comparisons, logical operators, Where, IsNaN and IsInf.</summary>
internal static partial class ElementwiseOps
{
    private static void RegisterLogic(OperatorRegistry registry)
    {
        registry.Add("Equal", 1, Compare(CompareOp.Equal));
        registry.Add("Greater", 1, Compare(CompareOp.Greater));
        registry.Add("Less", 1, Compare(CompareOp.Less));
        registry.Add("GreaterOrEqual", 12, Compare(CompareOp.GreaterOrEqual));
        registry.Add("LessOrEqual", 12, Compare(CompareOp.LessOrEqual));
        registry.Add("And", 1, Logic(LogicOp.And));
        registry.Add("Or", 1, Logic(LogicOp.Or));
        registry.Add("Xor", 1, Logic(LogicOp.Xor));
        registry.Add("Not", 1, CreateNot);
        registry.Add("Where", 9, CreateWhere);
        registry.Add("IsNaN", 9, CreateIsNaN);
        registry.Add("IsInf", 10, CreateIsInf);
    }

    /// <summary>y = a op b as bool, broadcasting; numeric operands (and bool for Equal).</summary>
    private static OpFactory Compare(CompareOp op) => ctx =>
    {
        ctx.RequireArity(2, 2);
        ctx.RequireKnownAttributes(Attributes(ctx, legacyBroadcast: true));
        OnnxElementType[] types = op == CompareOp.Equal ? [.. Numeric, OnnxElementType.Bool] : Numeric;
        var type = ctx.RequireType(0, types);
        ctx.RequireType(1, types);
        ctx.RequireSameType(0, 1);
        string what = ctx.OpType;
        BinaryFn fn = type == OnnxElementType.Bool
            ? (a, b) => ElementwiseLoops.Binary<bool, bool, bool, LogicRun>(new(LogicOp.Equal), a, b, what)
            : Dispatch<BinaryFn, CompareFactory>(type, new CompareFactory(op, what));
        var (run, shape) = BroadcastRule(ctx, fn);
        return new DelegateOp((ins, outs) => outs[0] = run(ins[0]!, ins[1]!)) { Outputs = [new ValueInfo(OnnxElementType.Bool, shape)] };
    };

    private readonly struct CompareFactory(CompareOp op, string what) : INumericFactory<BinaryFn>
    {
        public BinaryFn Create<T>() where T : unmanaged, INumber<T>, IMinMaxValue<T>
        {
            var run = new CompareRun<T>(op);
            string name = what;
            return (a, b) => ElementwiseLoops.Binary<T, T, bool, CompareRun<T>>(run, a, b, name);
        }
    }

    /// <summary>And, Or, Xor on bool tensors, broadcasting.</summary>
    private static OpFactory Logic(LogicOp op) => ctx =>
    {
        ctx.RequireArity(2, 2);
        ctx.RequireKnownAttributes(Attributes(ctx, legacyBroadcast: true));
        ctx.RequireType(0, OnnxElementType.Bool);
        ctx.RequireType(1, OnnxElementType.Bool);
        string what = ctx.OpType;
        var (run, shape) = BroadcastRule(ctx, (a, b) => ElementwiseLoops.Binary<bool, bool, bool, LogicRun>(new(op), a, b, what));
        return new DelegateOp((ins, outs) => outs[0] = run(ins[0]!, ins[1]!)) { Outputs = [new ValueInfo(OnnxElementType.Bool, shape)] };
    };

    /// <summary>y = !x.</summary>
    private static OnnxOp CreateNot(OpContext ctx)
    {
        ctx.RequireArity(1, 1);
        ctx.RequireKnownAttributes();
        ctx.RequireType(0, OnnxElementType.Bool);
        return new DelegateOp((ins, outs) =>
        {
            var x = ins[0]!.AsSpan<bool>();
            var y = new bool[x.Length];
            for (int i = 0; i < y.Length; i++) y[i] = !x[i];
            outs[0] = OnnxTensor.FromArray(y, ins[0]!.ShapeArray);
        })
        { Outputs = [new ValueInfo(OnnxElementType.Bool, ctx.Input(0).Shape)] };
    }

    /// <summary>y = condition ? X : Y, the three broadcast together; X and Y of one type (numeric, bool or string).</summary>
    private static OnnxOp CreateWhere(OpContext ctx)
    {
        ctx.RequireArity(3, 3);
        ctx.RequireKnownAttributes();
        ctx.RequireType(0, OnnxElementType.Bool);
        var type = ctx.RequireType(1, Selectable);
        ctx.RequireType(2, Selectable);
        ctx.RequireSameType(1, 2);
        var shape = Broadcast.Shape([ctx.Input(0).Shape, ctx.Input(1).Shape, ctx.Input(2).Shape], m => ctx.Fail(m));
        return new DelegateOp((ins, outs) => outs[0] = Where(ins[0]!, ins[1]!, ins[2]!)) { Outputs = [new ValueInfo(type, shape)] };
    }

    private static OnnxTensor Where(OnnxTensor c, OnnxTensor x, OnnxTensor y)
    {
        var shape = Broadcast.Shape([c.ShapeArray, x.ShapeArray, y.ShapeArray], m => new ArgumentException($"Where: {m}"))!;
        return x.Data switch
        {
            float[] => Select<float>(c, x, y, shape),
            double[] => Select<double>(c, x, y, shape),
            Half[] => Select<Half>(c, x, y, shape),
            sbyte[] => Select<sbyte>(c, x, y, shape),
            short[] => Select<short>(c, x, y, shape),
            int[] => Select<int>(c, x, y, shape),
            long[] => Select<long>(c, x, y, shape),
            byte[] => Select<byte>(c, x, y, shape),
            ushort[] => Select<ushort>(c, x, y, shape),
            uint[] => Select<uint>(c, x, y, shape),
            ulong[] => Select<ulong>(c, x, y, shape),
            bool[] => Select<bool>(c, x, y, shape),
            string[] => Select<string>(c, x, y, shape),
            _ => throw new ArgumentException($"Where: unsupported operand {x}"),
        };
    }

    private static OnnxTensor Select<T>(OnnxTensor c, OnnxTensor x, OnnxTensor y, int[] shape)
    {
        var d = new T[OnnxTensor.ElementCount(shape)];
        ElementwiseLoops.Select<T>(c.AsSpan<bool>(), c.Shape, x.AsSpan<T>(), x.Shape, y.AsSpan<T>(), y.Shape, d, shape);
        return new OnnxTensor(x.ElementType, shape, d);
    }

    /// <summary>y = x is NaN.</summary>
    private static OnnxOp CreateIsNaN(OpContext ctx) => FloatPredicate(ctx, [], double.IsNaN);

    /// <summary>y = x is +inf (when detect_positive, default 1) or -inf (when detect_negative, default 1).</summary>
    private static OnnxOp CreateIsInf(OpContext ctx)
    {
        bool positive = ctx.Int("detect_positive", 1) != 0, negative = ctx.Int("detect_negative", 1) != 0;
        return FloatPredicate(ctx, ["detect_positive", "detect_negative"],
            v => (positive && double.IsPositiveInfinity(v)) || (negative && double.IsNegativeInfinity(v)));
    }

    private static OnnxOp FloatPredicate(OpContext ctx, string[] attributes, Func<double, bool> predicate)
    {
        ctx.RequireArity(1, 1);
        ctx.RequireKnownAttributes(attributes);
        ctx.RequireType(0, Floats);
        return new DelegateOp((ins, outs) =>
        {
            var x = ins[0]!;
            var y = new bool[x.Length];
            switch (x.Data)
            {
                case float[]: { var s = x.AsSpan<float>(); for (int i = 0; i < y.Length; i++) y[i] = predicate(s[i]); break; }
                case double[]: { var s = x.AsSpan<double>(); for (int i = 0; i < y.Length; i++) y[i] = predicate(s[i]); break; }
                default: { var s = x.AsSpan<Half>(); for (int i = 0; i < y.Length; i++) y[i] = predicate((double)s[i]); break; }
            }
            outs[0] = OnnxTensor.FromArray(y, x.ShapeArray);
        })
        { Outputs = [new ValueInfo(OnnxElementType.Bool, ctx.Input(0).Shape)] };
    }
}
