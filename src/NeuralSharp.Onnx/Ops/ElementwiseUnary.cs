using System.Numerics;
using System.Numerics.Tensors;
using System.Runtime.Intrinsics;
using NeuralSharp.Kernels;
using NeuralSharp.Onnx.Import;
using UnaryFn = System.Func<NeuralSharp.Onnx.OnnxTensor, NeuralSharp.Onnx.OnnxTensor>;

namespace NeuralSharp.Onnx.Ops;

/// <summary>
/// Unary math and activations. float32 runs a SIMD kernel (NeuralSharp's Activations/Elementwise, or
/// TensorPrimitives); double computes the formula in double, float16 computes it in double and rounds.
/// </summary>
internal static partial class ElementwiseOps
{
    /// <summary>y = f(x) over float32 spans (same length; may not alias).</summary>
    private delegate void FloatKernel(ReadOnlySpan<float> x, Span<float> y);

    /// <summary>A floating-point unary function: the float32 kernel and the same function in double.</summary>
    private sealed record FloatFunction(FloatKernel F32, Func<double, double> F64);

    private const float SeluAlpha = 1.67326319217681884765625f, SeluGamma = 1.05070102214813232421875f;

    private static void RegisterUnary(OperatorRegistry registry)
    {
        registry.Add("Sqrt", 1, FloatUnary(_ => new(Elementwise.Sqrt, Math.Sqrt)));
        registry.Add("Exp", 1, FloatUnary(_ => new(Elementwise.Exp, Math.Exp)));
        registry.Add("Log", 1, FloatUnary(_ => new(Elementwise.Log, Math.Log)));
        registry.Add("Erf", 9, FloatUnary(_ => new(ErfKernel, Erf)));
        registry.Add("Reciprocal", 1, FloatUnary(_ => new((x, y) => TensorPrimitives.Reciprocal(x, y), v => 1 / v)));
        registry.Add("Tanh", 1, FloatUnary(_ => new(Kernel(Activation.Tanh), Math.Tanh)));
        registry.Add("Sigmoid", 1, FloatUnary(_ => new(Kernel(Activation.Sigmoid), v => 1 / (1 + Math.Exp(-v)))));
        registry.Add("Softsign", 1, FloatUnary(_ => new(Kernel(Activation.Softsign), v => v / (1 + Math.Abs(v)))));
        registry.Add("Softplus", 1, FloatUnary(_ => new(Kernel(Activation.Softplus, 1f), Softplus)));
        registry.Add("HardSwish", 14, FloatUnary(_ => new(Kernel(Activation.HardSwish), v => v * Math.Clamp(v / 6 + 0.5, 0, 1))));
        registry.Add("Mish", 18, FloatUnary(_ => new(Kernel(Activation.Mish), v => v * Math.Tanh(Softplus(v)))));
        registry.Add("Floor", 1, FloatUnary(_ => new((x, y) => TensorPrimitives.Floor(x, y), Math.Floor)));
        registry.Add("Ceil", 1, FloatUnary(_ => new((x, y) => TensorPrimitives.Ceiling(x, y), Math.Ceiling)));
        registry.Add("Round", 11, FloatUnary(_ => new((x, y) => TensorPrimitives.Round(x, y), v => Math.Round(v, MidpointRounding.ToEven))));
        registry.Add("Sin", 7, FloatUnary(_ => new((x, y) => TensorPrimitives.Sin(x, y), Math.Sin)));
        registry.Add("Cos", 7, FloatUnary(_ => new((x, y) => TensorPrimitives.Cos(x, y), Math.Cos)));
        registry.Add("LeakyRelu", 1, FloatUnary(LeakyRelu, "alpha"));
        registry.Add("Elu", 1, FloatUnary(Elu, "alpha"));
        registry.Add("Celu", 12, FloatUnary(Celu, "alpha"));
        registry.Add("Selu", 1, FloatUnary(Selu, "alpha", "gamma"));
        registry.Add("HardSigmoid", 1, FloatUnary(HardSigmoid, "alpha", "beta"));
        registry.Add("ThresholdedRelu", 10, FloatUnary(ThresholdedRelu, "alpha"));
        registry.Add("Abs", 1, NumericUnary(UnaryOp.Abs, Numeric));
        registry.Add("Neg", 1, NumericUnary(UnaryOp.Neg, Signed));
        registry.Add("Sign", 9, NumericUnary(UnaryOp.Sign, Numeric));
        registry.Add("Relu", 1, NumericUnary(UnaryOp.Relu, Signed));
        registry.Add("Clip", 1, CreateClip);
    }

