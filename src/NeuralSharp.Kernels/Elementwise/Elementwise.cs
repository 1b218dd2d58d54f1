using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace NeuralSharp.Kernels;

// Legend: n = the common length of all spans. Every kernel is element-wise: dst[i] depends on inputs at i only.

/// <summary>
/// Element-wise arithmetic and math functions on float spans (SIMD: Vector512, Vector256, scalar tail).
/// All spans of one call have the same length (else <see cref="ArgumentException"/>); a destination may be the
/// very same span as an input (exact aliasing), never an overlapping offset one. "Accumulate" kernels add into
/// the destination (<c>dst += ...</c>), as backward kernels do into gradients.
/// </summary>
public static class Elementwise
{
    /// <summary>dst[i] = x[i] op y[i].</summary>
    /// <param name="op">The operation.</param>
    /// <param name="x">Left operands [n].</param>
    /// <param name="y">Right operands [n].</param>
    /// <param name="dst">Results [n]; may alias <paramref name="x"/> or <paramref name="y"/>.</param>
    /// <exception cref="ArgumentException">Lengths differ or <paramref name="op"/> is unknown.</exception>
    public static void Binary(BinaryOp op, ReadOnlySpan<float> x, ReadOnlySpan<float> y, Span<float> dst)
    {
        Guard.Length(nameof(Binary), nameof(x), dst.Length, x.Length);
        Guard.Length(nameof(Binary), nameof(y), dst.Length, y.Length);
        switch (op)
        {
            case BinaryOp.Add: SimdLoop.Binary(new AddOp(), x, y, dst); break;
            case BinaryOp.Sub: SimdLoop.Binary(new SubOp(), x, y, dst); break;
            case BinaryOp.Mul: SimdLoop.Binary(new MulOp(), x, y, dst); break;
            case BinaryOp.Div: SimdLoop.Binary(new DivOp(), x, y, dst); break;
            default: throw UnknownOp(nameof(Binary), op);
        }
    }

    /// <summary>dst[i] = x[i] op y.</summary>
    /// <param name="op">The operation.</param>
    /// <param name="x">Left operands [n].</param>
    /// <param name="y">The scalar right operand.</param>
    /// <param name="dst">Results [n]; may alias <paramref name="x"/>.</param>
    /// <exception cref="ArgumentException">Lengths differ or <paramref name="op"/> is unknown.</exception>
    public static void BinaryScalarRight(BinaryOp op, ReadOnlySpan<float> x, float y, Span<float> dst)
    {
        Guard.Length(nameof(BinaryScalarRight), nameof(x), dst.Length, x.Length);
        switch (op)
        {
            case BinaryOp.Add: SimdLoop.Unary(new ScalarRightOp<AddOp>(y), x, dst); break;
            case BinaryOp.Sub: SimdLoop.Unary(new ScalarRightOp<SubOp>(y), x, dst); break;
            case BinaryOp.Mul: SimdLoop.Unary(new ScalarRightOp<MulOp>(y), x, dst); break;
            case BinaryOp.Div: SimdLoop.Unary(new ScalarRightOp<DivOp>(y), x, dst); break;
            default: throw UnknownOp(nameof(BinaryScalarRight), op);
        }
    }

    /// <summary>dst[i] = x op y[i].</summary>
    /// <param name="op">The operation.</param>
    /// <param name="x">The scalar left operand.</param>
    /// <param name="y">Right operands [n].</param>
    /// <param name="dst">Results [n]; may alias <paramref name="y"/>.</param>
    /// <exception cref="ArgumentException">Lengths differ or <paramref name="op"/> is unknown.</exception>
    public static void BinaryScalarLeft(BinaryOp op, float x, ReadOnlySpan<float> y, Span<float> dst)
    {
        Guard.Length(nameof(BinaryScalarLeft), nameof(y), dst.Length, y.Length);
        switch (op)
        {
            case BinaryOp.Add: SimdLoop.Unary(new ScalarLeftOp<AddOp>(x), y, dst); break;
            case BinaryOp.Sub: SimdLoop.Unary(new ScalarLeftOp<SubOp>(x), y, dst); break;
            case BinaryOp.Mul: SimdLoop.Unary(new ScalarLeftOp<MulOp>(x), y, dst); break;
            case BinaryOp.Div: SimdLoop.Unary(new ScalarLeftOp<DivOp>(x), y, dst); break;
            default: throw UnknownOp(nameof(BinaryScalarLeft), op);
        }
    }

