using System.Runtime.Intrinsics;

namespace NeuralSharp.Kernels;

// Op structs shared by LayerNorm and RmsNorm (RmsNorm passes mean = 0 and a = 0, which leave the values exact:
// x - 0 = x, v - 0 = v). xhat = (x - mean) * rstd throughout.

/// <summary>d = (x - mean) rstd.</summary>
internal readonly struct NormalizeOp(float mean, float rstd) : IUnaryOp
{
    private readonly float _m = mean, _r = rstd;
    public float Invoke(float x) => (x - _m) * _r;
    public Vector256<float> Invoke(Vector256<float> x) => (x - Vector256.Create(_m)) * Vector256.Create(_r);
    public Vector512<float> Invoke(Vector512<float> x) => (x - Vector512.Create(_m)) * Vector512.Create(_r);
}

/// <summary>d = (x - mean) rstd g + b.</summary>
internal readonly struct NormalizeAffineOp(float mean, float rstd) : ITernaryOp
{
    private readonly float _m = mean, _r = rstd;
    public float Invoke(float x, float g, float b) => (x - _m) * _r * g + b;
    public Vector256<float> Invoke(Vector256<float> x, Vector256<float> g, Vector256<float> b) => (x - Vector256.Create(_m)) * Vector256.Create(_r) * g + b;
    public Vector512<float> Invoke(Vector512<float> x, Vector512<float> g, Vector512<float> b) => (x - Vector512.Create(_m)) * Vector512.Create(_r) * g + b;
}

/// <summary>f(dy, g, x) = dy g xhat (reduction term).</summary>
internal readonly struct DnormXhatOp(float mean, float rstd) : ITernaryOp
{
    private readonly float _m = mean, _r = rstd;
    public float Invoke(float dy, float g, float x) => dy * g * ((x - _m) * _r);
    public Vector256<float> Invoke(Vector256<float> dy, Vector256<float> g, Vector256<float> x) => dy * g * ((x - Vector256.Create(_m)) * Vector256.Create(_r));
    public Vector512<float> Invoke(Vector512<float> dy, Vector512<float> g, Vector512<float> x) => dy * g * ((x - Vector512.Create(_m)) * Vector512.Create(_r));
}

/// <summary>f(dy, _, x) = dy xhat (reduction term without gamma; also the dgamma term).</summary>
internal readonly struct DyXhatOp(float mean, float rstd) : ITernaryOp
{
    private readonly float _m = mean, _r = rstd;
    public float Invoke(float dy, float unused, float x) => dy * ((x - _m) * _r);
    public Vector256<float> Invoke(Vector256<float> dy, Vector256<float> unused, Vector256<float> x) => dy * ((x - Vector256.Create(_m)) * Vector256.Create(_r));
    public Vector512<float> Invoke(Vector512<float> dy, Vector512<float> unused, Vector512<float> x) => dy * ((x - Vector512.Create(_m)) * Vector512.Create(_r));
}

/// <summary>d = acc + dy xhat (dgamma).</summary>
internal readonly struct DgammaOp(float mean, float rstd) : ITernaryOp
{
    private readonly float _m = mean, _r = rstd;
    public float Invoke(float dy, float x, float acc) => acc + dy * ((x - _m) * _r);
    public Vector256<float> Invoke(Vector256<float> dy, Vector256<float> x, Vector256<float> acc) => acc + dy * ((x - Vector256.Create(_m)) * Vector256.Create(_r));
    public Vector512<float> Invoke(Vector512<float> dy, Vector512<float> x, Vector512<float> acc) => acc + dy * ((x - Vector512.Create(_m)) * Vector512.Create(_r));
}

/// <summary>d = acc + ((dy g - a) - xhat b) rstd, where a = mean(dy g), b = mean(dy g xhat).</summary>
internal readonly struct NormDxOp(float mean, float rstd, float a, float b) : IQuaternaryOp
{
    private readonly float _m = mean, _r = rstd, _a = a, _b = b;
    public float Invoke(float x, float g, float dy, float acc) => acc + ((dy * g - _a) - (x - _m) * _r * _b) * _r;
    public Vector256<float> Invoke(Vector256<float> x, Vector256<float> g, Vector256<float> dy, Vector256<float> acc)
    {
        var r = Vector256.Create(_r);
        return acc + ((dy * g - Vector256.Create(_a)) - (x - Vector256.Create(_m)) * r * Vector256.Create(_b)) * r;
    }

    public Vector512<float> Invoke(Vector512<float> x, Vector512<float> g, Vector512<float> dy, Vector512<float> acc)
    {
        var r = Vector512.Create(_r);
        return acc + ((dy * g - Vector512.Create(_a)) - (x - Vector512.Create(_m)) * r * Vector512.Create(_b)) * r;
    }
}

/// <summary>d = acc + ((dy - a) - xhat b) rstd (no gamma; the second input is ignored).</summary>
internal readonly struct NormDxNoGammaOp(float mean, float rstd, float a, float b) : IQuaternaryOp
{
    private readonly float _m = mean, _r = rstd, _a = a, _b = b;
    public float Invoke(float x, float unused, float dy, float acc) => acc + ((dy - _a) - (x - _m) * _r * _b) * _r;
    public Vector256<float> Invoke(Vector256<float> x, Vector256<float> unused, Vector256<float> dy, Vector256<float> acc)
    {
        var r = Vector256.Create(_r);
        return acc + ((dy - Vector256.Create(_a)) - (x - Vector256.Create(_m)) * r * Vector256.Create(_b)) * r;
    }

    public Vector512<float> Invoke(Vector512<float> x, Vector512<float> unused, Vector512<float> dy, Vector512<float> acc)
    {
        var r = Vector512.Create(_r);
        return acc + ((dy - Vector512.Create(_a)) - (x - Vector512.Create(_m)) * r * Vector512.Create(_b)) * r;
    }
}