    private static FloatKernel Kernel(Activation activation, float alpha = 0f) => (x, y) => Activations.Forward(activation, x, y, alpha);

    /// <summary>A one-input float-type operator whose attributes (<paramref name="attributes"/>) <paramref name="make"/> reads.</summary>
    private static OpFactory FloatUnary(Func<OpContext, FloatFunction> make, params string[] attributes) => ctx =>
    {
        ctx.RequireArity(1, 1);
        ctx.RequireKnownAttributes(Attributes(ctx, legacyBroadcast: false, attributes));
        var type = ctx.RequireType(0, Floats);
        var f = make(ctx);
        return new DelegateOp((ins, outs) => outs[0] = Apply(ins[0]!, f)) { Outputs = [new ValueInfo(type, ctx.Input(0).Shape)] };
    };

    private static OnnxTensor Apply(OnnxTensor x, FloatFunction f)
    {
        switch (x.Data)
        {
            case float[]:
            {
                var y = OnnxTensor.Rent<float>(x.ShapeArray);
                f.F32(x.AsSpan<float>(), y.AsSpan<float>());
                return y;
            }
            case double[]:
            {
                var s = x.AsSpan<double>();
                var y = new double[x.Length];
                for (int i = 0; i < y.Length; i++) y[i] = f.F64(s[i]);
                return OnnxTensor.FromArray(y, x.ShapeArray);
            }
            case Half[]:
            {
                var s = x.AsSpan<Half>();
                var y = new Half[x.Length];
                for (int i = 0; i < y.Length; i++) y[i] = (Half)f.F64((double)s[i]);
                return OnnxTensor.FromArray(y, x.ShapeArray);
            }
            default: throw new ArgumentException($"expected a floating-point tensor, got {x}");
        }
    }

    /// <summary>y = x for x &gt;= 0, alpha x otherwise (alpha default 0.01).</summary>
    private static FloatFunction LeakyRelu(OpContext ctx)
    {
        float alpha = ctx.Float("alpha", 0.01f);
        return new(Kernel(Activation.LeakyRelu, alpha), v => v >= 0 ? v : alpha * v);
    }

    /// <summary>y = x for x &gt;= 0, alpha (e^x - 1) otherwise (alpha default 1).</summary>
    private static FloatFunction Elu(OpContext ctx)
    {
        float alpha = ctx.Float("alpha", 1f);
        return new(Kernel(Activation.Elu, alpha), v => v >= 0 ? v : alpha * (Math.Exp(v) - 1));
    }

    /// <summary>y = max(0, x) + min(0, alpha (e^(x/alpha) - 1)) (alpha default 1, non-zero).</summary>
    private static FloatFunction Celu(OpContext ctx)
    {
        float alpha = ctx.Float("alpha", 1f);
        if (alpha == 0f || float.IsNaN(alpha)) throw ctx.Fail($"alpha must be non-zero, not {alpha}");
        return new(Kernel(Activation.Celu, alpha), v => v >= 0 ? v : alpha * (Math.Exp(v / alpha) - 1));
    }

    /// <summary>y = gamma x for x &gt; 0, gamma alpha (e^x - 1) otherwise (defaults: SELU's constants).</summary>
    private static FloatFunction Selu(OpContext ctx)
    {
        float alpha = ctx.Float("alpha", SeluAlpha), gamma = ctx.Float("gamma", SeluGamma);
        return new((x, y) =>
        {
            Activations.Forward(Activation.Elu, x, y, alpha);
            Elementwise.Scale(y, gamma, y);
        }, v => gamma * (v > 0 ? v : alpha * (Math.Exp(v) - 1)));
    }

