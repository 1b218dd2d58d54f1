using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace NeuralSharp.Kernels;

// Op structs for Elementwise (see SimdLoop). Multiply-adds are a separate multiply and add, not fused, so the
// result does not depend on whether the machine has FMA.

internal readonly struct AddOp : IBinaryOp
{
    public float Invoke(float x, float y) => x + y;
    public Vector256<float> Invoke(Vector256<float> x, Vector256<float> y) => x + y;
    public Vector512<float> Invoke(Vector512<float> x, Vector512<float> y) => x + y;
}

internal readonly struct SubOp : IBinaryOp
{
    public float Invoke(float x, float y) => x - y;
    public Vector256<float> Invoke(Vector256<float> x, Vector256<float> y) => x - y;
    public Vector512<float> Invoke(Vector512<float> x, Vector512<float> y) => x - y;
}

internal readonly struct MulOp : IBinaryOp
{
    public float Invoke(float x, float y) => x * y;
    public Vector256<float> Invoke(Vector256<float> x, Vector256<float> y) => x * y;
    public Vector512<float> Invoke(Vector512<float> x, Vector512<float> y) => x * y;
}

internal readonly struct DivOp : IBinaryOp
{
    public float Invoke(float x, float y) => x / y;
    public Vector256<float> Invoke(Vector256<float> x, Vector256<float> y) => x / y;
    public Vector512<float> Invoke(Vector512<float> x, Vector512<float> y) => x / y;
}

/// <summary>d = x op s.</summary>
internal readonly struct ScalarRightOp<TOp>(float s) : IUnaryOp where TOp : struct, IBinaryOp
{
    private readonly float _s = s;
    private readonly Vector256<float> _s256 = Vector256.Create(s);
    private readonly Vector512<float> _s512 = Vector512.Create(s);
    public float Invoke(float x) => default(TOp).Invoke(x, _s);
    public Vector256<float> Invoke(Vector256<float> x) => default(TOp).Invoke(x, _s256);
    public Vector512<float> Invoke(Vector512<float> x) => default(TOp).Invoke(x, _s512);
}

/// <summary>d = s op y.</summary>
internal readonly struct ScalarLeftOp<TOp>(float s) : IUnaryOp where TOp : struct, IBinaryOp
{
    private readonly float _s = s;
    private readonly Vector256<float> _s256 = Vector256.Create(s);
    private readonly Vector512<float> _s512 = Vector512.Create(s);
    public float Invoke(float y) => default(TOp).Invoke(_s, y);
    public Vector256<float> Invoke(Vector256<float> y) => default(TOp).Invoke(_s256, y);
    public Vector512<float> Invoke(Vector512<float> y) => default(TOp).Invoke(_s512, y);
}

/// <summary>d = acc + x * y.</summary>
internal readonly struct MulAddOp : ITernaryOp
{
    public float Invoke(float x, float y, float acc) => acc + x * y;
    public Vector256<float> Invoke(Vector256<float> x, Vector256<float> y, Vector256<float> acc) => acc + x * y;
    public Vector512<float> Invoke(Vector512<float> x, Vector512<float> y, Vector512<float> acc) => acc + x * y;
}

/// <summary>d = acc + x * s.</summary>
internal readonly struct MulScalarAddOp(float s) : IBinaryOp
{
    private readonly float _s = s;
    private readonly Vector256<float> _s256 = Vector256.Create(s);
    private readonly Vector512<float> _s512 = Vector512.Create(s);
    public float Invoke(float x, float acc) => acc + x * _s;
    public Vector256<float> Invoke(Vector256<float> x, Vector256<float> acc) => acc + x * _s256;
    public Vector512<float> Invoke(Vector512<float> x, Vector512<float> acc) => acc + x * _s512;
}

internal readonly struct ExpOp : IUnaryOp
{
    public float Invoke(float x) => FastMath.Exp(x);
    public Vector256<float> Invoke(Vector256<float> x) => FastMath.Exp(x);
    public Vector512<float> Invoke(Vector512<float> x) => FastMath.Exp(x);
}

internal readonly struct LogOp : IUnaryOp
{
    public float Invoke(float x) => FastMath.Log(x);
    public Vector256<float> Invoke(Vector256<float> x) => FastMath.Log(x);
    public Vector512<float> Invoke(Vector512<float> x) => FastMath.Log(x);
}

internal readonly struct SqrtOp : IUnaryOp
{
    public float Invoke(float x) => MathF.Sqrt(x);
    public Vector256<float> Invoke(Vector256<float> x) => Vector256.Sqrt(x);
    public Vector512<float> Invoke(Vector512<float> x) => Vector512.Sqrt(x);
}

internal readonly struct SquareOp : IUnaryOp
{
    public float Invoke(float x) => x * x;
    public Vector256<float> Invoke(Vector256<float> x) => x * x;
    public Vector512<float> Invoke(Vector512<float> x) => x * x;
}

/// <summary>d = acc - dy * x / (y * y), evaluated as acc + (-(dy * x)) / (y * y).</summary>
internal readonly struct DivBackwardDenominatorOp : IQuaternaryOp
{
    public float Invoke(float dy, float x, float y, float acc) => acc + -(dy * x) / (y * y);
    public Vector256<float> Invoke(Vector256<float> dy, Vector256<float> x, Vector256<float> y, Vector256<float> acc) => acc + -(dy * x) / (y * y);
    public Vector512<float> Invoke(Vector512<float> dy, Vector512<float> x, Vector512<float> y, Vector512<float> acc) => acc + -(dy * x) / (y * y);
}

/// <summary>d = acc + (dy * 2) * x: the power-rule derivative for p = 2.</summary>
internal readonly struct SquareBackwardOp : ITernaryOp
{
    public float Invoke(float x, float dy, float acc) => acc + dy * 2f * x;
    public Vector256<float> Invoke(Vector256<float> x, Vector256<float> dy, Vector256<float> acc) => acc + dy * Vector256.Create(2f) * x;
    public Vector512<float> Invoke(Vector512<float> x, Vector512<float> dy, Vector512<float> acc) => acc + dy * Vector512.Create(2f) * x;
}
