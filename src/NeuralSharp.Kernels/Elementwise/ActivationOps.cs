using System.Runtime.Intrinsics;

namespace NeuralSharp.Kernels;

// Forward ops (IUnaryOp: y = f(x)) and backward ops (IQuaternaryOp (x, y, dy, acc): acc + dy * f'(x)) for
// Activations. Constants are the float values PyTorch uses.

internal static class ActivationConstants
{
    public const float InvSqrt2 = 0.70710678118654752f;
    public const float InvSqrt2Pi = 0.39894228040143268f;
    public const float SqrtTwoOverPi = 0.79788456080286536f;
    public const float GeluCoef = 0.044715f;
    public const float SoftplusThreshold = 20f;
}

internal readonly struct ReluOp : IUnaryOp
{
    // x < 0 ? 0 : x keeps NaN (and -0), like torch.relu.
    public float Invoke(float x) => x < 0f ? 0f : x;
    public Vector256<float> Invoke(Vector256<float> x) => Vector256.ConditionalSelect(Vector256.LessThan(x, Vector256<float>.Zero), Vector256<float>.Zero, x);
    public Vector512<float> Invoke(Vector512<float> x) => Vector512.ConditionalSelect(Vector512.LessThan(x, Vector512<float>.Zero), Vector512<float>.Zero, x);
}

internal readonly struct ReluBackwardOp : IQuaternaryOp
{
    public float Invoke(float x, float y, float dy, float acc) => x > 0f ? acc + dy : acc;
    public Vector256<float> Invoke(Vector256<float> x, Vector256<float> y, Vector256<float> dy, Vector256<float> acc) =>
        acc + (dy & Vector256.GreaterThan(x, Vector256<float>.Zero));
    public Vector512<float> Invoke(Vector512<float> x, Vector512<float> y, Vector512<float> dy, Vector512<float> acc) =>
        acc + (dy & Vector512.GreaterThan(x, Vector512<float>.Zero));
}

internal readonly struct LeakyReluOp(float alpha) : IUnaryOp
{
    private readonly float _a = alpha;
    public float Invoke(float x) => x > 0f ? x : x * _a;
    public Vector256<float> Invoke(Vector256<float> x) => Vector256.ConditionalSelect(Vector256.GreaterThan(x, Vector256<float>.Zero), x, x * Vector256.Create(_a));
    public Vector512<float> Invoke(Vector512<float> x) => Vector512.ConditionalSelect(Vector512.GreaterThan(x, Vector512<float>.Zero), x, x * Vector512.Create(_a));
}

internal readonly struct LeakyReluBackwardOp(float alpha) : IQuaternaryOp
{
    private readonly float _a = alpha;
    public float Invoke(float x, float y, float dy, float acc) => acc + (x > 0f ? dy : dy * _a);
    public Vector256<float> Invoke(Vector256<float> x, Vector256<float> y, Vector256<float> dy, Vector256<float> acc) =>
        acc + Vector256.ConditionalSelect(Vector256.GreaterThan(x, Vector256<float>.Zero), dy, dy * Vector256.Create(_a));
    public Vector512<float> Invoke(Vector512<float> x, Vector512<float> y, Vector512<float> dy, Vector512<float> acc) =>
        acc + Vector512.ConditionalSelect(Vector512.GreaterThan(x, Vector512<float>.Zero), dy, dy * Vector512.Create(_a));
}

internal readonly struct SigmoidOp : IUnaryOp
{
    // 1 / (1 + e^-x): e^-x overflows to +inf for x < -88 and the result goes smoothly to 0.
    public float Invoke(float x) => 1f / (1f + FastMath.Exp(-x));
    public Vector256<float> Invoke(Vector256<float> x) => Vector256<float>.One / (Vector256<float>.One + FastMath.Exp(-x));
    public Vector512<float> Invoke(Vector512<float> x) => Vector512<float>.One / (Vector512<float>.One + FastMath.Exp(-x));
}

internal readonly struct SigmoidBackwardOp : IQuaternaryOp
{
    public float Invoke(float x, float y, float dy, float acc) => acc + dy * (y * (1f - y));
    public Vector256<float> Invoke(Vector256<float> x, Vector256<float> y, Vector256<float> dy, Vector256<float> acc) =>
        acc + dy * (y * (Vector256<float>.One - y));
    public Vector512<float> Invoke(Vector512<float> x, Vector512<float> y, Vector512<float> dy, Vector512<float> acc) =>
        acc + dy * (y * (Vector512<float>.One - y));
}

internal readonly struct TanhOp : IUnaryOp
{
    public float Invoke(float x) => FastMath.Tanh(x);
    public Vector256<float> Invoke(Vector256<float> x) => FastMath.Tanh(x);
    public Vector512<float> Invoke(Vector512<float> x) => FastMath.Tanh(x);
}

