using System.Runtime.Intrinsics;

namespace NeuralSharp.Kernels.Tests;

public class FastMathTests
{
    private const float MinNormal = 1.17549435e-38f;

    private static IEnumerable<float> Sweep(float lo, float hi, int count)
    {
        for (int i = 0; i <= count; i++) yield return lo + (hi - lo) * i / count;
    }

    /// <summary>Scalar and both vector widths must agree bit for bit (same algorithm), so checking the scalar suffices for accuracy.</summary>
    private static void SameAcrossWidths(Func<float, float> s, Func<Vector256<float>, Vector256<float>> v256,
        Func<Vector512<float>, Vector512<float>> v512, float[] xs)
    {
        var buf = new float[16];
        for (int i = 0; i + 16 <= xs.Length; i += 16)
        {
            var r512 = v512(Vector512.Create(xs.AsSpan(i, 16)));
            var r256 = v256(Vector256.Create(xs.AsSpan(i, 8)));
            for (int l = 0; l < 16; l++)
            {
                float e = s(xs[i + l]);
                Assert.True(e.Equals(r512[l]), $"512 lane {l} of x={xs[i + l]:R}: scalar {e:R} vs {r512[l]:R}");
                if (l < 8) Assert.True(e.Equals(r256[l]), $"256 lane {l} of x={xs[i + l]:R}: scalar {e:R} vs {r256[l]:R}");
            }
        }
    }

    private static float[] Specials(params float[] extra)
    {
        var rng = new Random(1234);
        var list = new List<float> { 0f, -0f, float.PositiveInfinity, float.NegativeInfinity, float.NaN, 1f, -1f, float.Epsilon, MinNormal, float.MaxValue, -float.MaxValue };
        list.AddRange(extra);
        for (int i = 0; i < 4000; i++) list.Add((float)(rng.NextDouble() * 240 - 120));
        for (int i = 0; i < 4000; i++) list.Add(BitConverter.Int32BitsToSingle(rng.Next()) * (rng.Next(2) == 0 ? 1 : -1));
        while (list.Count % 16 != 0) list.Add(0.5f);
        return list.ToArray();
    }

    [Fact]
    public void Exp_AccurateOverMinus104To89()
    {
        foreach (float x in Sweep(-104f, 89f, 400_000))
        {
            double e = Math.Exp(x), a = FastMath.Exp(x);
            if (e >= float.MaxValue) { Assert.Equal(float.PositiveInfinity, (float)a); continue; }
            if (e < MinNormal) TestUtil.Close(e, a, 0, 1.5e-45, $"exp({x:R})"); // subnormal: absolute, ~1 subnormal ulp
            else TestUtil.Close(e, a, 4e-7, 0, $"exp({x:R})");
        }
    }

    [Fact]
    public void Exp_SpecialValues()
    {
        Assert.Equal(1f, FastMath.Exp(0f));
        Assert.Equal(float.PositiveInfinity, FastMath.Exp(88.73f));
        Assert.Equal(float.PositiveInfinity, FastMath.Exp(1000f));
        Assert.Equal(float.PositiveInfinity, FastMath.Exp(float.PositiveInfinity));
        Assert.Equal(0f, FastMath.Exp(-104f));
        Assert.Equal(0f, FastMath.Exp(-1000f));
        Assert.Equal(0f, FastMath.Exp(float.NegativeInfinity));
        Assert.True(float.IsNaN(FastMath.Exp(float.NaN)));
        Assert.True(FastMath.Exp(88.72f) < float.PositiveInfinity);
        Assert.True(FastMath.Exp(-100f) > 0f); // subnormal, not flushed
        SameAcrossWidths(FastMath.Exp, FastMath.Exp, FastMath.Exp, Specials(88.72283f, 88.7229f, -87.33655f, -103.97f));
    }

    [Fact]
    public void Log_AccurateOverAllPositiveFloats()
    {
        var rng = new Random(1234);
        for (int i = 0; i < 300_000; i++)
        {
            float x = BitConverter.Int32BitsToSingle(rng.Next(1, 0x7F800000)); // every positive finite float, subnormals too
            double e = Math.Log(x), a = FastMath.Log(x);
            TestUtil.Close(e, a, 3e-7, 1e-7 * 0.7, $"log({x:R})"); // abs term: near x = 1, where log is ~0
        }
        foreach (float x in Sweep(0.5f, 2f, 100_000)) TestUtil.Close(Math.Log(x), FastMath.Log(x), 3e-7, 6e-8, $"log({x:R})");
    }

