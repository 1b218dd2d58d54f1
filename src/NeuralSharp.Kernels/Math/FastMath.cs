using System.Runtime.CompilerServices;

namespace NeuralSharp.Kernels;

/// <summary>
/// Vectorised single-precision exp, log, log1p, tanh and erf of our own (no widening to double), in
/// <see cref="System.Runtime.Intrinsics.Vector512{T}"/>, <see cref="System.Runtime.Intrinsics.Vector256{T}"/>
/// and scalar forms that compute the same algorithm, so a SIMD body and its scalar tail agree bit for bit.
/// </summary>
/// <remarks>
/// Accuracy (measured by the tests against <see cref="System.Math"/> in double): exp, log, log1p and tanh
/// within about 2e-7 relative (a few ulp); erf within 1e-6 absolute.
/// Special values: exp overflows to +inf above ~88.72, underflows to 0 (via subnormals) below ~-103.9, and
/// propagates NaN; log(0) = -inf, log(x &lt; 0) = NaN, log(+inf) = +inf; tanh(±inf) = ±1; erf(±inf) = ±1.
/// </remarks>
public static partial class FastMath
{
    // Cephes expf: exp(x) = 2^n * exp(r), n = round(x log2 e), |r| <= ln2/2, r computed with a split ln2.
    private const float ExpLo = -104f;             // below: result rounds to 0 anyway
    private const float ExpHi = 89f;               // above: result overflows to +inf anyway
    private const float Log2E = 1.44269504088896341f;
    private const float RoundMagic = 12582912f;    // 1.5 * 2^23: adding it rounds to an integer in the low mantissa bits
    private const int RoundMagicBits = 0x4B400000;
    private const float Ln2Hi = 0.693359375f;
    private const float Ln2Lo = -2.12194440e-4f;
    private const float E0 = 1.9875691500E-4f, E1 = 1.3981999507E-3f, E2 = 8.3334519073E-3f;
    private const float E3 = 4.1665795894E-2f, E4 = 1.6666665459E-1f, E5 = 5.0000001201E-1f;

    // Cephes logf: x = m 2^e with m in [sqrt(1/2), sqrt(2)), log(1+f) = f - f^2/2 + f^3 P(f).
    private const float MinNormal = 1.17549435e-38f;
    private const float Sqrt2 = 1.41421356237f;
    private const float L0 = 7.0376836292E-2f, L1 = -1.1514610310E-1f, L2 = 1.1676998740E-1f;
    private const float L3 = -1.2420140846E-1f, L4 = 1.4249322787E-1f, L5 = -1.6668057665E-1f;
    private const float L6 = 2.0000714765E-1f, L7 = -2.4999993993E-1f, L8 = 3.3333331174E-1f;

    // Cephes tanhf: odd polynomial below 0.625, 1 - 2/(exp(2|x|)+1) above.
    private const float TanhSmall = 0.625f;
    private const float T0 = -5.70498872745E-3f, T1 = 2.06390887954E-2f, T2 = -5.37397155531E-2f;
    private const float T3 = 1.33314422036E-1f, T4 = -3.33332819422E-1f;

    // erf: Taylor series to x^13 below 0.5 (error < 1e-9); above, erfc from Numerical Recipes' erfcc
    // (relative error < 1.2e-7), so erf = 1 - erfc has absolute error < 1.2e-7 plus rounding.
    private const float ErfSmall = 0.5f;
    private const float S0 = 1.1283791670955126f, S1 = -0.37612638903183754f, S2 = 0.11283791670955126f;
    private const float S3 = -0.026866170645131252f, S4 = 0.005223977625442188f, S5 = -0.0008548327023450852f;
    private const float S6 = 0.00012055332981789664f;
    private const float R0 = -1.26551223f, R1 = 1.00002368f, R2 = 0.37409196f, R3 = 0.09678418f, R4 = -0.18628806f;
    private const float R5 = 0.27886807f, R6 = -1.13520398f, R7 = 1.48851587f, R8 = -0.82215223f, R9 = 0.17087277f;

    /// <summary>e^x (see the type remarks for accuracy and special values).</summary>
    /// <param name="x">The exponent.</param>
    /// <returns>e raised to <paramref name="x"/>.</returns>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Exp(float x)
    {
        if (float.IsNaN(x)) return x;
        float xc = x < ExpLo ? ExpLo : x > ExpHi ? ExpHi : x;
        float kf = MathF.FusedMultiplyAdd(xc, Log2E, RoundMagic);
        int n = BitConverter.SingleToInt32Bits(kf) - RoundMagicBits;
        float nf = kf - RoundMagic;
        float r = MathF.FusedMultiplyAdd(nf, -Ln2Hi, xc);
        r = MathF.FusedMultiplyAdd(nf, -Ln2Lo, r);
        float p = MathF.FusedMultiplyAdd(E0, r, E1);
        p = MathF.FusedMultiplyAdd(p, r, E2);
        p = MathF.FusedMultiplyAdd(p, r, E3);
        p = MathF.FusedMultiplyAdd(p, r, E4);
        p = MathF.FusedMultiplyAdd(p, r, E5);
        float y = MathF.FusedMultiplyAdd(p, r * r, r) + 1f;
        // Scale by 2^n in two halves so that n in [-150, 128] never leaves the normal exponent range.
        int n1 = n >> 1, n2 = n - n1;
        float s1 = BitConverter.Int32BitsToSingle((n1 + 127) << 23);
        float s2 = BitConverter.Int32BitsToSingle((n2 + 127) << 23);
        return y * s1 * s2;
    }

