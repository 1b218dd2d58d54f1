using System.Text.Json.Nodes;

namespace NeuralSharp.Nn;

/// <summary>
/// Runs modules one after another; children are named "0", "1", ... as in PyTorch, so state-dict keys
/// read <c>0.weight</c>. A <see cref="Linear"/> directly followed by an <see cref="ActivationModule"/> runs
/// as one fused op; the result is the same as running them apart.
/// </summary>
public sealed class Sequential : Module
{
    private readonly List<Module> _layers = [];

    /// <summary>Creates the container from layers in order.</summary>
    public Sequential(params Module[] layers)
    {
        foreach (var layer in layers) Add(layer);
    }

    /// <summary>Appends a layer.</summary>
    public Sequential Add(Module layer)
    {
        RegisterModule(_layers.Count.ToString(System.Globalization.CultureInfo.InvariantCulture), layer);
        _layers.Add(layer);
        return this;
    }

    /// <summary>The number of layers.</summary>
    public int Count => _layers.Count;

    /// <summary>The layer at <paramref name="index"/>.</summary>
    public Module this[int index] => _layers[index];

    /// <summary>The layers in order.</summary>
    public IReadOnlyList<Module> Layers => _layers;

    /// <inheritdoc/>
    public override Tensor Forward(Tensor input)
    {
        var x = input;
        for (int i = 0; i < _layers.Count; i++)
        {
            if (_layers[i] is Linear linear && i + 1 < _layers.Count && _layers[i + 1] is ActivationModule act)
            {
                x = linear.Forward(x, act.Kind, act.Alpha);
                i++;
            }
            else x = _layers[i].Forward(x);
        }
        return x;
    }

    /// <inheritdoc/>
    public override JsonObject ToConfig()
    {
        var layers = new JsonArray();
        foreach (var layer in _layers) layers.Add((JsonNode)layer.ToConfig());
        return new JsonObject { ["type"] = "Sequential", ["layers"] = layers };
    }
}