    [Fact]
    public void Log_SpecialValues()
    {
        Assert.Equal(0f, FastMath.Log(1f));
        Assert.Equal(float.NegativeInfinity, FastMath.Log(0f));
        Assert.Equal(float.NegativeInfinity, FastMath.Log(-0f));
        Assert.Equal(float.PositiveInfinity, FastMath.Log(float.PositiveInfinity));
        Assert.True(float.IsNaN(FastMath.Log(-1f)));
        Assert.True(float.IsNaN(FastMath.Log(float.NegativeInfinity)));
        Assert.True(float.IsNaN(FastMath.Log(float.NaN)));
        TestUtil.Close(Math.Log(float.Epsilon), FastMath.Log(float.Epsilon), 3e-7, 0, "log(eps)");
        SameAcrossWidths(FastMath.Log, FastMath.Log, FastMath.Log, Specials());
    }

    [Fact]
    public void Log1p_AccurateForSmallAndLarge()
    {
        var rng = new Random(1234);
        for (int i = 0; i < 100_000; i++)
        {
            float x = (float)Math.Pow(10, rng.NextDouble() * 12 - 10) * (rng.Next(2) == 0 ? 1 : -1);
            if (x <= -1f) continue;
            double xd = x, e = Math.Abs(xd) < 1e-4 ? xd - xd * xd / 2 + xd * xd * xd / 3 : Math.Log(1 + xd);
            TestUtil.Close(e, FastMath.Log1p(x), 5e-7, 0, $"log1p({x:R})");
        }
        Assert.Equal(float.PositiveInfinity, FastMath.Log1p(float.PositiveInfinity));
        Assert.Equal(float.NegativeInfinity, FastMath.Log1p(-1f));
        Assert.True(float.IsNaN(FastMath.Log1p(float.NaN)));
        SameAcrossWidths(FastMath.Log1p, FastMath.Log1p, FastMath.Log1p, Specials(1e-10f, -1e-10f, 1e-5f));
    }

    [Fact]
    public void Tanh_AccurateOverWideRange()
    {
        foreach (float x in Sweep(-20f, 20f, 400_000))
            TestUtil.Close(Math.Tanh(x), FastMath.Tanh(x), 5e-7, 1e-30, $"tanh({x:R})");
        foreach (float x in Sweep(-1e-3f, 1e-3f, 10_000))
            TestUtil.Close(Math.Tanh(x), FastMath.Tanh(x), 3e-7, 0, $"tanh({x:R})");
        Assert.Equal(1f, FastMath.Tanh(float.PositiveInfinity));
        Assert.Equal(-1f, FastMath.Tanh(float.NegativeInfinity));
        Assert.Equal(1f, FastMath.Tanh(1e30f));
        Assert.True(float.IsNaN(FastMath.Tanh(float.NaN)));
        SameAcrossWidths(FastMath.Tanh, FastMath.Tanh, FastMath.Tanh, Specials(0.625f, -0.625f, 0.6249999f));
    }

    [Fact]
    public void Erf_WithinOneMillionthAbsolute()
    {
        foreach (float x in Sweep(-10f, 10f, 400_000))
            TestUtil.Close(FastMathReference.Erf(x), FastMath.Erf(x), 0, 1e-6, $"erf({x:R})");
        foreach (float x in Sweep(-0.5f, 0.5f, 20_000))
            TestUtil.Close(FastMathReference.Erf(x), FastMath.Erf(x), 3e-7, 1e-30, $"erf({x:R})"); // relative near 0
        Assert.Equal(1f, FastMath.Erf(float.PositiveInfinity));
        Assert.Equal(-1f, FastMath.Erf(float.NegativeInfinity));
        Assert.True(float.IsNaN(FastMath.Erf(float.NaN)));
        SameAcrossWidths(FastMath.Erf, FastMath.Erf, FastMath.Erf, Specials(0.5f, -0.5f, 0.4999999f));
    }

    [Fact]
    public void ErfReference_MatchesKnownValues()
    {
        TestUtil.Close(0.8427007929497149, FastMathReference.Erf(1), 0, 1e-14, "erf ref");
        TestUtil.Close(-0.9953222650189527, FastMathReference.Erf(-2), 0, 1e-14, "erf ref");
        TestUtil.Close(0.5204998778130465, FastMathReference.Erf(0.5), 0, 1e-14, "erf ref");
        TestUtil.Close(0.9999999845827421, FastMathReference.Erf(4), 0, 1e-14, "erf ref");
    }
}
