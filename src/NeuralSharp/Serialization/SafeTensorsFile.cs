using System.Collections.ObjectModel;
using System.Diagnostics.CodeAnalysis;

namespace NeuralSharp.Serialization;

/// <summary>
/// The tensors and metadata of a loaded safetensors file, held in memory as float32 tensors
/// (other dtypes were converted on load; <see cref="DType"/> tells the stored type). The tensors belong
/// to no <see cref="TensorScope"/>: they live until <see cref="Dispose"/> or the GC. The indexer and
/// <see cref="ToDictionary"/> hand out these same tensor instances, not copies.
/// </summary>
public sealed class SafeTensorsFile : IDisposable
{
    private readonly Dictionary<string, (Tensor Tensor, SafeTensorsDType DType)> _tensors;
    private readonly ReadOnlyCollection<string> _names;

    internal SafeTensorsFile(string? source, Dictionary<string, string> metadata, List<string> names,
        Dictionary<string, (Tensor Tensor, SafeTensorsDType DType)> tensors)
    {
        Source = source;
        Metadata = new ReadOnlyDictionary<string, string>(metadata);
        _names = names.AsReadOnly();
        _tensors = tensors;
    }

    /// <summary>The path or stream name it was loaded from (used in error messages).</summary>
    public string? Source { get; }

    /// <summary>The "__metadata__" string pairs; empty when the file has none.</summary>
    public IReadOnlyDictionary<string, string> Metadata { get; }

    /// <summary>Tensor names in the order they appear in the file's header.</summary>
    public IReadOnlyList<string> Names => _names;

    /// <summary>The number of tensors.</summary>
    public int Count => _names.Count;

    /// <summary>Whether the file holds a tensor called <paramref name="name"/>.</summary>
    public bool Contains(string name) => _tensors.ContainsKey(name);

    /// <summary>The tensor called <paramref name="name"/> (float32, the stored shape; shared, not a copy).</summary>
    /// <exception cref="KeyNotFoundException">When there is no such tensor.</exception>
    public Tensor this[string name] => Get(name).Tensor;

    /// <summary>Looks up the tensor called <paramref name="name"/>; false when there is none.</summary>
    public bool TryGet(string name, [MaybeNullWhen(false)] out Tensor tensor)
    {
        bool found = _tensors.TryGetValue(name, out var entry);
        tensor = entry.Tensor;
        return found;
    }

    /// <summary>The element type the tensor is stored as in the file (before conversion to float32).</summary>
    /// <exception cref="KeyNotFoundException">When there is no such tensor.</exception>
    public SafeTensorsDType DType(string name) => Get(name).DType;

    /// <summary>A copy of the tensor's dimensions (empty for a scalar).</summary>
    /// <exception cref="KeyNotFoundException">When there is no such tensor.</exception>
    public int[] Shape(string name) => Get(name).Tensor.ShapeArray;

    /// <summary>A new dictionary from name to tensor, in header order; the tensors are shared, not copied.</summary>
    public IReadOnlyDictionary<string, Tensor> ToDictionary()
    {
        var result = new Dictionary<string, Tensor>(_names.Count, StringComparer.Ordinal);
        foreach (string name in _names) result.Add(name, _tensors[name].Tensor);
        return result;
    }

    /// <summary>Disposes every tensor (their buffers go back to <see cref="TensorPool"/>). Do not call it
    /// while you still use tensors obtained from this file; copy them (<see cref="Tensor.CopyFrom"/>) first.</summary>
    public void Dispose()
    {
        foreach (var (tensor, _) in _tensors.Values) tensor.Dispose();
    }

    private (Tensor Tensor, SafeTensorsDType DType) Get(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (_tensors.TryGetValue(name, out var entry)) return entry;
        string known = string.Join(", ", _names.Take(10).Select(n => $"'{n}'")) + (_names.Count > 10 ? ", ..." : "");
        throw new KeyNotFoundException($"SafeTensorsFile: no tensor named '{name}' in {Source ?? "(stream)"}; it holds {_names.Count} tensors: {known}.");
    }
}
