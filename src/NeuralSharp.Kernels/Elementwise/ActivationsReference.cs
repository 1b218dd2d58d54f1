namespace NeuralSharp.Kernels;

/// <summary>Activations and their derivatives in double, straight from the formulas; the tests compare against them.</summary>
internal static class ActivationsReference
{
    private const double SeluAlpha = 1.6732632423543772848170429916717, SeluScale = 1.0507009873554804934193349852946;

    private static double Softplus(double x) => Math.Max(x, 0) + Math.Log(1 + Math.Exp(-Math.Abs(x)));

    public static double Forward(Activation act, double x, double alpha = 0.01) => act switch
    {
        Activation.Identity => x,
        Activation.Relu => x < 0 ? 0 : x,
        Activation.LeakyRelu => x > 0 ? x : alpha * x,
        Activation.Sigmoid => 1 / (1 + Math.Exp(-x)),
        Activation.Tanh => Math.Tanh(x),
        Activation.GeluErf => 0.5 * x * (1 + FastMathReference.Erf(x / Math.Sqrt(2))),
        Activation.GeluTanh => 0.5 * x * (1 + Math.Tanh(Math.Sqrt(2 / Math.PI) * (x + 0.044715 * x * x * x))),
        Activation.Silu => x / (1 + Math.Exp(-x)),
        Activation.Softplus => x * alpha > 20 ? x : (Math.Max(x * alpha, 0) + Math.Log(1 + Math.Exp(-Math.Abs(x * alpha)))) / alpha,
        Activation.Relu6 => Math.Min(Math.Max(x, 0), 6),
        Activation.Elu => x > 0 ? x : alpha * (Math.Exp(x) - 1),
        Activation.Selu => SeluScale * (x > 0 ? x : SeluAlpha * (Math.Exp(x) - 1)),
        Activation.Celu => x > 0 ? x : alpha * (Math.Exp(x / alpha) - 1),
        Activation.Mish => x * Math.Tanh(Softplus(x)),
        Activation.HardSigmoid => Math.Min(Math.Max(x + 3, 0), 6) / 6,
        Activation.HardSwish => x * Math.Min(Math.Max(x + 3, 0), 6) / 6,
        Activation.Softsign => x / (1 + Math.Abs(x)),
        Activation.LogSigmoid => -Softplus(-x),
        _ => throw new ArgumentOutOfRangeException(nameof(act)),
    };

    public static double Derivative(Activation act, double x, double alpha = 0.01)
    {
        switch (act)
        {
            case Activation.Identity: return 1;
            case Activation.Relu: return x > 0 ? 1 : 0;
            case Activation.LeakyRelu: return x > 0 ? 1 : alpha;
            case Activation.Sigmoid: { double s = 1 / (1 + Math.Exp(-x)); return s * (1 - s); }
            case Activation.Tanh: { double t = Math.Tanh(x); return 1 - t * t; }
            case Activation.GeluErf:
                return 0.5 * (1 + FastMathReference.Erf(x / Math.Sqrt(2))) + x * Math.Exp(-0.5 * x * x) / Math.Sqrt(2 * Math.PI);
            case Activation.GeluTanh:
            {
                double k = Math.Sqrt(2 / Math.PI), c = 0.044715;
                double t = Math.Tanh(k * (x + c * x * x * x));
                return 0.5 * (1 + t) + 0.5 * x * (1 - t * t) * k * (1 + 3 * c * x * x);
            }
            case Activation.Silu: { double s = 1 / (1 + Math.Exp(-x)); return s * (1 + x * (1 - s)); }
            case Activation.Softplus: return x * alpha > 20 ? 1 : 1 / (1 + Math.Exp(-x * alpha));
            case Activation.Relu6: return x > 0 && x < 6 ? 1 : 0;
            case Activation.Elu: return x > 0 ? 1 : alpha * Math.Exp(x);
            case Activation.Selu: return SeluScale * (x > 0 ? 1 : SeluAlpha * Math.Exp(x));
            case Activation.Celu: return x > 0 ? 1 : Math.Exp(x / alpha);
            case Activation.Mish:
            {
                double t = Math.Tanh(Softplus(x)), s = 1 / (1 + Math.Exp(-x));
                return t + x * s * (1 - t * t);
            }
            case Activation.HardSigmoid: return x > -3 && x < 3 ? 1.0 / 6 : 0;
            case Activation.HardSwish: return x < -3 ? 0 : x <= 3 ? x / 3 + 0.5 : 1;
            case Activation.Softsign: return 1 / ((1 + Math.Abs(x)) * (1 + Math.Abs(x)));
            case Activation.LogSigmoid: return 1 / (1 + Math.Exp(x));
            default: throw new ArgumentOutOfRangeException(nameof(act));
        }
    }
}