    /// <summary>y = max(0, min(1, alpha x + beta)) (alpha default 0.2, beta 0.5).</summary>
    private static FloatFunction HardSigmoid(OpContext ctx)
    {
        float alpha = ctx.Float("alpha", 0.2f), beta = ctx.Float("beta", 0.5f);
        return new((x, y) =>
        {
            TensorPrimitives.Multiply(x, alpha, y);
            TensorPrimitives.Add(y, beta, y);
            TensorPrimitives.Max(y, 0f, y);
            TensorPrimitives.Min(y, 1f, y);
        }, v => Math.Max(0, Math.Min(1, alpha * v + beta)));
    }

    /// <summary>y = x for x &gt; alpha, 0 otherwise (alpha default 1).</summary>
    private static FloatFunction ThresholdedRelu(OpContext ctx)
    {
        float alpha = ctx.Float("alpha", 1f);
        return new((x, y) =>
        {
            for (int i = 0; i < y.Length; i++) y[i] = x[i] > alpha ? x[i] : 0f;
        }, v => v > alpha ? v : 0);
    }

    /// <summary>ln(1 + e^x), stable for large |x|.</summary>
    private static double Softplus(double x) => Math.Max(x, 0) + Log1p(Math.Exp(-Math.Abs(x)));

    /// <summary>ln(1 + u), accurate for small u (Goldberg's correction of the rounded 1 + u).</summary>
    private static double Log1p(double u)
    {
        double w = 1 + u;
        return w == 1 ? u : Math.Log(w) * u / (w - 1);
    }

    /// <summary>
    /// erf x in double: 2/sqrt(pi) e^(-x^2) sum_n 2^n x^(2n+1) / (1 3 5 ... (2n+1)), a series of positive terms (no
    /// cancellation; relative error ~1e-15); +-1 beyond |x| = 6, where 1 - erf x &lt; 1e-16.
    /// </summary>
    internal static double Erf(double x)
    {
        if (double.IsNaN(x)) return x;
        double ax = Math.Abs(x);
        if (ax >= 6) return Math.CopySign(1, x);
        double x2 = ax * ax, term = ax, sum = ax;
        for (int n = 1; term > sum * 1e-17; n++)
        {
            term *= 2 * x2 / (2 * n + 1);
            sum += term;
        }
        return Math.CopySign(2 / Math.Sqrt(Math.PI) * Math.Exp(-x2) * sum, x);
    }

    /// <summary>erf over float32 spans by <see cref="FastMath.Erf(float)"/> (absolute error &lt;= 1e-6).</summary>
    private static void ErfKernel(ReadOnlySpan<float> x, Span<float> y)
    {
        int i = 0;
        if (Vector512.IsHardwareAccelerated)
            for (; i + 16 <= y.Length; i += 16) FastMath.Erf(Vector512.Create(x.Slice(i, 16))).CopyTo(y.Slice(i));
        if (Vector256.IsHardwareAccelerated)
            for (; i + 8 <= y.Length; i += 8) FastMath.Erf(Vector256.Create(x.Slice(i, 8))).CopyTo(y.Slice(i));
        for (; i < y.Length; i++) y[i] = FastMath.Erf(x[i]);
    }

    /// <summary>The unary operators defined on integers too.</summary>
    private enum UnaryOp { Abs, Neg, Sign, Relu }

    /// <summary>Abs, Neg, Sign, Relu on numeric types: integers wrap like C (Abs and Neg of MinValue give MinValue); Sign keeps NaN and zeros.</summary>
    private static OpFactory NumericUnary(UnaryOp op, OnnxElementType[] types) => ctx =>
    {
        ctx.RequireArity(1, 1);
        ctx.RequireKnownAttributes(Attributes(ctx, legacyBroadcast: false));
        var type = ctx.RequireType(0, types);
        var f = Dispatch<UnaryFn, NumericUnaryFactory>(type, new NumericUnaryFactory(op));
        return new DelegateOp((ins, outs) => outs[0] = f(ins[0]!)) { Outputs = [new ValueInfo(type, ctx.Input(0).Shape)] };
    };

