using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace NeuralSharp.Kernels;

// Vector256 forms of FastMath: generated from FastMath.Vector512.cs by replacing 512 with 256. Same algorithm
// as the scalar forms in FastMath.cs (see the comments there).
public static partial class FastMath
{
    /// <summary>e^x per lane (same algorithm and special values as <see cref="Exp(float)"/>).</summary>
    /// <param name="x">The exponents.</param>
    /// <returns>e raised to each lane of <paramref name="x"/>.</returns>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Exp(Vector256<float> x)
    {
        if (Avx512F.VL.IsSupported) return ExpAvx512(x);
        var xc = Vector256.MinNative(Vector256.MaxNative(x, Vector256.Create(ExpLo)), Vector256.Create(ExpHi));
        var kf = Vector256.FusedMultiplyAdd(xc, Vector256.Create(Log2E), Vector256.Create(RoundMagic));
        var n = kf.AsInt32() - Vector256.Create(RoundMagicBits);
        var nf = kf - Vector256.Create(RoundMagic);
        var r = Vector256.FusedMultiplyAdd(nf, Vector256.Create(-Ln2Hi), xc);
        r = Vector256.FusedMultiplyAdd(nf, Vector256.Create(-Ln2Lo), r);
        var p = Vector256.FusedMultiplyAdd(Vector256.Create(E0), r, Vector256.Create(E1));
        p = Vector256.FusedMultiplyAdd(p, r, Vector256.Create(E2));
        p = Vector256.FusedMultiplyAdd(p, r, Vector256.Create(E3));
        p = Vector256.FusedMultiplyAdd(p, r, Vector256.Create(E4));
        p = Vector256.FusedMultiplyAdd(p, r, Vector256.Create(E5));
        var y = Vector256.FusedMultiplyAdd(p, r * r, r) + Vector256<float>.One;
        var n1 = Vector256.ShiftRightArithmetic(n, 1);
        var n2 = n - n1;
        var s1 = Vector256.ShiftLeft(n1 + Vector256.Create(127), 23).AsSingle();
        var s2 = Vector256.ShiftLeft(n2 + Vector256.Create(127), 23).AsSingle();
        y = y * s1 * s2;
        return Vector256.ConditionalSelect(Vector256.Equals(x, x), y, x);
    }

    // AVX-512: y * 2^n by one vscalefps (n as a float, no integer detour), rounded once like y * 2^n1 * 2^n2 above,
    // so the results are bit-identical. max/min return their second operand when either is NaN, so a NaN x
    // flows through to the result without a final select.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<float> ExpAvx512(Vector256<float> x)
    {
        var xc = Avx.Min(Vector256.Create(ExpHi), Avx.Max(Vector256.Create(ExpLo), x));
        var kf = Vector256.FusedMultiplyAdd(xc, Vector256.Create(Log2E), Vector256.Create(RoundMagic));
        var nf = kf - Vector256.Create(RoundMagic);
        var r = Vector256.FusedMultiplyAdd(nf, Vector256.Create(-Ln2Hi), xc);
        r = Vector256.FusedMultiplyAdd(nf, Vector256.Create(-Ln2Lo), r);
        var p = Vector256.FusedMultiplyAdd(Vector256.Create(E0), r, Vector256.Create(E1));
        p = Vector256.FusedMultiplyAdd(p, r, Vector256.Create(E2));
        p = Vector256.FusedMultiplyAdd(p, r, Vector256.Create(E3));
        p = Vector256.FusedMultiplyAdd(p, r, Vector256.Create(E4));
        p = Vector256.FusedMultiplyAdd(p, r, Vector256.Create(E5));
        var y = Vector256.FusedMultiplyAdd(p, r * r, r) + Vector256<float>.One;
        return Avx512F.VL.Scale(y, nf);
    }

    /// <summary>ln x per lane (same algorithm and special values as <see cref="Log(float)"/>).</summary>
    /// <param name="x">The arguments.</param>
    /// <returns>The natural logarithm of each lane of <paramref name="x"/>.</returns>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Log(Vector256<float> x)
    {
        var sub = Vector256.LessThan(x, Vector256.Create(MinNormal));
        var xs = Vector256.ConditionalSelect(sub, x * Vector256.Create(8388608f), x);
        var bits = xs.AsInt32();
        var e = Vector256.ShiftRightArithmetic(bits, 23) - Vector256.Create(127)
            - (sub.AsInt32() & Vector256.Create(23));
        var m = ((bits & Vector256.Create(0x007FFFFF)) | Vector256.Create(0x3F800000)).AsSingle();
        var big = Vector256.GreaterThan(m, Vector256.Create(Sqrt2));
        m = Vector256.ConditionalSelect(big, m * Vector256.Create(0.5f), m);
        e -= big.AsInt32();
        var f = m - Vector256<float>.One;
        var ef = Vector256.ConvertToSingle(e);
        var z = f * f;
        var p = Vector256.FusedMultiplyAdd(Vector256.Create(L0), f, Vector256.Create(L1));
        p = Vector256.FusedMultiplyAdd(p, f, Vector256.Create(L2));
        p = Vector256.FusedMultiplyAdd(p, f, Vector256.Create(L3));
        p = Vector256.FusedMultiplyAdd(p, f, Vector256.Create(L4));
        p = Vector256.FusedMultiplyAdd(p, f, Vector256.Create(L5));
        p = Vector256.FusedMultiplyAdd(p, f, Vector256.Create(L6));
        p = Vector256.FusedMultiplyAdd(p, f, Vector256.Create(L7));
        p = Vector256.FusedMultiplyAdd(p, f, Vector256.Create(L8));
        var y = p * f * z;
        y = Vector256.FusedMultiplyAdd(ef, Vector256.Create(Ln2Lo), y);
        y = Vector256.FusedMultiplyAdd(z, Vector256.Create(-0.5f), y);
        var r = Vector256.FusedMultiplyAdd(ef, Vector256.Create(Ln2Hi), f + y);
        r = Vector256.ConditionalSelect(Vector256.Equals(x, Vector256<float>.Zero), Vector256.Create(float.NegativeInfinity), r);
        r = Vector256.ConditionalSelect(Vector256.Equals(x, Vector256.Create(float.PositiveInfinity)), x, r);
        var invalid = Vector256.LessThan(x, Vector256<float>.Zero) | ~Vector256.Equals(x, x);
        return Vector256.ConditionalSelect(invalid, Vector256.Create(float.NaN), r);
    }

