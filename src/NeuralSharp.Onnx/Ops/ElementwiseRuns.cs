using System.Numerics;
using System.Numerics.Tensors;
using System.Runtime.InteropServices;
using NeuralSharp.Kernels;

namespace NeuralSharp.Onnx.Ops;

// The per-run operations behind the binary element-wise operators (see IBinaryRun). float32 Add/Sub/Mul/Div go to
// NeuralSharp's Elementwise kernels; other types and operations to TensorPrimitives (SIMD where it has it) or
// scalar loops where its semantics differ from ONNX's (integer division, Pow, comparisons).

/// <summary>The binary arithmetic operations.</summary>
internal enum ArithOp { Add, Sub, Mul, Div, Max, Min }

/// <summary>
/// y = a op b. Integer arithmetic wraps; integer division truncates toward zero (C); integer division by zero or
/// MinValue / -1 throws <see cref="ArgumentException"/>. Max and Min propagate NaN.
/// </summary>
internal readonly struct ArithRun<T>(ArithOp op) : IBinaryRun<T, T, T> where T : unmanaged, INumber<T>
{
    private static BinaryOp Kernel(ArithOp op) => op switch
    {
        ArithOp.Add => BinaryOp.Add,
        ArithOp.Sub => BinaryOp.Sub,
        ArithOp.Mul => BinaryOp.Mul,
        _ => BinaryOp.Div,
    };

    private static Span<float> F(Span<T> s) => MemoryMarshal.Cast<T, float>(s);
    private static ReadOnlySpan<float> F(ReadOnlySpan<T> s) => MemoryMarshal.Cast<T, float>(s);

    public void Run(ReadOnlySpan<T> a, ReadOnlySpan<T> b, Span<T> y)
    {
        if (typeof(T) == typeof(float) && op <= ArithOp.Div) { Elementwise.Binary(Kernel(op), F(a), F(b), F(y)); return; }
        switch (op)
        {
            case ArithOp.Add: TensorPrimitives.Add(a, b, y); break;
            case ArithOp.Sub: TensorPrimitives.Subtract(a, b, y); break;
            case ArithOp.Mul: TensorPrimitives.Multiply(a, b, y); break;
            case ArithOp.Max: TensorPrimitives.Max(a, b, y); break;
            case ArithOp.Min: TensorPrimitives.Min(a, b, y); break;
            default:
                if (!ElementwiseOps.IsInteger<T>()) { TensorPrimitives.Divide(a, b, y); break; }
                for (int i = 0; i < y.Length; i++) y[i] = IntegerDivide(a[i], b[i]);
                break;
        }
    }

    public void Run(ReadOnlySpan<T> a, T b, Span<T> y)
    {
        if (typeof(T) == typeof(float) && op <= ArithOp.Div) { Elementwise.BinaryScalarRight(Kernel(op), F(a), (float)(object)b, F(y)); return; }
        switch (op)
        {
            case ArithOp.Add: TensorPrimitives.Add(a, b, y); break;
            case ArithOp.Sub: TensorPrimitives.Subtract(a, b, y); break;
            case ArithOp.Mul: TensorPrimitives.Multiply(a, b, y); break;
            case ArithOp.Max: TensorPrimitives.Max(a, b, y); break;
            case ArithOp.Min: TensorPrimitives.Min(a, b, y); break;
            default:
                if (!ElementwiseOps.IsInteger<T>()) { TensorPrimitives.Divide(a, b, y); break; }
                for (int i = 0; i < y.Length; i++) y[i] = IntegerDivide(a[i], b);
                break;
        }
    }

    public void Run(T a, ReadOnlySpan<T> b, Span<T> y)
    {
        if (typeof(T) == typeof(float) && op <= ArithOp.Div) { Elementwise.BinaryScalarLeft(Kernel(op), (float)(object)a, F(b), F(y)); return; }
        switch (op)
        {
            case ArithOp.Add: TensorPrimitives.Add(b, a, y); break;
            case ArithOp.Sub: TensorPrimitives.Subtract(a, b, y); break;
            case ArithOp.Mul: TensorPrimitives.Multiply(b, a, y); break;
            case ArithOp.Max: TensorPrimitives.Max(b, a, y); break;
            case ArithOp.Min: TensorPrimitives.Min(b, a, y); break;
            default:
                if (!ElementwiseOps.IsInteger<T>()) { TensorPrimitives.Divide(a, b, y); break; }
                for (int i = 0; i < y.Length; i++) y[i] = IntegerDivide(a, b[i]);
                break;
        }
    }

    private static T IntegerDivide(T a, T b)
    {
        if (T.IsZero(b)) throw new ArgumentException($"Div: integer division by zero ({typeof(T).Name})");
        // MinValue / -1 overflows (C leaves it undefined; .NET throws): wrap like two's complement negation.
        if (T.IsNegative(b) && b == -T.One) return -a;
        return a / b;
    }
}