    private readonly struct NumericUnaryFactory(UnaryOp op) : INumericFactory<UnaryFn>
    {
        public UnaryFn Create<T>() where T : unmanaged, INumber<T>, IMinMaxValue<T>
        {
            var o = op;
            return x =>
            {
                var s = x.AsSpan<T>();
                var y = new T[x.Length];
                switch (o)
                {
                    case UnaryOp.Abs when IsInteger<T>():
                        for (int i = 0; i < y.Length; i++) y[i] = s[i] < T.Zero ? -s[i] : s[i];
                        break;
                    case UnaryOp.Abs: TensorPrimitives.Abs(s, y); break;
                    case UnaryOp.Neg: TensorPrimitives.Negate(s, y); break;
                    case UnaryOp.Sign:
                        for (int i = 0; i < y.Length; i++) y[i] = s[i] > T.Zero ? T.One : s[i] < T.Zero ? -T.One : s[i];
                        break;
                    case UnaryOp.Relu when typeof(T) == typeof(float):
                        Activations.Forward(Activation.Relu, x.AsSpan<float>(), (float[])(object)y);
                        break;
                    default: TensorPrimitives.Max(s, T.Zero, y); break;
                }
                return new OnnxTensor(x.ElementType, x.ShapeArray, y);
            };
        }
    }

    /// <summary>
    /// y = min(max(x, min), max). Before opset 11 min and max are float attributes (defaults: float's lowest and
    /// highest); from 11 optional one-element inputs of X's type (absent: no bound). When min &gt; max every element
    /// becomes max. NaN stays NaN.
    /// </summary>
    private static OnnxOp CreateClip(OpContext ctx)
    {
        OnnxElementType type;
        OnnxTensor? lo = null, hi = null;
        bool fromInputs = ctx.Opset >= 11;
        if (!fromInputs)
        {
            ctx.RequireArity(1, 1);
            ctx.RequireKnownAttributes(Attributes(ctx, legacyBroadcast: false, "min", "max"));
            type = ctx.RequireType(0, Floats);
            lo = Convert(OnnxTensor.FromArray(new[] { ctx.Float("min", float.MinValue) }), type);
            hi = Convert(OnnxTensor.FromArray(new[] { ctx.Float("max", float.MaxValue) }), type);
        }
        else
        {
            ctx.RequireArity(1, 3);
            ctx.RequireKnownAttributes();
            type = ctx.RequireType(0, Numeric);
            for (int i = 1; i < 3; i++)
            {
                if (!ctx.HasInput(i)) continue;
                ctx.RequireSameType(0, i);
                if (ctx.Input(i).Shape is { } s && s.All(d => d >= 0) && OnnxTensor.ElementCount(s) != 1)
                    throw ctx.Fail($"{(i == 1 ? "min" : "max")} must be a scalar, not {ctx.Input(i).ShapeText}");
            }
        }
        var clip = Dispatch<Func<OnnxTensor, OnnxTensor?, OnnxTensor?, OnnxTensor>, ClipFactory>(type, new ClipFactory());
        return new DelegateOp((ins, outs) =>
        {
            var min = fromInputs ? (ins.Length > 1 ? ins[1] : null) : lo;
            var max = fromInputs ? (ins.Length > 2 ? ins[2] : null) : hi;
            outs[0] = clip(ins[0]!, min, max);
        })
        { Outputs = [new ValueInfo(type, ctx.Input(0).Shape)] };
    }

    private readonly struct ClipFactory : INumericFactory<Func<OnnxTensor, OnnxTensor?, OnnxTensor?, OnnxTensor>>
    {
        public Func<OnnxTensor, OnnxTensor?, OnnxTensor?, OnnxTensor> Create<T>() where T : unmanaged, INumber<T>, IMinMaxValue<T> => (x, lo, hi) =>
        {
            var y = x.AsSpan<T>().ToArray();
            if (lo != null) TensorPrimitives.Max(y, Bound<T>(lo, "min"), y);
            if (hi != null) TensorPrimitives.Min(y, Bound<T>(hi, "max"), y);
            return new OnnxTensor(x.ElementType, x.ShapeArray, y);
        };

        private static T Bound<T>(OnnxTensor t, string what) =>
            t.Length == 1 ? t.AsSpan<T>()[0] : throw new ArgumentException($"Clip: {what} must have one element, not shape [{Dims(t.Shape)}]");
    }
}
