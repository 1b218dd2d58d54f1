using System.Globalization;
using System.Text.Json.Nodes;

namespace NeuralSharp.Nn;

/// <summary>
/// A list of sub-modules named "0", "1", ... (PyTorch's <c>nn.ModuleList</c>), so that keys read
/// <c>experts.0.w1.weight</c>. Not a layer on its own: its owner calls the entries.
/// </summary>
internal sealed class ExpertList : Module
{
    private readonly List<Module> _items = [];

    public ExpertList(IEnumerable<Module> items)
    {
        foreach (var item in items)
        {
            RegisterModule(_items.Count.ToString(CultureInfo.InvariantCulture), item);
            _items.Add(item);
        }
    }

    public int Count => _items.Count;

    public Module this[int index] => _items[index];

    public override Tensor Forward(Tensor input) => throw new InvalidOperationException("ExpertList is a container; its owner runs the entries.");

    public override JsonObject ToConfig() => throw new InvalidOperationException("ExpertList is saved by its owner.");
}
