using System.Globalization;
using System.Text.Json.Nodes;
using NeuralSharp.Kernels;

namespace NeuralSharp.Nn;

/// <summary>
/// An element-wise activation as a module. <see cref="Sequential"/> fuses one that directly follows a
/// <see cref="Linear"/> into the linear op (one pass over memory instead of two).
/// </summary>
public abstract class ActivationModule : Module
{
    /// <summary>Creates an activation module.</summary>
    protected ActivationModule(Activation kind, float alpha = 0.01f)
    {
        Kind = kind;
        Alpha = alpha;
    }

    /// <summary>Which function.</summary>
    public Activation Kind { get; }

    /// <summary>LeakyReLU's slope or Softplus's beta.</summary>
    public float Alpha { get; }

    /// <inheritdoc/>
    public override Tensor Forward(Tensor input) => Functional.Activate(input, Kind, Alpha);

    /// <inheritdoc/>
    public override JsonObject ToConfig()
    {
        var config = new JsonObject { ["type"] = GetType().Name };
        AddConfig(config);
        return config;
    }

    /// <summary>Adds settings beyond the type to the config.</summary>
    protected virtual void AddConfig(JsonObject config) { }

    /// <summary>Formats a float for repr strings.</summary>
    protected static string F(float v) => v.ToString("G", CultureInfo.InvariantCulture);
}
