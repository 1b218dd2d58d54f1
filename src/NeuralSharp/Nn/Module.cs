using System.Text;
using System.Text.Json.Nodes;

namespace NeuralSharp.Nn;

/// <summary>
/// Base class of layers and models (PyTorch's <c>nn.Module</c>). Parameters, buffers and child modules
/// are registered explicitly by name — no reflection, so trimming and NativeAOT stay safe — and their
/// dotted paths (<c>layers.0.weight</c>) are the state-dict keys PyTorch uses.
/// </summary>
public abstract class Module
{
    private readonly List<KeyValuePair<string, Tensor>> _parameters = [];
    private readonly List<KeyValuePair<string, Tensor>> _buffers = [];
    private readonly List<KeyValuePair<string, Module>> _children = [];

    /// <summary>True in training mode (dropout active, batch statistics), false in evaluation mode.</summary>
    public bool Training { get; private set; } = true;

    /// <summary>Computes the module's output.</summary>
    public abstract Tensor Forward(Tensor input);

    /// <summary>Registers a trainable parameter: marks it as requiring gradients and takes it out of any <see cref="TensorScope"/>.</summary>
    /// <exception cref="ArgumentException">When the name is empty, contains a dot, or is already used.</exception>
    protected Tensor RegisterParameter(string name, Tensor value)
    {
        CheckName(name);
        value.ExcludeFromScope();
        value.RequiresGrad = true;
        _parameters.Add(new(name, value));
        return value;
    }

    /// <summary>Registers a non-trainable state tensor saved in the state dict (e.g. running statistics).</summary>
    protected Tensor RegisterBuffer(string name, Tensor value)
    {
        CheckName(name);
        value.ExcludeFromScope();
        _buffers.Add(new(name, value));
        return value;
    }

    /// <summary>Registers a child module under <paramref name="name"/> and returns it.</summary>
    protected T RegisterModule<T>(string name, T module) where T : Module
    {
        CheckName(name);
        _children.Add(new(name, module));
        return module;
    }

    private void CheckName(string name)
    {
        if (string.IsNullOrEmpty(name) || name.Contains('.'))
            throw new ArgumentException($"{GetType().Name}: invalid registration name '{name}' (non-empty, no dots).");
        if (_parameters.Exists(p => p.Key == name) || _buffers.Exists(p => p.Key == name) || _children.Exists(p => p.Key == name))
            throw new ArgumentException($"{GetType().Name}: the name '{name}' is already registered.");
    }

    /// <summary>The direct children, in registration order.</summary>
    public IEnumerable<KeyValuePair<string, Module>> NamedChildren() => _children;

    /// <summary>This module and all its descendants, depth-first in registration order (PyTorch's modules()).</summary>
    public IEnumerable<Module> Modules()
    {
        yield return this;
        foreach (var c in _children)
            foreach (var m in c.Value.Modules())
                yield return m;
    }

    /// <summary>Every parameter of this module and its descendants with its dotted path.</summary>
    public IEnumerable<KeyValuePair<string, Tensor>> NamedParameters(string prefix = "")
    {
        foreach (var p in _parameters) yield return new(prefix + p.Key, p.Value);
        foreach (var c in _children)
            foreach (var p in c.Value.NamedParameters(prefix + c.Key + "."))
                yield return p;
    }

    /// <summary>Every buffer of this module and its descendants with its dotted path.</summary>
    public IEnumerable<KeyValuePair<string, Tensor>> NamedBuffers(string prefix = "")
    {
        foreach (var b in _buffers) yield return new(prefix + b.Key, b.Value);
        foreach (var c in _children)
            foreach (var b in c.Value.NamedBuffers(prefix + c.Key + "."))
                yield return b;
    }

    /// <summary>Every parameter, in state-dict order.</summary>
    public IEnumerable<Tensor> Parameters() => NamedParameters().Select(p => p.Value);

    /// <summary>The total number of trainable scalars.</summary>
    public long ParameterCount() => Parameters().Sum(p => (long)p.Size);

    /// <summary>Parameters and buffers by dotted path (the tensors themselves, not copies).</summary>
    public Dictionary<string, Tensor> StateDict()
    {
        var state = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        foreach (var p in NamedParameters()) state[p.Key] = p.Value;
        foreach (var b in NamedBuffers()) state[b.Key] = b.Value;
        return state;
    }

    /// <summary>
    /// Copies values from <paramref name="state"/> into this module's parameters and buffers.
    /// With <paramref name="strict"/>, missing and unexpected keys are errors.
    /// </summary>
    /// <exception cref="ArgumentException">On a shape mismatch (naming the key and both shapes) or, when strict, missing/unexpected keys.</exception>
    public void LoadStateDict(IReadOnlyDictionary<string, Tensor> state, bool strict = true)
    {
        var own = StateDict();
        if (strict)
        {
            var missing = own.Keys.Where(k => !state.ContainsKey(k)).ToList();
            var unexpected = state.Keys.Where(k => !own.ContainsKey(k)).ToList();
            if (missing.Count > 0 || unexpected.Count > 0)
                throw new ArgumentException($"LoadStateDict: missing keys [{string.Join(", ", missing)}], unexpected keys [{string.Join(", ", unexpected)}].");
        }
        foreach (var (key, target) in own)
        {
            if (!state.TryGetValue(key, out var source)) continue;
            if (!source.Shape.SequenceEqual(target.Shape))
                throw new ArgumentException($"LoadStateDict: '{key}' has shape {ShapeUtil.Format(source.Shape)} in the state dict but {ShapeUtil.Format(target.Shape)} in the model.");
            source.Data.CopyTo(target.Data);
        }
        foreach (var module in Modules()) module.OnStateLoaded();
    }

    /// <summary>
    /// Called on this module and every descendant after <see cref="LoadStateDict"/> has written new values, so that a
    /// module holding something derived from its parameters (a packed weight) can drop it.
    /// </summary>
    protected virtual void OnStateLoaded() { }

    /// <summary>Sets training mode on this module and all descendants.</summary>
    public Module Train(bool mode = true)
    {
        Training = mode;
        foreach (var c in _children) c.Value.Train(mode);
        return this;
    }

    /// <summary>Sets evaluation mode (same as <c>Train(false)</c>).</summary>
    public Module Eval() => Train(false);

    /// <summary>Clears the gradients of every parameter: sets them to null (<see cref="Tensor.ZeroGrad"/>).</summary>
    public void ZeroGrad()
    {
        foreach (var p in Parameters()) p.ZeroGrad();
    }

    /// <summary>
    /// The module's architecture as JSON (<c>{"type": "Linear", ...}</c>) so that a saved model can be
    /// rebuilt with <see cref="ModuleRegistry.Create"/> without being told its shape.
    /// </summary>
    public abstract JsonObject ToConfig();

    /// <summary>One line describing this module's own settings (PyTorch's extra_repr).</summary>
    protected virtual string ExtraRepr() => "";

    /// <summary>A PyTorch-style tree of the module and its children.</summary>
    public override string ToString()
    {
        var sb = new StringBuilder();
        Write(sb, 0);
        return sb.ToString();
    }

    private void Write(StringBuilder sb, int indent)
    {
        sb.Append(GetType().Name).Append('(').Append(ExtraRepr());
        if (_children.Count > 0)
        {
            sb.AppendLine();
            foreach (var (name, child) in _children)
            {
                sb.Append(' ', indent + 2).Append('(').Append(name).Append("): ");
                child.Write(sb, indent + 2);
                sb.AppendLine();
            }
            sb.Append(' ', indent);
        }
        sb.Append(')');
    }
}