/// <summary>y = a^b computed in double (base floating-point or integer, exponent converted to double), rounded or truncated to the base type.</summary>
internal readonly struct PowRun<T> : IBinaryRun<T, double, T> where T : unmanaged, INumber<T>
{
    private static T Pow(T a, double b) => T.CreateTruncating(Math.Pow(double.CreateTruncating(a), b));

    public void Run(ReadOnlySpan<T> a, ReadOnlySpan<double> b, Span<T> y)
    {
        for (int i = 0; i < y.Length; i++) y[i] = Pow(a[i], b[i]);
    }

    public void Run(ReadOnlySpan<T> a, double b, Span<T> y)
    {
        // A float32 base with an exponent float holds exactly (x^2, x^0.5...): the SIMD kernel.
        if (typeof(T) == typeof(float) && (double)(float)b == b)
        {
            Elementwise.Pow(MemoryMarshal.Cast<T, float>(a), (float)b, MemoryMarshal.Cast<T, float>(y));
            return;
        }
        for (int i = 0; i < y.Length; i++) y[i] = Pow(a[i], b);
    }

    public void Run(T a, ReadOnlySpan<double> b, Span<T> y)
    {
        for (int i = 0; i < y.Length; i++) y[i] = Pow(a, b[i]);
    }
}

/// <summary>y = a^b for integers by repeated squaring (wrapping like C); negative exponents give the truncated quotient 1 / a^|b|.</summary>
internal readonly struct PowIntRun<T> : IBinaryRun<T, long, T> where T : unmanaged, IBinaryInteger<T>
{
    private static T Pow(T a, long b)
    {
        if (b < 0)
        {
            if (T.IsZero(a)) throw new ArgumentException("Pow: zero to a negative integer power");
            if (a == T.One) return T.One;
            if (a == -T.One) return (b & 1) == 0 ? T.One : a;
            return T.Zero;
        }
        T result = T.One, square = a;
        for (ulong e = (ulong)b; e != 0; e >>= 1)
        {
            if ((e & 1) != 0) result *= square;
            square *= square;
        }
        return result;
    }

    public void Run(ReadOnlySpan<T> a, ReadOnlySpan<long> b, Span<T> y)
    {
        for (int i = 0; i < y.Length; i++) y[i] = Pow(a[i], b[i]);
    }

    public void Run(ReadOnlySpan<T> a, long b, Span<T> y)
    {
        for (int i = 0; i < y.Length; i++) y[i] = Pow(a[i], b);
    }

    public void Run(T a, ReadOnlySpan<long> b, Span<T> y)
    {
        for (int i = 0; i < y.Length; i++) y[i] = Pow(a, b[i]);
    }
}

/// <summary>y = x for x &gt;= 0, slope * x otherwise (a = x, b = slope); a float32 scalar slope runs the LeakyRelu kernel.</summary>
internal readonly struct PReluRun<T> : IBinaryRun<T, T, T> where T : unmanaged, INumber<T>
{
    private static T F(T x, T slope) => x < T.Zero ? x * slope : x;

    public void Run(ReadOnlySpan<T> a, ReadOnlySpan<T> b, Span<T> y)
    {
        for (int i = 0; i < y.Length; i++) y[i] = F(a[i], b[i]);
    }

    public void Run(ReadOnlySpan<T> a, T b, Span<T> y)
    {
        if (typeof(T) == typeof(float))
        {
            Activations.Forward(Activation.LeakyRelu, MemoryMarshal.Cast<T, float>(a), MemoryMarshal.Cast<T, float>(y), (float)(object)b);
            return;
        }
        for (int i = 0; i < y.Length; i++) y[i] = F(a[i], b);
    }

    public void Run(T a, ReadOnlySpan<T> b, Span<T> y)
    {
        for (int i = 0; i < y.Length; i++) y[i] = F(a, b[i]);
    }
}

/// <summary>The comparisons (and, for bool operands, the logical operations).</summary>
internal enum CompareOp { Equal, Greater, Less, GreaterOrEqual, LessOrEqual }

/// <summary>y = a op b as bool (IEEE: comparisons with NaN are false).</summary>
internal readonly struct CompareRun<T>(CompareOp op) : IBinaryRun<T, T, bool> where T : unmanaged, INumber<T>
{
    private bool F(T a, T b) => op switch
    {
        CompareOp.Equal => a == b,
        CompareOp.Greater => a > b,
        CompareOp.Less => a < b,
        CompareOp.GreaterOrEqual => a >= b,
        _ => a <= b,
    };

    public void Run(ReadOnlySpan<T> a, ReadOnlySpan<T> b, Span<bool> y)
    {
        for (int i = 0; i < y.Length; i++) y[i] = F(a[i], b[i]);
    }

    public void Run(ReadOnlySpan<T> a, T b, Span<bool> y)
    {
        for (int i = 0; i < y.Length; i++) y[i] = F(a[i], b);
    }

    public void Run(T a, ReadOnlySpan<T> b, Span<bool> y)
    {
        for (int i = 0; i < y.Length; i++) y[i] = F(a, b[i]);
    }
}

/// <summary>The logical operations on bool.</summary>
internal enum LogicOp { And, Or, Xor, Equal }

/// <summary>y = a op b on bool.</summary>
internal readonly struct LogicRun(LogicOp op) : IBinaryRun<bool, bool, bool>
{
    private bool F(bool a, bool b) => op switch
    {
        LogicOp.And => a & b,
        LogicOp.Or => a | b,
        LogicOp.Xor => a ^ b,
        _ => a == b,
    };

    public void Run(ReadOnlySpan<bool> a, ReadOnlySpan<bool> b, Span<bool> y)
    {
        for (int i = 0; i < y.Length; i++) y[i] = F(a[i], b[i]);
    }

    public void Run(ReadOnlySpan<bool> a, bool b, Span<bool> y)
    {
        for (int i = 0; i < y.Length; i++) y[i] = F(a[i], b);
    }

    public void Run(bool a, ReadOnlySpan<bool> b, Span<bool> y)
    {
        for (int i = 0; i < y.Length; i++) y[i] = F(a, b[i]);
    }
}
