namespace NeuralSharp.Kernels;

// Legend: n = the common length of all spans.

/// <summary>
/// Element-wise activation functions and their gradients (SIMD: Vector512, Vector256, scalar tail; exp, tanh
/// and erf by <see cref="FastMath"/>). See <see cref="Activation"/> for the formulas.
/// </summary>
public static class Activations
{
    /// <summary>y[i] = f(x[i]).</summary>
    /// <param name="act">The activation f.</param>
    /// <param name="x">Inputs [n].</param>
    /// <param name="y">Outputs [n]; may alias <paramref name="x"/>.</param>
    /// <param name="alpha">LeakyRelu's negative slope, Softplus's beta, or ELU's and CELU's alpha; ignored by the others.</param>
    /// <exception cref="ArgumentException">Lengths differ, <paramref name="act"/> is unknown, or Softplus or Celu with alpha = 0 or NaN.</exception>
    public static void Forward(Activation act, ReadOnlySpan<float> x, Span<float> y, float alpha = 0.01f)
    {
        Guard.Length(nameof(Forward), nameof(x), y.Length, x.Length);
        switch (act)
        {
            case Activation.Identity: x.CopyTo(y); break;
            case Activation.Relu: SimdLoop.Unary(new ReluOp(), x, y); break;
            case Activation.LeakyRelu: SimdLoop.Unary(new LeakyReluOp(alpha), x, y); break;
            case Activation.Sigmoid: SimdLoop.Unary(new SigmoidOp(), x, y); break;
            case Activation.Tanh: SimdLoop.Unary(new TanhOp(), x, y); break;
            case Activation.GeluErf: SimdLoop.Unary(new GeluErfOp(), x, y); break;
            case Activation.GeluTanh: SimdLoop.Unary(new GeluTanhOp(), x, y); break;
            case Activation.Silu: SimdLoop.Unary(new SiluOp(), x, y); break;
            case Activation.Softplus: CheckBeta(nameof(Forward), alpha); SimdLoop.Unary(new SoftplusOp(alpha), x, y); break;
            case Activation.Relu6: SimdLoop.Unary(new Relu6Op(), x, y); break;
            case Activation.Elu: SimdLoop.Unary(new EluOp(alpha, 1f, 1f), x, y); break;
            case Activation.Selu: SimdLoop.Unary(SeluForward, x, y); break;
            case Activation.Celu: CheckCeluAlpha(nameof(Forward), alpha); SimdLoop.Unary(new EluOp(alpha, 1f, 1f / alpha), x, y); break;
            case Activation.Mish: SimdLoop.Unary(new MishOp(), x, y); break;
            case Activation.HardSigmoid: SimdLoop.Unary(new HardSigmoidOp(), x, y); break;
            case Activation.HardSwish: SimdLoop.Unary(new HardSwishOp(), x, y); break;
            case Activation.Softsign: SimdLoop.Unary(new SoftsignOp(), x, y); break;
            case Activation.LogSigmoid: SimdLoop.Unary(new LogSigmoidOp(), x, y); break;
            default: throw UnknownActivation(nameof(Forward), act);
        }
    }

