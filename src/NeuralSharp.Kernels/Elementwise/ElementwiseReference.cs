namespace NeuralSharp.Kernels;

/// <summary>Plain scalar loops that define what <see cref="Elementwise"/> computes; the tests compare against them.</summary>
internal static class ElementwiseReference
{
    public static float Apply(BinaryOp op, float x, float y) => op switch
    {
        BinaryOp.Add => x + y,
        BinaryOp.Sub => x - y,
        BinaryOp.Mul => x * y,
        BinaryOp.Div => x / y,
        _ => throw new ArgumentOutOfRangeException(nameof(op)),
    };

    public static void Binary(BinaryOp op, ReadOnlySpan<float> x, ReadOnlySpan<float> y, Span<float> dst)
    {
        for (int i = 0; i < dst.Length; i++) dst[i] = Apply(op, x[i], y[i]);
    }

    public static void BinaryScalarRight(BinaryOp op, ReadOnlySpan<float> x, float y, Span<float> dst)
    {
        for (int i = 0; i < dst.Length; i++) dst[i] = Apply(op, x[i], y);
    }

    public static void BinaryScalarLeft(BinaryOp op, float x, ReadOnlySpan<float> y, Span<float> dst)
    {
        for (int i = 0; i < dst.Length; i++) dst[i] = Apply(op, x, y[i]);
    }

    public static void Add(ReadOnlySpan<float> x, Span<float> dst)
    {
        for (int i = 0; i < dst.Length; i++) dst[i] += x[i];
    }

    public static void MultiplyAdd(ReadOnlySpan<float> x, ReadOnlySpan<float> y, Span<float> dst)
    {
        for (int i = 0; i < dst.Length; i++) dst[i] += x[i] * y[i];
    }

    public static void MultiplyAdd(ReadOnlySpan<float> x, float y, Span<float> dst)
    {
        for (int i = 0; i < dst.Length; i++) dst[i] += x[i] * y;
    }

    public static void Scale(ReadOnlySpan<float> x, float s, Span<float> dst)
    {
        for (int i = 0; i < dst.Length; i++) dst[i] = x[i] * s;
    }

    public static void Exp(ReadOnlySpan<float> x, Span<float> dst)
    {
        for (int i = 0; i < dst.Length; i++) dst[i] = MathF.Exp(x[i]);
    }

    public static void Log(ReadOnlySpan<float> x, Span<float> dst)
    {
        for (int i = 0; i < dst.Length; i++) dst[i] = MathF.Log(x[i]);
    }

    public static void Sqrt(ReadOnlySpan<float> x, Span<float> dst)
    {
        for (int i = 0; i < dst.Length; i++) dst[i] = MathF.Sqrt(x[i]);
    }

    public static void Pow(ReadOnlySpan<float> x, float p, Span<float> dst)
    {
        for (int i = 0; i < dst.Length; i++) dst[i] = p == 2f ? x[i] * x[i] : MathF.Pow(x[i], p);
    }

    public static void DivBackwardDenominator(ReadOnlySpan<float> dy, ReadOnlySpan<float> x, ReadOnlySpan<float> y, Span<float> dst)
    {
        for (int i = 0; i < dst.Length; i++) dst[i] += -dy[i] * x[i] / (y[i] * y[i]);
    }

    public static void PowBackward(ReadOnlySpan<float> x, float p, ReadOnlySpan<float> dy, Span<float> dx)
    {
        if (p == 0f) return;
        for (int i = 0; i < dx.Length; i++) dx[i] += dy[i] * p * MathF.Pow(x[i], p - 1f);
    }
}