    /// <summary>Accumulates dst[i] += x[i].</summary>
    /// <param name="x">Addends [n].</param>
    /// <param name="dst">Accumulators [n].</param>
    /// <exception cref="ArgumentException">Lengths differ.</exception>
    public static void Add(ReadOnlySpan<float> x, Span<float> dst)
    {
        Guard.Length(nameof(Add), nameof(x), dst.Length, x.Length);
        SimdLoop.Binary(new AddOp(), dst, x, dst);
    }

    /// <summary>Accumulates dst[i] += x[i] * y[i] (a multiply then an add, not fused).</summary>
    /// <param name="x">Factors [n].</param>
    /// <param name="y">Factors [n].</param>
    /// <param name="dst">Accumulators [n].</param>
    /// <exception cref="ArgumentException">Lengths differ.</exception>
    public static void MultiplyAdd(ReadOnlySpan<float> x, ReadOnlySpan<float> y, Span<float> dst)
    {
        Guard.Length(nameof(MultiplyAdd), nameof(x), dst.Length, x.Length);
        Guard.Length(nameof(MultiplyAdd), nameof(y), dst.Length, y.Length);
        SimdLoop.Ternary(new MulAddOp(), x, y, dst, dst);
    }

    /// <summary>Accumulates dst[i] += x[i] * y (a multiply then an add, not fused).</summary>
    /// <param name="x">Factors [n].</param>
    /// <param name="y">The scalar factor.</param>
    /// <param name="dst">Accumulators [n].</param>
    /// <exception cref="ArgumentException">Lengths differ.</exception>
    public static void MultiplyAdd(ReadOnlySpan<float> x, float y, Span<float> dst)
    {
        Guard.Length(nameof(MultiplyAdd), nameof(x), dst.Length, x.Length);
        SimdLoop.Binary(new MulScalarAddOp(y), x, dst, dst);
    }

    /// <summary>dst[i] = x[i] * s.</summary>
    /// <param name="x">Inputs [n].</param>
    /// <param name="s">The scale.</param>
    /// <param name="dst">Results [n]; may alias <paramref name="x"/>.</param>
    /// <exception cref="ArgumentException">Lengths differ.</exception>
    public static void Scale(ReadOnlySpan<float> x, float s, Span<float> dst)
    {
        Guard.Length(nameof(Scale), nameof(x), dst.Length, x.Length);
        SimdLoop.Unary(new ScalarRightOp<MulOp>(s), x, dst);
    }

    /// <summary>dst[i] = value.</summary>
    /// <param name="dst">The span to fill.</param>
    /// <param name="value">The value.</param>
    public static void Fill(Span<float> dst, float value) => dst.Fill(value);

    /// <summary>dst[i] = e^x[i], by <see cref="FastMath.Exp(float)"/>.</summary>
    /// <param name="x">Inputs [n].</param>
    /// <param name="dst">Results [n]; may alias <paramref name="x"/>.</param>
    /// <exception cref="ArgumentException">Lengths differ.</exception>
    public static void Exp(ReadOnlySpan<float> x, Span<float> dst)
    {
        Guard.Length(nameof(Exp), nameof(x), dst.Length, x.Length);
        SimdLoop.Unary(new ExpOp(), x, dst);
    }

    /// <summary>dst[i] = ln x[i], by <see cref="FastMath.Log(float)"/> (ln 0 = -inf, ln of a negative = NaN).</summary>
    /// <param name="x">Inputs [n].</param>
    /// <param name="dst">Results [n]; may alias <paramref name="x"/>.</param>
    /// <exception cref="ArgumentException">Lengths differ.</exception>
    public static void Log(ReadOnlySpan<float> x, Span<float> dst)
    {
        Guard.Length(nameof(Log), nameof(x), dst.Length, x.Length);
        SimdLoop.Unary(new LogOp(), x, dst);
    }

