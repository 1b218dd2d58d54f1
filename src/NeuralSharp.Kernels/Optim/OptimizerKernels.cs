using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace NeuralSharp.Kernels;

// Legend: n = number of parameters in one tensor; param, grad and the state buffers are all [n].
// Each kernel is one vectorised pass (Vector512, Vector256, scalar tail) that follows PyTorch 1.13's
// _single_tensor_* operation order; multiply-adds are separate multiplies and adds (never fused), so the
// SIMD and scalar paths agree bit for bit and match OptimizerReference exactly. Large tensors are cut into one
// contiguous part per thread of KernelThreads: every element is updated on its own, so the result is the same
// bit for bit whatever the thread count.

/// <summary>In-place optimizer updates for one parameter tensor (SGD with momentum/Nesterov, Adam, AdamW).</summary>
public static class OptimizerKernels
{
    /// <summary>Tensors with at least this many elements are updated on up to <see cref="KernelThreads.Count"/> threads.</summary>
    internal const int ParallelThreshold = 1 << 16;

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
    /// <remarks>Tensors of <see cref="ParallelThreshold"/> elements or more run on up to <see cref="KernelThreads.Count"/>
    /// threads; the result is bit-identical whatever the thread count.</remarks>
    public static unsafe void Sgd(Span<float> param, ReadOnlySpan<float> grad, Span<float> momentumBuffer, float lr, float momentum,
        float dampening, float weightDecay, bool nesterov, bool firstStep)
    {
        const string k = "OptimizerKernels.Sgd";
        Guard.Length(k, nameof(grad), param.Length, grad.Length);
        if (momentum != 0f) Guard.Length(k, nameof(momentumBuffer), param.Length, momentumBuffer.Length);
        var s = new SgdStep(lr, momentum, dampening, weightDecay, nesterov, firstStep);
        fixed (float* p = param, g = grad, b = momentumBuffer)
        {
            // Without momentum the buffer is never stored; it points at p so that its loads stay valid.
            var body = new SgdParts { P = p, G = g, B = momentum != 0f ? b : p, N = param.Length, Parts = PartCount(param.Length), S = s };
            if (body.Parts > 1) KernelThreads.For(body.Parts, body);
            else SgdRange(p, g, body.B, param.Length, s);
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
    /// <remarks>Tensors of <see cref="ParallelThreshold"/> elements or more run on up to <see cref="KernelThreads.Count"/>
    /// threads; the result is bit-identical whatever the thread count.</remarks>
    public static unsafe void Adam(Span<float> param, ReadOnlySpan<float> grad, Span<float> m, Span<float> v, float lr, float beta1, float beta2,
        float eps, float weightDecay, bool decoupled, int step)
    {
        const string k = "OptimizerKernels.Adam";
        Guard.Length(k, nameof(grad), param.Length, grad.Length);
        Guard.Length(k, nameof(m), param.Length, m.Length);
        Guard.Length(k, nameof(v), param.Length, v.Length);
        if (step < 1) throw new ArgumentException($"{k}: step is {step}, expected 1 or more (1-based).", nameof(step));
        var s = new AdamStep(lr, beta1, beta2, eps, weightDecay, decoupled, step);
        fixed (float* p = param, g = grad, pm = m, pv = v)
        {
            int parts = PartCount(param.Length);
            if (parts > 1) KernelThreads.For(parts, new AdamParts { P = p, G = g, M = pm, V = pv, N = param.Length, Parts = parts, S = s });
            else AdamRange(p, g, pm, pv, param.Length, s);
        }
    }

    /// <summary>Parallel parts for a tensor of n elements: 1 (run inline) below the threshold or on one thread.</summary>
    private static int PartCount(int n) => n < ParallelThreshold ? 1 : KernelThreads.Count;

    /// <summary>
    /// Where part <paramref name="index"/> of <paramref name="parts"/> starts: one contiguous run per thread, cut at
    /// multiples of 16 elements (whole vectors and cache lines). One run per thread rather than small chunks claimed in
    /// turn: each core streams long runs its prefetchers follow, and a weight gradient's row halves, which the GEMM's
    /// threads wrote (GemmBlocked splits a square product by rows), are read by the core that holds them (measured:
    /// the 784-1024-1024-10 training step at 2 threads ~2.5% faster than with 16 Ki-element chunks).
    /// </summary>
    private static int PartStart(int n, int parts, int index) =>
        index >= parts ? n : KernelThreads.PartStart(n, index, parts) & ~15;

    private unsafe struct SgdParts : IKernelLoopBody
    {
        public float* P, G, B;
        public int N, Parts;
        public SgdStep S;

        public readonly void Invoke(int index)
        {
            int start = PartStart(N, Parts, index), end = PartStart(N, Parts, index + 1);
            SgdRange(P + start, G + start, B + start, end - start, S);
        }
    }

    private unsafe struct AdamParts : IKernelLoopBody
    {
        public float* P, G, M, V;
        public int N, Parts;
        public AdamStep S;

        public readonly void Invoke(int index)
        {
            int start = PartStart(N, Parts, index), end = PartStart(N, Parts, index + 1);
            AdamRange(P + start, G + start, M + start, V + start, end - start, S);
        }
    }

    /// <summary>The SGD pass over [0, n); b may equal p when the step uses no buffer (then it is never stored).</summary>
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static unsafe void SgdRange(float* p, float* g, float* b, int length, SgdStep s)
    {
        nint n = length, i = 0;
        if (Vector512.IsHardwareAccelerated)
            for (; i + 16 <= n; i += 16)
            {
                var pv = Vector512.Load(p + i);
                var bv = Vector512.Load(b + i);
                s.Step(ref pv, Vector512.Load(g + i), ref bv);
                pv.Store(p + i);
                if (s.UsesBuffer) bv.Store(b + i);
            }
        if (Vector256.IsHardwareAccelerated)
            for (; i + 8 <= n; i += 8)
            {
                var pv = Vector256.Load(p + i);
                var bv = Vector256.Load(b + i);
                s.Step(ref pv, Vector256.Load(g + i), ref bv);
                pv.Store(p + i);
                if (s.UsesBuffer) bv.Store(b + i);
            }
        for (; i < n; i++)
        {
            float pv = p[i], bv = b[i];
            s.Step(ref pv, g[i], ref bv);
            p[i] = pv;
            if (s.UsesBuffer) b[i] = bv;
        }
    }

    /// <summary>The Adam pass over [0, n).</summary>
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static unsafe void AdamRange(float* p, float* g, float* pm, float* pv, int length, AdamStep s)
    {
        nint n = length, i = 0;
        if (Vector512.IsHardwareAccelerated)
            for (; i + 16 <= n; i += 16)
            {
                var a = Vector512.Load(p + i);
                var b = Vector512.Load(pm + i);
                var c = Vector512.Load(pv + i);
                s.Step(ref a, Vector512.Load(g + i), ref b, ref c);
                a.Store(p + i); b.Store(pm + i); c.Store(pv + i);
            }
        if (Vector256.IsHardwareAccelerated)
            for (; i + 8 <= n; i += 8)
            {
                var a = Vector256.Load(p + i);
                var b = Vector256.Load(pm + i);
                var c = Vector256.Load(pv + i);
                s.Step(ref a, Vector256.Load(g + i), ref b, ref c);
                a.Store(p + i); b.Store(pm + i); c.Store(pv + i);
            }
        for (; i < n; i++)
        {
            float a = p[i], b = pm[i], c = pv[i];
            s.Step(ref a, g[i], ref b, ref c);
            p[i] = a; pm[i] = b; pv[i] = c;
        }
    }
}
