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
}