internal readonly struct TanhBackwardOp : IQuaternaryOp
{
    public float Invoke(float x, float y, float dy, float acc) => acc + dy * (1f - y * y);
    public Vector256<float> Invoke(Vector256<float> x, Vector256<float> y, Vector256<float> dy, Vector256<float> acc) =>
        acc + dy * (Vector256<float>.One - y * y);
    public Vector512<float> Invoke(Vector512<float> x, Vector512<float> y, Vector512<float> dy, Vector512<float> acc) =>
        acc + dy * (Vector512<float>.One - y * y);
}

internal readonly struct GeluErfOp : IUnaryOp
{
    public float Invoke(float x) => 0.5f * x * (1f + FastMath.Erf(x * ActivationConstants.InvSqrt2));
    public Vector256<float> Invoke(Vector256<float> x) =>
        Vector256.Create(0.5f) * x * (Vector256<float>.One + FastMath.Erf(x * Vector256.Create(ActivationConstants.InvSqrt2)));
    public Vector512<float> Invoke(Vector512<float> x) =>
        Vector512.Create(0.5f) * x * (Vector512<float>.One + FastMath.Erf(x * Vector512.Create(ActivationConstants.InvSqrt2)));
}

internal readonly struct GeluErfBackwardOp : IQuaternaryOp
{
    // f'(x) = Phi(x) + x phi(x), Phi(x) = (1 + erf(x/sqrt2))/2, phi(x) = e^(-x^2/2) / sqrt(2 pi).
    public float Invoke(float x, float y, float dy, float acc)
    {
        float cdf = 0.5f * (1f + FastMath.Erf(x * ActivationConstants.InvSqrt2));
        float pdf = ActivationConstants.InvSqrt2Pi * FastMath.Exp(-0.5f * x * x);
        return acc + dy * (cdf + x * pdf);
    }

    public Vector256<float> Invoke(Vector256<float> x, Vector256<float> y, Vector256<float> dy, Vector256<float> acc)
    {
        var cdf = Vector256.Create(0.5f) * (Vector256<float>.One + FastMath.Erf(x * Vector256.Create(ActivationConstants.InvSqrt2)));
        var pdf = Vector256.Create(ActivationConstants.InvSqrt2Pi) * FastMath.Exp(Vector256.Create(-0.5f) * x * x);
        return acc + dy * (cdf + x * pdf);
    }

    public Vector512<float> Invoke(Vector512<float> x, Vector512<float> y, Vector512<float> dy, Vector512<float> acc)
    {
        var cdf = Vector512.Create(0.5f) * (Vector512<float>.One + FastMath.Erf(x * Vector512.Create(ActivationConstants.InvSqrt2)));
        var pdf = Vector512.Create(ActivationConstants.InvSqrt2Pi) * FastMath.Exp(Vector512.Create(-0.5f) * x * x);
        return acc + dy * (cdf + x * pdf);
    }
}

internal readonly struct GeluTanhOp : IUnaryOp
{
    public float Invoke(float x)
    {
        float u = ActivationConstants.SqrtTwoOverPi * (x + ActivationConstants.GeluCoef * x * x * x);
        return 0.5f * x * (1f + FastMath.Tanh(u));
    }

    public Vector256<float> Invoke(Vector256<float> x)
    {
        var u = Vector256.Create(ActivationConstants.SqrtTwoOverPi) * (x + Vector256.Create(ActivationConstants.GeluCoef) * x * x * x);
        return Vector256.Create(0.5f) * x * (Vector256<float>.One + FastMath.Tanh(u));
    }

    public Vector512<float> Invoke(Vector512<float> x)
    {
        var u = Vector512.Create(ActivationConstants.SqrtTwoOverPi) * (x + Vector512.Create(ActivationConstants.GeluCoef) * x * x * x);
        return Vector512.Create(0.5f) * x * (Vector512<float>.One + FastMath.Tanh(u));
    }
}

internal readonly struct GeluTanhBackwardOp : IQuaternaryOp
{
    // f'(x) = (1 + t)/2 + x/2 (1 - t^2) k (1 + 3c x^2), t = tanh(k (x + c x^3)).
    public float Invoke(float x, float y, float dy, float acc)
    {
        const float k = ActivationConstants.SqrtTwoOverPi, c = ActivationConstants.GeluCoef;
        float x2 = x * x;
        float t = FastMath.Tanh(k * (x + c * x2 * x));
        float d = 0.5f * (1f + t) + 0.5f * x * (1f - t * t) * (k * (1f + 3f * c * x2));
        return acc + dy * d;
    }

    public Vector256<float> Invoke(Vector256<float> x, Vector256<float> y, Vector256<float> dy, Vector256<float> acc)
    {
        var k = Vector256.Create(ActivationConstants.SqrtTwoOverPi);
        var c = Vector256.Create(ActivationConstants.GeluCoef);
        var half = Vector256.Create(0.5f);
        var one = Vector256<float>.One;
        var x2 = x * x;
        var t = FastMath.Tanh(k * (x + c * x2 * x));
        var d = half * (one + t) + half * x * (one - t * t) * (k * (one + Vector256.Create(3f) * c * x2));
        return acc + dy * d;
    }

    public Vector512<float> Invoke(Vector512<float> x, Vector512<float> y, Vector512<float> dy, Vector512<float> acc)
    {
        var k = Vector512.Create(ActivationConstants.SqrtTwoOverPi);
        var c = Vector512.Create(ActivationConstants.GeluCoef);
        var half = Vector512.Create(0.5f);
        var one = Vector512<float>.One;
        var x2 = x * x;
        var t = FastMath.Tanh(k * (x + c * x2 * x));
        var d = half * (one + t) + half * x * (one - t * t) * (k * (one + Vector512.Create(3f) * c * x2));
        return acc + dy * d;
    }
}

