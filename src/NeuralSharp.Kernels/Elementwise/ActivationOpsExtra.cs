using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace NeuralSharp.Kernels;

// Forward and backward ops of the activations added after Softplus (ReLU6, the ELU family, Mish, the hard
// sigmoid/swish, Softsign, LogSigmoid), with PyTorch 1.13's formulas and branch conditions. Every scalar form
// performs the same float operations in the same order as its vector forms, so that the fused GEMM epilogue
// (whose tiles split rows differently from a flat pass) agrees with Activations.Forward bit for bit.

internal static class ActivationMath
{
    public const float SeluAlpha = 1.6732632423543772848170429916717f;
    public const float SeluScale = 1.0507009873554804934193349852946f;

    // e^x - 1 without cancellation near 0: 2t / (1 - t) with t = tanh(x/2) for x <= 1/2 (then 1 - t >= 0.75, and
    // x -> -inf gives exactly -1); e^x - 1 above, where the subtraction loses less than a bit. x > 0 happens only for
    // CELU with a negative alpha (the ELU family's other lanes with x > 0 are discarded).
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Expm1(float x)
    {
        float t = FastMath.Tanh(0.5f * x);
        return x > 0.5f ? FastMath.Exp(x) - 1f : (t + t) / (1f - t);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Expm1(Vector256<float> x)
    {
        var t = FastMath.Tanh(Vector256.Create(0.5f) * x);
        return Vector256.ConditionalSelect(Vector256.GreaterThan(x, Vector256.Create(0.5f)), FastMath.Exp(x) - Vector256<float>.One,
            (t + t) / (Vector256<float>.One - t));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Expm1(Vector512<float> x)
    {
        var t = FastMath.Tanh(Vector512.Create(0.5f) * x);
        return Vector512.ConditionalSelect(Vector512.GreaterThan(x, Vector512.Create(0.5f)), FastMath.Exp(x) - Vector512<float>.One,
            (t + t) / (Vector512<float>.One - t));
    }

    // ln(1 + e^x), stable: max(x, 0) + log1p(e^-|x|).
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Softplus(float x) => MathF.Max(x, 0f) + FastMath.Log1p(FastMath.Exp(-MathF.Abs(x)));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Softplus(Vector256<float> x) =>
        Vector256.Max(x, Vector256<float>.Zero) + FastMath.Log1p(FastMath.Exp(-Vector256.Abs(x)));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Softplus(Vector512<float> x) =>
        Vector512.Max(x, Vector512<float>.Zero) + FastMath.Log1p(FastMath.Exp(-Vector512.Abs(x)));
}

internal readonly struct Relu6Op : IUnaryOp
{
    // Hardtanh(0, 6); NaN passes through both comparisons.
    public float Invoke(float x) => x < 0f ? 0f : x > 6f ? 6f : x;
    public Vector256<float> Invoke(Vector256<float> x) =>
        Vector256.ConditionalSelect(Vector256.LessThan(x, Vector256<float>.Zero), Vector256<float>.Zero,
            Vector256.ConditionalSelect(Vector256.GreaterThan(x, Vector256.Create(6f)), Vector256.Create(6f), x));
    public Vector512<float> Invoke(Vector512<float> x) =>
        Vector512.ConditionalSelect(Vector512.LessThan(x, Vector512<float>.Zero), Vector512<float>.Zero,
            Vector512.ConditionalSelect(Vector512.GreaterThan(x, Vector512.Create(6f)), Vector512.Create(6f), x));
}

internal readonly struct Relu6BackwardOp : IQuaternaryOp
{
    // f' = 1 on the open interval (0, 6), 0 elsewhere (PyTorch's hardtanh_backward).
    public float Invoke(float x, float y, float dy, float acc) => x > 0f && x < 6f ? acc + dy : acc;
    public Vector256<float> Invoke(Vector256<float> x, Vector256<float> y, Vector256<float> dy, Vector256<float> acc) =>
        acc + (dy & Vector256.GreaterThan(x, Vector256<float>.Zero) & Vector256.LessThan(x, Vector256.Create(6f)));
    public Vector512<float> Invoke(Vector512<float> x, Vector512<float> y, Vector512<float> dy, Vector512<float> acc) =>
        acc + (dy & Vector512.GreaterThan(x, Vector512<float>.Zero) & Vector512.LessThan(x, Vector512.Create(6f)));
}

/// <summary>The ELU family: f(x) = scale x for x &gt; 0, negCoef (e^(inScale x) - 1) otherwise (ELU, SELU, CELU).</summary>
internal readonly struct EluOp(float negCoef, float scale, float inScale) : IUnaryOp
{
    private readonly float _n = negCoef, _s = scale, _i = inScale;
    public float Invoke(float x) => x > 0f ? x * _s : _n * ActivationMath.Expm1(x * _i);
    public Vector256<float> Invoke(Vector256<float> x) =>
        Vector256.ConditionalSelect(Vector256.GreaterThan(x, Vector256<float>.Zero), x * Vector256.Create(_s),
            Vector256.Create(_n) * ActivationMath.Expm1(x * Vector256.Create(_i)));
    public Vector512<float> Invoke(Vector512<float> x) =>
        Vector512.ConditionalSelect(Vector512.GreaterThan(x, Vector512<float>.Zero), x * Vector512.Create(_s),
            Vector512.Create(_n) * ActivationMath.Expm1(x * Vector512.Create(_i)));
}

/// <summary>f'(x) = scale for x &gt; 0, negCoef inScale e^(inScale x) otherwise (PyTorch's elu_backward on the input).</summary>
internal readonly struct EluBackwardOp(float negCoef, float scale, float inScale) : IQuaternaryOp
{
    private readonly float _n = negCoef, _s = scale, _i = inScale;
    public float Invoke(float x, float y, float dy, float acc) =>
        acc + (x > 0f ? dy * _s : dy * (_n * _i * FastMath.Exp(x * _i)));
    public Vector256<float> Invoke(Vector256<float> x, Vector256<float> y, Vector256<float> dy, Vector256<float> acc) =>
        acc + Vector256.ConditionalSelect(Vector256.GreaterThan(x, Vector256<float>.Zero), dy * Vector256.Create(_s),
            dy * (Vector256.Create(_n * _i) * FastMath.Exp(x * Vector256.Create(_i))));
    public Vector512<float> Invoke(Vector512<float> x, Vector512<float> y, Vector512<float> dy, Vector512<float> acc) =>
        acc + Vector512.ConditionalSelect(Vector512.GreaterThan(x, Vector512<float>.Zero), dy * Vector512.Create(_s),
            dy * (Vector512.Create(_n * _i) * FastMath.Exp(x * Vector512.Create(_i))));
}

internal readonly struct MishOp : IUnaryOp
{
    public float Invoke(float x) => x * FastMath.Tanh(ActivationMath.Softplus(x));
    public Vector256<float> Invoke(Vector256<float> x) => x * FastMath.Tanh(ActivationMath.Softplus(x));
    public Vector512<float> Invoke(Vector512<float> x) => x * FastMath.Tanh(ActivationMath.Softplus(x));
}

internal readonly struct MishBackwardOp : IQuaternaryOp
{
    // f'(x) = t + x sigmoid(x) (1 - t^2), t = tanh(softplus(x)).
    public float Invoke(float x, float y, float dy, float acc)
    {
        float t = FastMath.Tanh(ActivationMath.Softplus(x));
        float s = 1f / (1f + FastMath.Exp(-x));
        return acc + dy * (t + x * s * (1f - t * t));
    }

    public Vector256<float> Invoke(Vector256<float> x, Vector256<float> y, Vector256<float> dy, Vector256<float> acc)
    {
        var one = Vector256<float>.One;
        var t = FastMath.Tanh(ActivationMath.Softplus(x));
        var s = one / (one + FastMath.Exp(-x));
        return acc + dy * (t + x * s * (one - t * t));
    }

    public Vector512<float> Invoke(Vector512<float> x, Vector512<float> y, Vector512<float> dy, Vector512<float> acc)
    {
        var one = Vector512<float>.One;
        var t = FastMath.Tanh(ActivationMath.Softplus(x));
        var s = one / (one + FastMath.Exp(-x));
        return acc + dy * (t + x * s * (one - t * t));
    }
}

internal readonly struct HardSigmoidOp : IUnaryOp
{
    // min(max(x + 3, 0), 6) / 6, PyTorch's order of operations.
    public float Invoke(float x) => MathF.Min(MathF.Max(x + 3f, 0f), 6f) / 6f;
    public Vector256<float> Invoke(Vector256<float> x) =>
        Vector256.Min(Vector256.Max(x + Vector256.Create(3f), Vector256<float>.Zero), Vector256.Create(6f)) / Vector256.Create(6f);
    public Vector512<float> Invoke(Vector512<float> x) =>
        Vector512.Min(Vector512.Max(x + Vector512.Create(3f), Vector512<float>.Zero), Vector512.Create(6f)) / Vector512.Create(6f);
}

internal readonly struct HardSigmoidBackwardOp : IQuaternaryOp
{
    // f' = 1/6 on the open interval (-3, 3), 0 elsewhere.
    public float Invoke(float x, float y, float dy, float acc) => x > -3f && x < 3f ? acc + dy * (1f / 6f) : acc;
    public Vector256<float> Invoke(Vector256<float> x, Vector256<float> y, Vector256<float> dy, Vector256<float> acc) =>
        acc + (dy * Vector256.Create(1f / 6f) & Vector256.GreaterThan(x, Vector256.Create(-3f)) & Vector256.LessThan(x, Vector256.Create(3f)));
    public Vector512<float> Invoke(Vector512<float> x, Vector512<float> y, Vector512<float> dy, Vector512<float> acc) =>
        acc + (dy * Vector512.Create(1f / 6f) & Vector512.GreaterThan(x, Vector512.Create(-3f)) & Vector512.LessThan(x, Vector512.Create(3f)));
}

internal readonly struct HardSwishOp : IUnaryOp
{
    // x * min(max(x + 3, 0), 6) / 6, PyTorch's order of operations.
    public float Invoke(float x) => x * MathF.Min(MathF.Max(x + 3f, 0f), 6f) / 6f;
    public Vector256<float> Invoke(Vector256<float> x) =>
        x * Vector256.Min(Vector256.Max(x + Vector256.Create(3f), Vector256<float>.Zero), Vector256.Create(6f)) / Vector256.Create(6f);
    public Vector512<float> Invoke(Vector512<float> x) =>
        x * Vector512.Min(Vector512.Max(x + Vector512.Create(3f), Vector512<float>.Zero), Vector512.Create(6f)) / Vector512.Create(6f);
}

internal readonly struct HardSwishBackwardOp : IQuaternaryOp
{
    // f' = 0 for x < -3, x/3 + 1/2 for -3 <= x <= 3, 1 above (PyTorch 1.13's hardswish_backward).
    public float Invoke(float x, float y, float dy, float acc) =>
        x < -3f ? acc : x <= 3f ? acc + dy * (x / 3f + 0.5f) : acc + dy;

    public Vector256<float> Invoke(Vector256<float> x, Vector256<float> y, Vector256<float> dy, Vector256<float> acc)
    {
        var mid = dy * (x / Vector256.Create(3f) + Vector256.Create(0.5f));
        var d = Vector256.ConditionalSelect(Vector256.LessThanOrEqual(x, Vector256.Create(3f)), mid, dy);
        return acc + (d & ~Vector256.LessThan(x, Vector256.Create(-3f)));
    }

    public Vector512<float> Invoke(Vector512<float> x, Vector512<float> y, Vector512<float> dy, Vector512<float> acc)
    {
        var mid = dy * (x / Vector512.Create(3f) + Vector512.Create(0.5f));
        var d = Vector512.ConditionalSelect(Vector512.LessThanOrEqual(x, Vector512.Create(3f)), mid, dy);
        return acc + (d & ~Vector512.LessThan(x, Vector512.Create(-3f)));
    }
}

internal readonly struct SoftsignOp : IUnaryOp
{
    public float Invoke(float x) => x / (1f + MathF.Abs(x));
    public Vector256<float> Invoke(Vector256<float> x) => x / (Vector256<float>.One + Vector256.Abs(x));
    public Vector512<float> Invoke(Vector512<float> x) => x / (Vector512<float>.One + Vector512.Abs(x));
}

internal readonly struct SoftsignBackwardOp : IQuaternaryOp
{
    // f'(x) = 1 / (1 + |x|)^2.
    public float Invoke(float x, float y, float dy, float acc)
    {
        float d = 1f + MathF.Abs(x);
        return acc + dy / (d * d);
    }

    public Vector256<float> Invoke(Vector256<float> x, Vector256<float> y, Vector256<float> dy, Vector256<float> acc)
    {
        var d = Vector256<float>.One + Vector256.Abs(x);
        return acc + dy / (d * d);
    }

    public Vector512<float> Invoke(Vector512<float> x, Vector512<float> y, Vector512<float> dy, Vector512<float> acc)
    {
        var d = Vector512<float>.One + Vector512.Abs(x);
        return acc + dy / (d * d);
    }
}

internal readonly struct LogSigmoidOp : IUnaryOp
{
    // -softplus(-x) = min(x, 0) - log1p(e^-|x|): no overflow for either sign.
    public float Invoke(float x) => MathF.Min(x, 0f) - FastMath.Log1p(FastMath.Exp(-MathF.Abs(x)));
    public Vector256<float> Invoke(Vector256<float> x) =>
        Vector256.Min(x, Vector256<float>.Zero) - FastMath.Log1p(FastMath.Exp(-Vector256.Abs(x)));
    public Vector512<float> Invoke(Vector512<float> x) =>
        Vector512.Min(x, Vector512<float>.Zero) - FastMath.Log1p(FastMath.Exp(-Vector512.Abs(x)));
}

internal readonly struct LogSigmoidBackwardOp : IQuaternaryOp
{
    // f'(x) = sigmoid(-x): with z = e^-|x|, 1/(1+z) for x < 0 and z/(1+z) otherwise (PyTorch's form).
    public float Invoke(float x, float y, float dy, float acc)
    {
        float z = FastMath.Exp(-MathF.Abs(x));
        return acc + dy * ((x < 0f ? 1f : z) / (1f + z));
    }

    public Vector256<float> Invoke(Vector256<float> x, Vector256<float> y, Vector256<float> dy, Vector256<float> acc)
    {
        var z = FastMath.Exp(-Vector256.Abs(x));
        var num = Vector256.ConditionalSelect(Vector256.LessThan(x, Vector256<float>.Zero), Vector256<float>.One, z);
        return acc + dy * (num / (Vector256<float>.One + z));
    }

    public Vector512<float> Invoke(Vector512<float> x, Vector512<float> y, Vector512<float> dy, Vector512<float> acc)
    {
        var z = FastMath.Exp(-Vector512.Abs(x));
        var num = Vector512.ConditionalSelect(Vector512.LessThan(x, Vector512<float>.Zero), Vector512<float>.One, z);
        return acc + dy * (num / (Vector512<float>.One + z));
    }
}