    /// <summary>
    /// Accumulates dx[i] += dy[i] * f'(x[i]). Sigmoid and Tanh use the forward output y (f' = y(1-y), 1-y^2);
    /// the others use x (Relu and LeakyRelu take f'(0) = 0 resp. alpha, like PyTorch).
    /// </summary>
    /// <param name="act">The activation f.</param>
    /// <param name="x">Forward inputs [n].</param>
    /// <param name="y">Forward outputs [n] (read by Sigmoid and Tanh only, but its length is checked always).</param>
    /// <param name="dy">Upstream gradient [n].</param>
    /// <param name="dx">Input gradient [n], accumulated.</param>
    /// <param name="alpha">LeakyRelu's negative slope, Softplus's beta, or ELU's and CELU's alpha; ignored by the others.</param>
    /// <exception cref="ArgumentException">Lengths differ, <paramref name="act"/> is unknown, or Softplus or Celu with alpha = 0 or NaN.</exception>
    public static void Backward(Activation act, ReadOnlySpan<float> x, ReadOnlySpan<float> y, ReadOnlySpan<float> dy, Span<float> dx, float alpha = 0.01f)
    {
        Guard.Length(nameof(Backward), nameof(x), dx.Length, x.Length);
        Guard.Length(nameof(Backward), nameof(y), dx.Length, y.Length);
        Guard.Length(nameof(Backward), nameof(dy), dx.Length, dy.Length);
        switch (act)
        {
            case Activation.Identity: SimdLoop.Binary(new AddOp(), dx, dy, dx); break;
            case Activation.Relu: SimdLoop.Quaternary(new ReluBackwardOp(), x, y, dy, dx, dx); break;
            case Activation.LeakyRelu: SimdLoop.Quaternary(new LeakyReluBackwardOp(alpha), x, y, dy, dx, dx); break;
            case Activation.Sigmoid: SimdLoop.Quaternary(new SigmoidBackwardOp(), x, y, dy, dx, dx); break;
            case Activation.Tanh: SimdLoop.Quaternary(new TanhBackwardOp(), x, y, dy, dx, dx); break;
            case Activation.GeluErf: SimdLoop.Quaternary(new GeluErfBackwardOp(), x, y, dy, dx, dx); break;
            case Activation.GeluTanh: SimdLoop.Quaternary(new GeluTanhBackwardOp(), x, y, dy, dx, dx); break;
            case Activation.Silu: SimdLoop.Quaternary(new SiluBackwardOp(), x, y, dy, dx, dx); break;
            case Activation.Softplus: CheckBeta(nameof(Backward), alpha); SimdLoop.Quaternary(new SoftplusBackwardOp(alpha), x, y, dy, dx, dx); break;
            case Activation.Relu6: SimdLoop.Quaternary(new Relu6BackwardOp(), x, y, dy, dx, dx); break;
            case Activation.Elu: SimdLoop.Quaternary(new EluBackwardOp(alpha, 1f, 1f), x, y, dy, dx, dx); break;
            case Activation.Selu: SimdLoop.Quaternary(SeluBackward, x, y, dy, dx, dx); break;
            case Activation.Celu: CheckCeluAlpha(nameof(Backward), alpha); SimdLoop.Quaternary(new EluBackwardOp(alpha, 1f, 1f / alpha), x, y, dy, dx, dx); break;
            case Activation.Mish: SimdLoop.Quaternary(new MishBackwardOp(), x, y, dy, dx, dx); break;
            case Activation.HardSigmoid: SimdLoop.Quaternary(new HardSigmoidBackwardOp(), x, y, dy, dx, dx); break;
            case Activation.HardSwish: SimdLoop.Quaternary(new HardSwishBackwardOp(), x, y, dy, dx, dx); break;
            case Activation.Softsign: SimdLoop.Quaternary(new SoftsignBackwardOp(), x, y, dy, dx, dx); break;
            case Activation.LogSigmoid: SimdLoop.Quaternary(new LogSigmoidBackwardOp(), x, y, dy, dx, dx); break;
            default: throw UnknownActivation(nameof(Backward), act);
        }
    }

    /// <summary>The last defined <see cref="Activation"/> (kinds are numbered 0..Last).</summary>
    internal const Activation Last = Activation.LogSigmoid;

    /// <summary>SELU as the ELU family's op: negCoef = scale * alpha, scale, input scale 1 (PyTorch's constants).</summary>
    internal static EluOp SeluForward => new(ActivationMath.SeluScale * ActivationMath.SeluAlpha, ActivationMath.SeluScale, 1f);

    /// <summary>SELU's backward op.</summary>
    internal static EluBackwardOp SeluBackward => new(ActivationMath.SeluScale * ActivationMath.SeluAlpha, ActivationMath.SeluScale, 1f);

    /// <summary>
    /// Throws what Forward/Backward would for an unknown kind or a bad alpha (Softplus beta or CELU alpha zero or NaN),
    /// for the fused kernels that dispatch on <see cref="Activation"/> themselves.
    /// </summary>
    internal static void Validate(string kernel, Activation act, float alpha)
    {
        if ((uint)act > (uint)Last)
            throw new ArgumentException($"{kernel}: unknown Activation {(int)act}.", nameof(act));
        if (act == Activation.Softplus && (alpha == 0f || float.IsNaN(alpha)))
            throw new ArgumentException($"{kernel}: Softplus beta (alpha) is {alpha}, expected a non-zero number.", nameof(alpha));
        if (act == Activation.Celu && (alpha == 0f || float.IsNaN(alpha)))
            throw new ArgumentException($"{kernel}: Celu alpha is {alpha}, expected a non-zero number.", nameof(alpha));
    }

    private static void CheckCeluAlpha(string kernel, float alpha)
    {
        if (alpha == 0f || float.IsNaN(alpha))
            throw new ArgumentException($"Activations.{kernel}: Celu alpha is {alpha}, expected a non-zero number.", "alpha");
    }

    private static void CheckBeta(string kernel, float beta)
    {
        if (beta == 0f || float.IsNaN(beta))
            throw new ArgumentException($"Activations.{kernel}: Softplus beta (alpha) is {beta}, expected a non-zero number.", "alpha");
    }

    private static ArgumentException UnknownActivation(string kernel, Activation act) =>
        new($"Activations.{kernel}: unknown Activation {(int)act}.", nameof(act));
}