    /// <summary>ln(1 + x) per lane (same algorithm as <see cref="Log1p(float)"/>).</summary>
    /// <param name="x">The arguments, at least -1.</param>
    /// <returns>ln(1 + each lane of <paramref name="x"/>).</returns>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Log1p(Vector256<float> x)
    {
        var w = Vector256<float>.One + x;
        var r = Log(w) * x / (w - Vector256<float>.One);
        r = Vector256.ConditionalSelect(Vector256.Equals(w, Vector256.Create(float.PositiveInfinity)), w, r);
        var keep = Vector256.Equals(w, Vector256<float>.One) | ~Vector256.Equals(x, x);
        return Vector256.ConditionalSelect(keep, x, r);
    }

    /// <summary>tanh x per lane (same algorithm as <see cref="Tanh(float)"/>).</summary>
    /// <param name="x">The arguments.</param>
    /// <returns>The hyperbolic tangent of each lane of <paramref name="x"/>.</returns>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Tanh(Vector256<float> x)
    {
        var ax = Vector256.Abs(x);
        var z = x * x;
        var p = Vector256.FusedMultiplyAdd(Vector256.Create(T0), z, Vector256.Create(T1));
        p = Vector256.FusedMultiplyAdd(p, z, Vector256.Create(T2));
        p = Vector256.FusedMultiplyAdd(p, z, Vector256.Create(T3));
        p = Vector256.FusedMultiplyAdd(p, z, Vector256.Create(T4));
        var small = Vector256.FusedMultiplyAdd(p * z, x, x);
        var e = Exp(ax + ax);
        var large = Vector256<float>.One - Vector256.Create(2f) / (e + Vector256<float>.One);
        var sign = x.AsUInt32() & Vector256.Create(0x80000000u);
        large = (large.AsUInt32() | sign).AsSingle();
        return Vector256.ConditionalSelect(Vector256.LessThan(ax, Vector256.Create(TanhSmall)), small, large);
    }

    /// <summary>erf x per lane (same algorithm as <see cref="Erf(float)"/>; absolute error &lt;= 1e-6).</summary>
    /// <param name="x">The arguments.</param>
    /// <returns>The error function of each lane of <paramref name="x"/>.</returns>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Erf(Vector256<float> x)
    {
        var ax = Vector256.Abs(x);
        var z = x * x;
        var p = Vector256.FusedMultiplyAdd(Vector256.Create(S6), z, Vector256.Create(S5));
        p = Vector256.FusedMultiplyAdd(p, z, Vector256.Create(S4));
        p = Vector256.FusedMultiplyAdd(p, z, Vector256.Create(S3));
        p = Vector256.FusedMultiplyAdd(p, z, Vector256.Create(S2));
        p = Vector256.FusedMultiplyAdd(p, z, Vector256.Create(S1));
        p = Vector256.FusedMultiplyAdd(p, z, Vector256.Create(S0));
        var small = p * x;
        var t = Vector256<float>.One / Vector256.FusedMultiplyAdd(Vector256.Create(0.5f), ax, Vector256<float>.One);
        var q = Vector256.FusedMultiplyAdd(Vector256.Create(R9), t, Vector256.Create(R8));
        q = Vector256.FusedMultiplyAdd(q, t, Vector256.Create(R7));
        q = Vector256.FusedMultiplyAdd(q, t, Vector256.Create(R6));
        q = Vector256.FusedMultiplyAdd(q, t, Vector256.Create(R5));
        q = Vector256.FusedMultiplyAdd(q, t, Vector256.Create(R4));
        q = Vector256.FusedMultiplyAdd(q, t, Vector256.Create(R3));
        q = Vector256.FusedMultiplyAdd(q, t, Vector256.Create(R2));
        q = Vector256.FusedMultiplyAdd(q, t, Vector256.Create(R1));
        q = Vector256.FusedMultiplyAdd(q, t, Vector256.Create(R0));
        var erfc = t * Exp(Vector256.FusedMultiplyAdd(-ax, ax, q));
        var large = Vector256<float>.One - erfc;
        var sign = x.AsUInt32() & Vector256.Create(0x80000000u);
        large = (large.AsUInt32() | sign).AsSingle();
        return Vector256.ConditionalSelect(Vector256.LessThan(ax, Vector256.Create(ErfSmall)), small, large);
    }
}
