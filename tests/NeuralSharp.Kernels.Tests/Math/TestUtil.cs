namespace NeuralSharp.Kernels.Tests;

/// <summary>Seeded data and tolerance checks shared by the kernel tests.</summary>
internal static class TestUtil
{
    /// <summary>Lengths 0..257, each paired with an unaligned offset 1..3.</summary>
    public static IEnumerable<(int N, int Offset)> LengthsAndOffsets()
    {
        for (int n = 0; n <= 257; n++) yield return (n, 1 + n % 3);
    }

    /// <summary>A span of n uniform values in [lo, hi) starting at index offset of a larger array.</summary>
    public static float[] Array(Random rng, int n, float lo = -3f, float hi = 3f, int pad = 4)
    {
        var a = new float[n + pad];
        for (int i = 0; i < a.Length; i++) a[i] = lo + (float)rng.NextDouble() * (hi - lo);
        return a;
    }

    public static void Close(double expected, double actual, double rel, double abs, string what)
    {
        if (double.IsNaN(expected) && double.IsNaN(actual)) return;
        if (expected == actual) return;
        double err = Math.Abs(expected - actual);
        if (!(err <= abs + rel * Math.Abs(expected)))
            Assert.Fail($"{what}: expected {expected:R}, got {actual:R} (err {err:E3}, allowed {abs + rel * Math.Abs(expected):E3})");
    }

    public static void AllClose(ReadOnlySpan<float> expected, ReadOnlySpan<float> actual, double rel, double abs, string what)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++) Close(expected[i], actual[i], rel, abs, $"{what}[{i}]");
    }

    public static void AllClose(ReadOnlySpan<double> expected, ReadOnlySpan<float> actual, double rel, double abs, string what)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++) Close(expected[i], actual[i], rel, abs, $"{what}[{i}]");
    }

    public static double[] ToDouble(ReadOnlySpan<float> x)
    {
        var d = new double[x.Length];
        for (int i = 0; i < x.Length; i++) d[i] = x[i];
        return d;
    }
}