internal readonly struct SiluOp : IUnaryOp
{
    public float Invoke(float x) => x / (1f + FastMath.Exp(-x));
    public Vector256<float> Invoke(Vector256<float> x) => x / (Vector256<float>.One + FastMath.Exp(-x));
    public Vector512<float> Invoke(Vector512<float> x) => x / (Vector512<float>.One + FastMath.Exp(-x));
}

internal readonly struct SiluBackwardOp : IQuaternaryOp
{
    // f'(x) = s (1 + x (1 - s)), s = sigmoid(x).
    public float Invoke(float x, float y, float dy, float acc)
    {
        float s = 1f / (1f + FastMath.Exp(-x));
        return acc + dy * (s * (1f + x * (1f - s)));
    }

    public Vector256<float> Invoke(Vector256<float> x, Vector256<float> y, Vector256<float> dy, Vector256<float> acc)
    {
        var one = Vector256<float>.One;
        var s = one / (one + FastMath.Exp(-x));
        return acc + dy * (s * (one + x * (one - s)));
    }

    public Vector512<float> Invoke(Vector512<float> x, Vector512<float> y, Vector512<float> dy, Vector512<float> acc)
    {
        var one = Vector512<float>.One;
        var s = one / (one + FastMath.Exp(-x));
        return acc + dy * (s * (one + x * (one - s)));
    }
}

internal readonly struct SoftplusOp(float beta) : IUnaryOp
{
    // Stable: ln(1 + e^z) = max(z, 0) + log1p(e^-|z|), z = beta x; linear above the threshold like PyTorch.
    private readonly float _b = beta;

    public float Invoke(float x)
    {
        float z = x * _b;
        if (z > ActivationConstants.SoftplusThreshold) return x;
        return (MathF.Max(z, 0f) + FastMath.Log1p(FastMath.Exp(-MathF.Abs(z)))) / _b;
    }

    public Vector256<float> Invoke(Vector256<float> x)
    {
        var b = Vector256.Create(_b);
        var z = x * b;
        var s = (Vector256.Max(z, Vector256<float>.Zero) + FastMath.Log1p(FastMath.Exp(-Vector256.Abs(z)))) / b;
        return Vector256.ConditionalSelect(Vector256.GreaterThan(z, Vector256.Create(ActivationConstants.SoftplusThreshold)), x, s);
    }

    public Vector512<float> Invoke(Vector512<float> x)
    {
        var b = Vector512.Create(_b);
        var z = x * b;
        var s = (Vector512.Max(z, Vector512<float>.Zero) + FastMath.Log1p(FastMath.Exp(-Vector512.Abs(z)))) / b;
        return Vector512.ConditionalSelect(Vector512.GreaterThan(z, Vector512.Create(ActivationConstants.SoftplusThreshold)), x, s);
    }
}

internal readonly struct SoftplusBackwardOp(float beta) : IQuaternaryOp
{
    // f'(x) = sigmoid(beta x) below the threshold, 1 above.
    private readonly float _b = beta;

    public float Invoke(float x, float y, float dy, float acc)
    {
        float z = x * _b;
        if (z > ActivationConstants.SoftplusThreshold) return acc + dy;
        return acc + dy * (1f / (1f + FastMath.Exp(-z)));
    }

    public Vector256<float> Invoke(Vector256<float> x, Vector256<float> y, Vector256<float> dy, Vector256<float> acc)
    {
        var z = x * Vector256.Create(_b);
        var s = Vector256<float>.One / (Vector256<float>.One + FastMath.Exp(-z));
        s = Vector256.ConditionalSelect(Vector256.GreaterThan(z, Vector256.Create(ActivationConstants.SoftplusThreshold)), Vector256<float>.One, s);
        return acc + dy * s;
    }

    public Vector512<float> Invoke(Vector512<float> x, Vector512<float> y, Vector512<float> dy, Vector512<float> acc)
    {
        var z = x * Vector512.Create(_b);
        var s = Vector512<float>.One / (Vector512<float>.One + FastMath.Exp(-z));
        s = Vector512.ConditionalSelect(Vector512.GreaterThan(z, Vector512.Create(ActivationConstants.SoftplusThreshold)), Vector512<float>.One, s);
        return acc + dy * s;
    }
}
