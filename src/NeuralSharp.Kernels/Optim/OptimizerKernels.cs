using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace NeuralSharp.Kernels;

// Legend: n = number of parameters in one tensor; param, grad and the state buffers are all [n].
// Each kernel is one vectorised pass (Vector512, Vector256, scalar tail) that follows PyTorch 1.13's
// _single_tensor_* operation order; multiply-adds are separate multiplies and adds (never fused), so the
// SIMD and scalar paths agree bit for bit and match OptimizerReference exactly.

/// <summary>In-place optimizer updates for one parameter tensor (SGD with momentum/Nesterov, Adam, AdamW).</summary>
public static class OptimizerKernels
{
    /// <summary>
    /// SGD step, in place: g = grad + wd p (only if wd != 0); with momentum != 0,
    /// buf = firstStep ? g : momentum buf + (1 - dampening) g and g = nesterov ? g + momentum buf : buf; then p += -lr g.
    /// </summary>
    /// <param name="param">Parameters [n], updated.</param>
    /// <param name="grad">Gradients [n].</param>
    /// <param name="momentumBuffer">Momentum buffer [n], updated (may be empty when momentum is 0).</param>
    /// <param name="lr">Learning rate.</param>
    /// <param name="momentum">Momentum factor (0 for plain SGD).</param>
    /// <param name="dampening">Dampening of the momentum update.</param>
    /// <param name="weightDecay">L2 penalty added to the gradient.</param>
    /// <param name="nesterov">Use Nesterov momentum.</param>
    /// <param name="firstStep">The buffer is uninitialised: set it to g instead of updating it.</param>
    /// <exception cref="ArgumentException">A span length differs from param's.</exception>
    public static void Sgd(Span<float> param, ReadOnlySpan<float> grad, Span<float> momentumBuffer, float lr, float momentum,
        float dampening, float weightDecay, bool nesterov, bool firstStep)
    {
        const string k = "OptimizerKernels.Sgd";
        Guard.Length(k, nameof(grad), param.Length, grad.Length);
        if (momentum != 0f) Guard.Length(k, nameof(momentumBuffer), param.Length, momentumBuffer.Length);
        var s = new SgdStep(lr, momentum, dampening, weightDecay, nesterov, firstStep);
        ref float p = ref MemoryMarshal.GetReference(param);
        ref float g = ref MemoryMarshal.GetReference(grad);
        ref float b = ref momentum != 0f ? ref MemoryMarshal.GetReference(momentumBuffer) : ref p;
        nuint n = (nuint)param.Length, i = 0;
        if (Vector512.IsHardwareAccelerated)
            for (; i + 16 <= n; i += 16)
            {
                var pv = Vector512.LoadUnsafe(ref p, i);
                var bv = Vector512.LoadUnsafe(ref b, i);
                s.Step(ref pv, Vector512.LoadUnsafe(ref g, i), ref bv);
                pv.StoreUnsafe(ref p, i);
                if (s.UsesBuffer) bv.StoreUnsafe(ref b, i);
            }
        if (Vector256.IsHardwareAccelerated)
            for (; i + 8 <= n; i += 8)
            {
                var pv = Vector256.LoadUnsafe(ref p, i);
                var bv = Vector256.LoadUnsafe(ref b, i);
                s.Step(ref pv, Vector256.LoadUnsafe(ref g, i), ref bv);
                pv.StoreUnsafe(ref p, i);
                if (s.UsesBuffer) bv.StoreUnsafe(ref b, i);
            }
        for (; i < n; i++)
        {
            float pv = Unsafe.Add(ref p, i), bv = Unsafe.Add(ref b, i);
            s.Step(ref pv, Unsafe.Add(ref g, i), ref bv);
            Unsafe.Add(ref p, i) = pv;
            if (s.UsesBuffer) Unsafe.Add(ref b, i) = bv;
        }
    }

    /// <summary>
    /// Adam / AdamW step, in place (step is 1-based). Adam: g = grad + wd p. AdamW: p *= 1 - lr wd, g = grad.
    /// Then m = b1 m + (1 - b1) g; v = b2 v + (1 - b2) g g; p += -(lr / bc1) m / (sqrt(v) / sqrt(bc2) + eps)
    /// with bc1 = 1 - b1^step and bc2 = 1 - b2^step computed in double.
    /// </summary>
    /// <param name="param">Parameters [n], updated.</param>
    /// <param name="grad">Gradients [n].</param>
    /// <param name="m">First-moment estimate [n], updated.</param>
    /// <param name="v">Second-moment estimate [n], updated.</param>
    /// <param name="lr">Learning rate.</param>
    /// <param name="beta1">First-moment decay.</param>
    /// <param name="beta2">Second-moment decay.</param>
    /// <param name="eps">Added to the denominator.</param>
    /// <param name="weightDecay">L2 penalty (Adam) or decoupled decay rate (AdamW).</param>
    /// <param name="decoupled">AdamW's decoupled weight decay instead of Adam's L2 penalty.</param>
    /// <param name="step">The 1-based step number, used for bias correction.</param>
    /// <exception cref="ArgumentException">A span length differs from param's, or step &lt; 1.</exception>
    public static void Adam(Span<float> param, ReadOnlySpan<float> grad, Span<float> m, Span<float> v, float lr, float beta1, float beta2,
        float eps, float weightDecay, bool decoupled, int step)
    {
        const string k = "OptimizerKernels.Adam";
        Guard.Length(k, nameof(grad), param.Length, grad.Length);
        Guard.Length(k, nameof(m), param.Length, m.Length);
        Guard.Length(k, nameof(v), param.Length, v.Length);
        if (step < 1) throw new ArgumentException($"{k}: step is {step}, expected 1 or more (1-based).", nameof(step));
        var s = new AdamStep(lr, beta1, beta2, eps, weightDecay, decoupled, step);
        ref float p = ref MemoryMarshal.GetReference(param);
        ref float g = ref MemoryMarshal.GetReference(grad);
        ref float pm = ref MemoryMarshal.GetReference(m);
        ref float pv = ref MemoryMarshal.GetReference(v);
        nuint n = (nuint)param.Length, i = 0;
        if (Vector512.IsHardwareAccelerated)
            for (; i + 16 <= n; i += 16)
            {
                var a = Vector512.LoadUnsafe(ref p, i);
                var b = Vector512.LoadUnsafe(ref pm, i);
                var c = Vector512.LoadUnsafe(ref pv, i);
                s.Step(ref a, Vector512.LoadUnsafe(ref g, i), ref b, ref c);
                a.StoreUnsafe(ref p, i); b.StoreUnsafe(ref pm, i); c.StoreUnsafe(ref pv, i);
            }
        if (Vector256.IsHardwareAccelerated)
            for (; i + 8 <= n; i += 8)
            {
                var a = Vector256.LoadUnsafe(ref p, i);
                var b = Vector256.LoadUnsafe(ref pm, i);
                var c = Vector256.LoadUnsafe(ref pv, i);
                s.Step(ref a, Vector256.LoadUnsafe(ref g, i), ref b, ref c);
                a.StoreUnsafe(ref p, i); b.StoreUnsafe(ref pm, i); c.StoreUnsafe(ref pv, i);
            }
        for (; i < n; i++)
        {
            float a = Unsafe.Add(ref p, i), b = Unsafe.Add(ref pm, i), c = Unsafe.Add(ref pv, i);
            s.Step(ref a, Unsafe.Add(ref g, i), ref b, ref c);
            Unsafe.Add(ref p, i) = a; Unsafe.Add(ref pm, i) = b; Unsafe.Add(ref pv, i) = c;
        }
    }
}
