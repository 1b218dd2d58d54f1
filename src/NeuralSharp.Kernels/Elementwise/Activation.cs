namespace NeuralSharp.Kernels;

/// <summary>An element-wise activation function, computed by <see cref="Activations"/>.</summary>
public enum Activation
{
    /// <summary>f(x) = x.</summary>
    Identity,
    /// <summary>f(x) = max(x, 0) (NaN propagates).</summary>
    Relu,
    /// <summary>f(x) = x for x &gt; 0, alpha * x otherwise.</summary>
    LeakyRelu,
    /// <summary>f(x) = 1 / (1 + e^-x).</summary>
    Sigmoid,
    /// <summary>f(x) = tanh x.</summary>
    Tanh,
    /// <summary>GELU, exact form: f(x) = x/2 * (1 + erf(x / sqrt 2)).</summary>
    GeluErf,
    /// <summary>GELU, tanh approximation: f(x) = x/2 * (1 + tanh(sqrt(2/pi) * (x + 0.044715 x^3))).</summary>
    GeluTanh,
    /// <summary>SiLU (swish): f(x) = x * sigmoid(x).</summary>
    Silu,
    /// <summary>f(x) = ln(1 + e^(beta x)) / beta, linear (x) where beta x &gt; 20, like PyTorch; beta = alpha.</summary>
    Softplus,
    /// <summary>f(x) = min(max(x, 0), 6) (PyTorch's ReLU6, i.e. Hardtanh(0, 6)); f' = 1 on (0, 6), else 0.</summary>
    Relu6,
    /// <summary>f(x) = x for x &gt; 0, alpha (e^x - 1) otherwise; alpha = the kernels' alpha (PyTorch default 1).</summary>
    Elu,
    /// <summary>f(x) = scale * (x for x &gt; 0, alpha (e^x - 1) otherwise), alpha = 1.6732632, scale = 1.0507010 (fixed).</summary>
    Selu,
    /// <summary>f(x) = x for x &gt; 0, alpha (e^(x/alpha) - 1) otherwise; alpha = the kernels' alpha, non-zero.</summary>
    Celu,
    /// <summary>f(x) = x * tanh(softplus(x)), softplus(x) = ln(1 + e^x).</summary>
    Mish,
    /// <summary>f(x) = min(max(x + 3, 0), 6) / 6; f' = 1/6 on (-3, 3), else 0.</summary>
    HardSigmoid,
    /// <summary>f(x) = x * min(max(x + 3, 0), 6) / 6; f' = 0 below -3, x/3 + 1/2 on [-3, 3], 1 above.</summary>
    HardSwish,
    /// <summary>f(x) = x / (1 + |x|).</summary>
    Softsign,
    /// <summary>f(x) = ln sigmoid(x) = -softplus(-x) = min(x, 0) - ln(1 + e^-|x|) (stable for both signs).</summary>
    LogSigmoid,
}
