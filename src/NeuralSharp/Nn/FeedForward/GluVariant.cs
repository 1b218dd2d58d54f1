using NeuralSharp.Kernels;

namespace NeuralSharp.Nn;

/// <summary>The gating activation of a <see cref="GatedFeedForward"/> (Shazeer 2020, "GLU Variants Improve Transformer").</summary>
public enum GluVariant
{
    /// <summary>GLU: sigmoid gate.</summary>
    GLU,

    /// <summary>ReGLU: ReLU gate.</summary>
    ReGLU,

    /// <summary>GeGLU: GELU gate (exact erf form).</summary>
    GeGLU,

    /// <summary>SwiGLU: SiLU (swish, β = 1) gate.</summary>
    SwiGLU,
}

/// <summary>Maps a variant to its activation and config name.</summary>
internal static class GluVariantExtensions
{
    public static Activation Activation(this GluVariant v) => v switch
    {
        GluVariant.GLU => Kernels.Activation.Sigmoid,
        GluVariant.ReGLU => Kernels.Activation.Relu,
        GluVariant.GeGLU => Kernels.Activation.GeluErf,
        GluVariant.SwiGLU => Kernels.Activation.Silu,
        _ => throw new ArgumentOutOfRangeException(nameof(v), $"Unknown GluVariant {v}."),
    };

    public static GluVariant Parse(string name) => name switch
    {
        "GLU" => GluVariant.GLU,
        "ReGLU" => GluVariant.ReGLU,
        "GeGLU" => GluVariant.GeGLU,
        "SwiGLU" => GluVariant.SwiGLU,
        _ => throw new FormatException($"Model config: variant must be one of GLU, ReGLU, GeGLU, SwiGLU; got '{name}'."),
    };
}
