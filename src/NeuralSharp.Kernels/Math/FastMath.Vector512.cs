using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace NeuralSharp.Kernels;

// Vector512 forms of FastMath; FastMath.Vector256.cs is this file with 512 replaced by 256. Same algorithm
// as the scalar forms in FastMath.cs (see the comments there).
public static partial class FastMath
{
    /// <summary>e^x per lane (same algorithm and special values as <see cref="Exp(float)"/>).</summary>
    /// <param name="x">The exponents.</param>
    /// <returns>e raised to each lane of <paramref name="x"/>.</returns>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Exp(Vector512<float> x)
    {
        if (Avx512F.IsSupported) return ExpAvx512(x);
        var xc = Vector512.MinNative(Vector512.MaxNative(x, Vector512.Create(ExpLo)), Vector512.Create(ExpHi));
        var kf = Vector512.FusedMultiplyAdd(xc, Vector512.Create(Log2E), Vector512.Create(RoundMagic));
        var n = kf.AsInt32() - Vector512.Create(RoundMagicBits);
        var nf = kf - Vector512.Create(RoundMagic);
        var r = Vector512.FusedMultiplyAdd(nf, Vector512.Create(-Ln2Hi), xc);
        r = Vector512.FusedMultiplyAdd(nf, Vector512.Create(-Ln2Lo), r);
        var p = Vector512.FusedMultiplyAdd(Vector512.Create(E0), r, Vector512.Create(E1));
        p = Vector512.FusedMultiplyAdd(p, r, Vector512.Create(E2));
        p = Vector512.FusedMultiplyAdd(p, r, Vector512.Create(E3));
        p = Vector512.FusedMultiplyAdd(p, r, Vector512.Create(E4));
        p = Vector512.FusedMultiplyAdd(p, r, Vector512.Create(E5));
        var y = Vector512.FusedMultiplyAdd(p, r * r, r) + Vector512<float>.One;
        var n1 = Vector512.ShiftRightArithmetic(n, 1);
        var n2 = n - n1;
        var s1 = Vector512.ShiftLeft(n1 + Vector512.Create(127), 23).AsSingle();
        var s2 = Vector512.ShiftLeft(n2 + Vector512.Create(127), 23).AsSingle();
        y = y * s1 * s2;
        return Vector512.ConditionalSelect(Vector512.Equals(x, x), y, x);
    }

    // AVX-512: y * 2^n by one vscalefps (n as a float, no integer detour), rounded once like y * 2^n1 * 2^n2 above,
    // so the results are bit-identical. max/min return their second operand when either is NaN, so a NaN x
    // flows through to the result without a final select.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<float> ExpAvx512(Vector512<float> x)
    {
        var xc = Avx512F.Min(Vector512.Create(ExpHi), Avx512F.Max(Vector512.Create(ExpLo), x));
        var kf = Vector512.FusedMultiplyAdd(xc, Vector512.Create(Log2E), Vector512.Create(RoundMagic));
        var nf = kf - Vector512.Create(RoundMagic);
        var r = Vector512.FusedMultiplyAdd(nf, Vector512.Create(-Ln2Hi), xc);
        r = Vector512.FusedMultiplyAdd(nf, Vector512.Create(-Ln2Lo), r);
        var p = Vector512.FusedMultiplyAdd(Vector512.Create(E0), r, Vector512.Create(E1));
        p = Vector512.FusedMultiplyAdd(p, r, Vector512.Create(E2));
        p = Vector512.FusedMultiplyAdd(p, r, Vector512.Create(E3));
        p = Vector512.FusedMultiplyAdd(p, r, Vector512.Create(E4));
        p = Vector512.FusedMultiplyAdd(p, r, Vector512.Create(E5));
        var y = Vector512.FusedMultiplyAdd(p, r * r, r) + Vector512<float>.One;
        return Avx512F.Scale(y, nf);
    }

    /// <summary>ln x per lane (same algorithm and special values as <see cref="Log(float)"/>).</summary>
    /// <param name="x">The arguments.</param>
    /// <returns>The natural logarithm of each lane of <paramref name="x"/>.</returns>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Log(Vector512<float> x)
    {
        var sub = Vector512.LessThan(x, Vector512.Create(MinNormal));
        var xs = Vector512.ConditionalSelect(sub, x * Vector512.Create(8388608f), x);
        var bits = xs.AsInt32();
        var e = Vector512.ShiftRightArithmetic(bits, 23) - Vector512.Create(127)
            - (sub.AsInt32() & Vector512.Create(23));
        var m = ((bits & Vector512.Create(0x007FFFFF)) | Vector512.Create(0x3F800000)).AsSingle();
        var big = Vector512.GreaterThan(m, Vector512.Create(Sqrt2));
        m = Vector512.ConditionalSelect(big, m * Vector512.Create(0.5f), m);
        e -= big.AsInt32();
        var f = m - Vector512<float>.One;
        var ef = Vector512.ConvertToSingle(e);
        var z = f * f;
        var p = Vector512.FusedMultiplyAdd(Vector512.Create(L0), f, Vector512.Create(L1));
        p = Vector512.FusedMultiplyAdd(p, f, Vector512.Create(L2));
        p = Vector512.FusedMultiplyAdd(p, f, Vector512.Create(L3));
        p = Vector512.FusedMultiplyAdd(p, f, Vector512.Create(L4));
        p = Vector512.FusedMultiplyAdd(p, f, Vector512.Create(L5));
        p = Vector512.FusedMultiplyAdd(p, f, Vector512.Create(L6));
        p = Vector512.FusedMultiplyAdd(p, f, Vector512.Create(L7));
        p = Vector512.FusedMultiplyAdd(p, f, Vector512.Create(L8));
        var y = p * f * z;
        y = Vector512.FusedMultiplyAdd(ef, Vector512.Create(Ln2Lo), y);
        y = Vector512.FusedMultiplyAdd(z, Vector512.Create(-0.5f), y);
        var r = Vector512.FusedMultiplyAdd(ef, Vector512.Create(Ln2Hi), f + y);
        r = Vector512.ConditionalSelect(Vector512.Equals(x, Vector512<float>.Zero), Vector512.Create(float.NegativeInfinity), r);
        r = Vector512.ConditionalSelect(Vector512.Equals(x, Vector512.Create(float.PositiveInfinity)), x, r);
        var invalid = Vector512.LessThan(x, Vector512<float>.Zero) | ~Vector512.Equals(x, x);
        return Vector512.ConditionalSelect(invalid, Vector512.Create(float.NaN), r);
    }