    /// <summary>Natural logarithm ln x (see the type remarks for special values).</summary>
    /// <param name="x">The argument.</param>
    /// <returns>ln <paramref name="x"/>.</returns>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Log(float x)
    {
        if (float.IsNaN(x) || x < 0f) return float.NaN;
        if (x == 0f) return float.NegativeInfinity;
        if (x == float.PositiveInfinity) return x;
        bool sub = x < MinNormal;
        float xs = sub ? x * 8388608f : x;
        int bits = BitConverter.SingleToInt32Bits(xs);
        int e = (bits >> 23) - 127 - (sub ? 23 : 0);
        float m = BitConverter.Int32BitsToSingle((bits & 0x007FFFFF) | 0x3F800000);
        if (m > Sqrt2) { m *= 0.5f; e += 1; }
        float f = m - 1f;
        float ef = e;
        float z = f * f;
        float p = MathF.FusedMultiplyAdd(L0, f, L1);
        p = MathF.FusedMultiplyAdd(p, f, L2);
        p = MathF.FusedMultiplyAdd(p, f, L3);
        p = MathF.FusedMultiplyAdd(p, f, L4);
        p = MathF.FusedMultiplyAdd(p, f, L5);
        p = MathF.FusedMultiplyAdd(p, f, L6);
        p = MathF.FusedMultiplyAdd(p, f, L7);
        p = MathF.FusedMultiplyAdd(p, f, L8);
        float y = p * f * z;
        y = MathF.FusedMultiplyAdd(ef, Ln2Lo, y);
        y = MathF.FusedMultiplyAdd(z, -0.5f, y);
        float r = f + y;
        return MathF.FusedMultiplyAdd(ef, Ln2Hi, r);
    }

    /// <summary>ln(1 + x), accurate for small |x| (Goldberg's trick: log(w) * x / (w - 1) with w = 1 + x).</summary>
    /// <param name="x">The argument, at least -1.</param>
    /// <returns>ln(1 + <paramref name="x"/>).</returns>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Log1p(float x)
    {
        float w = 1f + x;
        if (w == 1f || float.IsNaN(x)) return x;
        if (w == float.PositiveInfinity) return w;
        return Log(w) * x / (w - 1f);
    }

    /// <summary>Hyperbolic tangent tanh x.</summary>
    /// <param name="x">The argument.</param>
    /// <returns>tanh <paramref name="x"/>.</returns>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Tanh(float x)
    {
        float ax = MathF.Abs(x);
        if (ax < TanhSmall)
        {
            float z = x * x;
            float p = MathF.FusedMultiplyAdd(T0, z, T1);
            p = MathF.FusedMultiplyAdd(p, z, T2);
            p = MathF.FusedMultiplyAdd(p, z, T3);
            p = MathF.FusedMultiplyAdd(p, z, T4);
            return MathF.FusedMultiplyAdd(p * z, x, x);
        }
        float e = Exp(ax + ax);
        float large = 1f - 2f / (e + 1f);
        return MathF.CopySign(large, x);
    }

    /// <summary>The error function erf x = 2/sqrt(pi) * integral from 0 to x of e^(-t^2) dt (absolute error &lt;= 1e-6).</summary>
    /// <param name="x">The argument.</param>
    /// <returns>erf <paramref name="x"/>.</returns>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Erf(float x)
    {
        float ax = MathF.Abs(x);
        if (ax < ErfSmall)
        {
            float z = x * x;
            float p = MathF.FusedMultiplyAdd(S6, z, S5);
            p = MathF.FusedMultiplyAdd(p, z, S4);
            p = MathF.FusedMultiplyAdd(p, z, S3);
            p = MathF.FusedMultiplyAdd(p, z, S2);
            p = MathF.FusedMultiplyAdd(p, z, S1);
            p = MathF.FusedMultiplyAdd(p, z, S0);
            return p * x;
        }
        float t = 1f / MathF.FusedMultiplyAdd(0.5f, ax, 1f);
        float q = MathF.FusedMultiplyAdd(R9, t, R8);
        q = MathF.FusedMultiplyAdd(q, t, R7);
        q = MathF.FusedMultiplyAdd(q, t, R6);
        q = MathF.FusedMultiplyAdd(q, t, R5);
        q = MathF.FusedMultiplyAdd(q, t, R4);
        q = MathF.FusedMultiplyAdd(q, t, R3);
        q = MathF.FusedMultiplyAdd(q, t, R2);
        q = MathF.FusedMultiplyAdd(q, t, R1);
        q = MathF.FusedMultiplyAdd(q, t, R0);
        float erfc = t * Exp(MathF.FusedMultiplyAdd(-ax, ax, q));
        return MathF.CopySign(1f - erfc, x);
    }
}
