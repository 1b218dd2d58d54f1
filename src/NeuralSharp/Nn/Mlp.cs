
namespace NeuralSharp.Nn;

/// <summary>Builds multi-layer perceptrons: [Flatten] → (Linear → activation [→ Dropout])* → Linear.</summary>
public static class Mlp
{
    /// <summary>Creates an MLP classifier or regressor as a <see cref="Sequential"/>.</summary>
    /// <param name="inputs">Input features.</param>
    /// <param name="hidden">Widths of the hidden layers, in order (may be empty: a linear model).</param>
    /// <param name="outputs">Output width (classes for a classifier).</param>
    /// <param name="activation">Hidden activation name (see <see cref="CreateActivation"/>).</param>
    /// <param name="dropout">Dropout after each hidden activation (0 for none).</param>
    /// <param name="random">Initialisation source; <see cref="RandomSource.Global"/> when null.</param>
    /// <exception cref="ArgumentException">When a width is not positive or the activation is unknown.</exception>
    public static Sequential Create(int inputs, IReadOnlyList<int> hidden, int outputs, string activation = "relu", float dropout = 0f, RandomSource? random = null)
    {
        if (!(dropout >= 0f && dropout < 1f)) throw new ArgumentOutOfRangeException(nameof(dropout), $"Mlp.Create: dropout must be in [0, 1), got {dropout}.");
        if (inputs <= 0) throw new ArgumentOutOfRangeException(nameof(inputs), $"Mlp.Create: inputs must be positive, got {inputs}.");
        if (outputs <= 0) throw new ArgumentOutOfRangeException(nameof(outputs), $"Mlp.Create: outputs must be positive, got {outputs}.");
        CreateActivation(activation); // validates the name even when there is no hidden layer
        random ??= RandomSource.Global;
        var model = new Sequential();
        int width = inputs;
        for (int i = 0; i < hidden.Count; i++)
        {
            if (hidden[i] <= 0) throw new ArgumentException($"Mlp.Create: hidden layer {i} has width {hidden[i]}; widths must be positive.");
            model.Add(new Linear(width, hidden[i], random: random));
            model.Add(CreateActivation(activation));
            if (dropout > 0f) model.Add(new Dropout(dropout, new RandomSource(((ulong)random.NextUInt32() << 32) | random.NextUInt32())));
            width = hidden[i];
        }
        model.Add(new Linear(width, outputs, random: random));
        return model;
    }

    /// <summary>The activation names <see cref="CreateActivation"/> accepts.</summary>
    public static IReadOnlyList<string> ActivationNames { get; } = ["relu", "leaky_relu", "sigmoid", "tanh", "gelu", "gelu_tanh", "silu", "softplus",
        "relu6", "elu", "selu", "celu", "mish", "hardsigmoid", "hardswish", "softsign", "logsigmoid"];

    /// <summary>An activation module by name (case-insensitive): relu, leaky_relu, sigmoid, tanh, gelu, gelu_tanh, silu (swish), softplus,
    /// relu6, elu, selu, celu, mish, hardsigmoid (hard_sigmoid), hardswish (hard_swish), softsign, logsigmoid (log_sigmoid),
    /// each with PyTorch's default settings.</summary>
    /// <exception cref="ArgumentException">For an unknown name.</exception>
    public static ActivationModule CreateActivation(string name) => name.ToLowerInvariant() switch
    {
        "relu" => new ReLU(),
        "leaky_relu" or "leakyrelu" => new LeakyReLU(),
        "sigmoid" => new Sigmoid(),
        "tanh" => new Tanh(),
        "gelu" => new GELU(),
        "gelu_tanh" => new GELU(tanhApproximation: true),
        "silu" or "swish" => new SiLU(),
        "softplus" => new Softplus(),
        "relu6" => new ReLU6(),
        "elu" => new ELU(),
        "selu" => new SELU(),
        "celu" => new CELU(),
        "mish" => new Mish(),
        "hardsigmoid" or "hard_sigmoid" => new Hardsigmoid(),
        "hardswish" or "hard_swish" => new Hardswish(),
        "softsign" => new Softsign(),
        "logsigmoid" or "log_sigmoid" => new LogSigmoid(),
        _ => throw new ArgumentException($"Unknown activation '{name}'; expected one of: {string.Join(", ", ActivationNames)}.", nameof(name)),
    };
}