    /// <summary>ln(1 + x) per lane (same algorithm as <see cref="Log1p(float)"/>).</summary>
    /// <param name="x">The arguments, at least -1.</param>
    /// <returns>ln(1 + each lane of <paramref name="x"/>).</returns>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Log1p(Vector512<float> x)
    {
        var w = Vector512<float>.One + x;
        var r = Log(w) * x / (w - Vector512<float>.One);
        r = Vector512.ConditionalSelect(Vector512.Equals(w, Vector512.Create(float.PositiveInfinity)), w, r);
        var keep = Vector512.Equals(w, Vector512<float>.One) | ~Vector512.Equals(x, x);
        return Vector512.ConditionalSelect(keep, x, r);
    }

    /// <summary>tanh x per lane (same algorithm as <see cref="Tanh(float)"/>).</summary>
    /// <param name="x">The arguments.</param>
    /// <returns>The hyperbolic tangent of each lane of <paramref name="x"/>.</returns>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Tanh(Vector512<float> x)
    {
        var ax = Vector512.Abs(x);
        var z = x * x;
        var p = Vector512.FusedMultiplyAdd(Vector512.Create(T0), z, Vector512.Create(T1));
        p = Vector512.FusedMultiplyAdd(p, z, Vector512.Create(T2));
        p = Vector512.FusedMultiplyAdd(p, z, Vector512.Create(T3));
        p = Vector512.FusedMultiplyAdd(p, z, Vector512.Create(T4));
        var small = Vector512.FusedMultiplyAdd(p * z, x, x);
        var e = Exp(ax + ax);
        var large = Vector512<float>.One - Vector512.Create(2f) / (e + Vector512<float>.One);
        var sign = x.AsUInt32() & Vector512.Create(0x80000000u);
        large = (large.AsUInt32() | sign).AsSingle();
        return Vector512.ConditionalSelect(Vector512.LessThan(ax, Vector512.Create(TanhSmall)), small, large);
    }

    /// <summary>erf x per lane (same algorithm as <see cref="Erf(float)"/>; absolute error &lt;= 1e-6).</summary>
    /// <param name="x">The arguments.</param>
    /// <returns>The error function of each lane of <paramref name="x"/>.</returns>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Erf(Vector512<float> x)
    {
        var ax = Vector512.Abs(x);
        var z = x * x;
        var p = Vector512.FusedMultiplyAdd(Vector512.Create(S6), z, Vector512.Create(S5));
        p = Vector512.FusedMultiplyAdd(p, z, Vector512.Create(S4));
        p = Vector512.FusedMultiplyAdd(p, z, Vector512.Create(S3));
        p = Vector512.FusedMultiplyAdd(p, z, Vector512.Create(S2));
        p = Vector512.FusedMultiplyAdd(p, z, Vector512.Create(S1));
        p = Vector512.FusedMultiplyAdd(p, z, Vector512.Create(S0));
        var small = p * x;
        var t = Vector512<float>.One / Vector512.FusedMultiplyAdd(Vector512.Create(0.5f), ax, Vector512<float>.One);
        var q = Vector512.FusedMultiplyAdd(Vector512.Create(R9), t, Vector512.Create(R8));
        q = Vector512.FusedMultiplyAdd(q, t, Vector512.Create(R7));
        q = Vector512.FusedMultiplyAdd(q, t, Vector512.Create(R6));
        q = Vector512.FusedMultiplyAdd(q, t, Vector512.Create(R5));
        q = Vector512.FusedMultiplyAdd(q, t, Vector512.Create(R4));
        q = Vector512.FusedMultiplyAdd(q, t, Vector512.Create(R3));
        q = Vector512.FusedMultiplyAdd(q, t, Vector512.Create(R2));
        q = Vector512.FusedMultiplyAdd(q, t, Vector512.Create(R1));
        q = Vector512.FusedMultiplyAdd(q, t, Vector512.Create(R0));
        var erfc = t * Exp(Vector512.FusedMultiplyAdd(-ax, ax, q));
        var large = Vector512<float>.One - erfc;
        var sign = x.AsUInt32() & Vector512.Create(0x80000000u);
        large = (large.AsUInt32() | sign).AsSingle();
        return Vector512.ConditionalSelect(Vector512.LessThan(ax, Vector512.Create(ErfSmall)), small, large);
    }
}
