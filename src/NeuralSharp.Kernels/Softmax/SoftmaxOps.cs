using System.Runtime.Intrinsics;

namespace NeuralSharp.Kernels;

/// <summary>d = (x - a) - b (log-softmax: x - max - log(sum)).</summary>
internal readonly struct SubTwoOp(float a, float b) : IUnaryOp
{
    private readonly float _a = a, _b = b;
    public float Invoke(float x) => x - _a - _b;
    public Vector256<float> Invoke(Vector256<float> x) => x - Vector256.Create(_a) - Vector256.Create(_b);
    public Vector512<float> Invoke(Vector512<float> x) => x - Vector512.Create(_a) - Vector512.Create(_b);
}

/// <summary>d = acc + y * (dy - s).</summary>
internal readonly struct SoftmaxBackwardOp(float s) : ITernaryOp
{
    private readonly float _s = s;
    public float Invoke(float y, float dy, float acc) => acc + y * (dy - _s);
    public Vector256<float> Invoke(Vector256<float> y, Vector256<float> dy, Vector256<float> acc) => acc + y * (dy - Vector256.Create(_s));
    public Vector512<float> Invoke(Vector512<float> y, Vector512<float> dy, Vector512<float> acc) => acc + y * (dy - Vector512.Create(_s));
}

/// <summary>d = acc + (dy - exp(y) * s).</summary>
internal readonly struct LogSoftmaxBackwardOp(float s) : ITernaryOp
{
    private readonly float _s = s;
    public float Invoke(float y, float dy, float acc) => acc + (dy - FastMath.Exp(y) * _s);
    public Vector256<float> Invoke(Vector256<float> y, Vector256<float> dy, Vector256<float> acc) => acc + (dy - FastMath.Exp(y) * Vector256.Create(_s));
    public Vector512<float> Invoke(Vector512<float> y, Vector512<float> dy, Vector512<float> acc) => acc + (dy - FastMath.Exp(y) * Vector512.Create(_s));
}