    /// <summary>dst[i] = sqrt(x[i]) (correctly rounded; NaN for negatives).</summary>
    /// <param name="x">Inputs [n].</param>
    /// <param name="dst">Results [n]; may alias <paramref name="x"/>.</param>
    /// <exception cref="ArgumentException">Lengths differ.</exception>
    public static void Sqrt(ReadOnlySpan<float> x, Span<float> dst)
    {
        Guard.Length(nameof(Sqrt), nameof(x), dst.Length, x.Length);
        SimdLoop.Unary(new SqrtOp(), x, dst);
    }

    /// <summary>
    /// dst[i] = x[i]^p with <see cref="MathF.Pow"/> semantics (special values included). p = 0, 1 and 2 take SIMD
    /// paths: 1, x and x*x (x*x is correctly rounded, where MathF.Pow(x, 2) may be 1 ulp off); other exponents
    /// call MathF.Pow per element.
    /// </summary>
    /// <param name="x">Bases [n].</param>
    /// <param name="p">The exponent.</param>
    /// <param name="dst">Results [n]; may alias <paramref name="x"/>.</param>
    /// <exception cref="ArgumentException">Lengths differ.</exception>
    public static void Pow(ReadOnlySpan<float> x, float p, Span<float> dst)
    {
        Guard.Length(nameof(Pow), nameof(x), dst.Length, x.Length);
        if (p == 0f) { dst.Fill(1f); return; }
        if (p == 1f) { x.CopyTo(dst); return; }
        if (p == 2f) { SimdLoop.Unary(new SquareOp(), x, dst); return; }
        ref float px = ref MemoryMarshal.GetReference(x);
        for (int i = 0; i < dst.Length; i++)
            dst[i] = MathF.Pow(Unsafe.Add(ref px, i), p);
    }

    /// <summary>Gradient of x / y with respect to the denominator: accumulates dy_dDen[i] += -dy[i] * x[i] / (y[i] * y[i]).</summary>
    /// <param name="dy">Upstream gradient [n].</param>
    /// <param name="x">Numerators [n].</param>
    /// <param name="y">Denominators [n].</param>
    /// <param name="dy_dDen">Gradient of the denominator [n], accumulated.</param>
    /// <exception cref="ArgumentException">Lengths differ.</exception>
    public static void DivBackwardDenominator(ReadOnlySpan<float> dy, ReadOnlySpan<float> x, ReadOnlySpan<float> y, Span<float> dy_dDen)
    {
        Guard.Length(nameof(DivBackwardDenominator), nameof(dy), dy_dDen.Length, dy.Length);
        Guard.Length(nameof(DivBackwardDenominator), nameof(x), dy_dDen.Length, x.Length);
        Guard.Length(nameof(DivBackwardDenominator), nameof(y), dy_dDen.Length, y.Length);
        SimdLoop.Quaternary(new DivBackwardDenominatorOp(), dy, x, y, dy_dDen, dy_dDen);
    }

    /// <summary>
    /// Gradient of x^p: accumulates dx[i] += dy[i] * p * x[i]^(p-1) (power by <see cref="MathF.Pow"/>).
    /// Like PyTorch, p = 0 contributes nothing (rather than NaN at x = 0).
    /// </summary>
    /// <param name="x">Bases [n].</param>
    /// <param name="p">The exponent.</param>
    /// <param name="dy">Upstream gradient [n].</param>
    /// <param name="dx">Gradient of the bases [n], accumulated.</param>
    /// <exception cref="ArgumentException">Lengths differ.</exception>
    public static void PowBackward(ReadOnlySpan<float> x, float p, ReadOnlySpan<float> dy, Span<float> dx)
    {
        Guard.Length(nameof(PowBackward), nameof(x), dx.Length, x.Length);
        Guard.Length(nameof(PowBackward), nameof(dy), dx.Length, dy.Length);
        if (p == 0f) return;
        if (p == 1f) { SimdLoop.Binary(new AddOp(), dx, dy, dx); return; }
        if (p == 2f) { SimdLoop.Ternary(new SquareBackwardOp(), x, dy, dx, dx); return; }
        float pm1 = p - 1f;
        for (int i = 0; i < dx.Length; i++)
            dx[i] += dy[i] * p * MathF.Pow(x[i], pm1);
    }

    private static ArgumentException UnknownOp(string kernel, BinaryOp op) =>
        new($"{kernel}: unknown BinaryOp {(int)op}.", nameof(op));
}
