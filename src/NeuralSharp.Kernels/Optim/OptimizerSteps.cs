using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace NeuralSharp.Kernels;

/// <summary>One SGD element update, in scalar, Vector256 and Vector512 forms with identical arithmetic.</summary>
internal readonly struct SgdStep
{
    private readonly float _negLr, _mom, _oneMinusDamp, _wd;
    private readonly bool _nesterov, _first;
    public readonly bool UsesBuffer;

    public SgdStep(float lr, float momentum, float dampening, float weightDecay, bool nesterov, bool firstStep)
    {
        _negLr = -lr;
        _mom = momentum;
        _oneMinusDamp = (float)(1.0 - dampening); // a Python double in PyTorch, cast to float by the kernel
        _wd = weightDecay;
        _nesterov = nesterov;
        _first = firstStep;
        UsesBuffer = momentum != 0f;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Step(ref float p, float g, ref float buf)
    {
        if (_wd != 0f) g = g + _wd * p;
        if (UsesBuffer)
        {
            buf = _first ? g : _mom * buf + _oneMinusDamp * g;
            g = _nesterov ? g + _mom * buf : buf;
        }
        p = p + _negLr * g;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Step(ref Vector256<float> p, Vector256<float> g, ref Vector256<float> buf)
    {
        if (_wd != 0f) g = g + Vector256.Create(_wd) * p;
        if (UsesBuffer)
        {
            var mom = Vector256.Create(_mom);
            buf = _first ? g : mom * buf + Vector256.Create(_oneMinusDamp) * g;
            g = _nesterov ? g + mom * buf : buf;
        }
        p = p + Vector256.Create(_negLr) * g;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Step(ref Vector512<float> p, Vector512<float> g, ref Vector512<float> buf)
    {
        if (_wd != 0f) g = g + Vector512.Create(_wd) * p;
        if (UsesBuffer)
        {
            var mom = Vector512.Create(_mom);
            buf = _first ? g : mom * buf + Vector512.Create(_oneMinusDamp) * g;
            g = _nesterov ? g + mom * buf : buf;
        }
        p = p + Vector512.Create(_negLr) * g;
    }
}

/// <summary>One Adam/AdamW element update, in scalar, Vector256 and Vector512 forms with identical arithmetic.</summary>
internal readonly struct AdamStep
{
    private readonly float _b1, _b2, _oneMinusB1, _oneMinusB2, _eps, _wd, _decay, _negStepSize, _bc2Sqrt;
    private readonly bool _decoupled;

    public AdamStep(float lr, float beta1, float beta2, float eps, float weightDecay, bool decoupled, int step)
    {
        // PyTorch computes these scalars in Python doubles and the tensor kernels cast them to float.
        double bc1 = 1 - Math.Pow(beta1, step);
        double bc2 = 1 - Math.Pow(beta2, step);
        _b1 = beta1;
        _b2 = beta2;
        _oneMinusB1 = (float)(1.0 - beta1);
        _oneMinusB2 = (float)(1.0 - beta2);
        _eps = eps;
        _wd = weightDecay;
        _decay = (float)(1.0 - (double)lr * weightDecay);
        _negStepSize = (float)-(lr / bc1);
        _bc2Sqrt = (float)Math.Sqrt(bc2);
        _decoupled = decoupled;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Step(ref float p, float g, ref float m, ref float v)
    {
        if (_decoupled) p = p * _decay;
        else if (_wd != 0f) g = g + _wd * p;
        m = m * _b1 + _oneMinusB1 * g;
        v = v * _b2 + _oneMinusB2 * g * g;
        float denom = MathF.Sqrt(v) / _bc2Sqrt + _eps;
        p = p + _negStepSize * m / denom;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Step(ref Vector256<float> p, Vector256<float> g, ref Vector256<float> m, ref Vector256<float> v)
    {
        if (_decoupled) p = p * Vector256.Create(_decay);
        else if (_wd != 0f) g = g + Vector256.Create(_wd) * p;
        m = m * Vector256.Create(_b1) + Vector256.Create(_oneMinusB1) * g;
        v = v * Vector256.Create(_b2) + Vector256.Create(_oneMinusB2) * g * g;
        var denom = Vector256.Sqrt(v) / Vector256.Create(_bc2Sqrt) + Vector256.Create(_eps);
        p = p + Vector256.Create(_negStepSize) * m / denom;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Step(ref Vector512<float> p, Vector512<float> g, ref Vector512<float> m, ref Vector512<float> v)
    {
        if (_decoupled) p = p * Vector512.Create(_decay);
        else if (_wd != 0f) g = g + Vector512.Create(_wd) * p;
        m = m * Vector512.Create(_b1) + Vector512.Create(_oneMinusB1) * g;
        v = v * Vector512.Create(_b2) + Vector512.Create(_oneMinusB2) * g * g;
        var denom = Vector512.Sqrt(v) / Vector512.Create(_bc2Sqrt) + Vector512.Create(_eps);
        p = p + Vector512.Create(_negStepSize) * m / denom;
    }
}
