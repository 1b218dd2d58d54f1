using NeuralSharp.Onnx.Ops;
using NeuralSharp.Onnx.Protos;

namespace NeuralSharp.Onnx.Import;

/// <summary>
/// Turns a <c>ModelProto</c> into an <see cref="ExecutionPlan"/>: checks that every value is defined once and
/// that the graph is acyclic, sorts the nodes topologically, fuses linear layers with their activations,
/// creates each op (which checks attributes and types and infers output shapes), folds nodes whose inputs are
/// all constant, and works out when each intermediate value can be dropped.
/// </summary>
internal sealed class GraphCompiler
{
    /// <summary>The newest default-domain opset the operators are written for.</summary>
    public const int MaxOpset = 18;

    private readonly ModelProto _model;
    private readonly string _source;
    private readonly string? _baseDirectory;
    private readonly Dictionary<string, int> _opsets = new();
    private readonly Dictionary<string, int> _slots = new();
    private readonly List<ValueInfo> _infos = new();

    private readonly OnnxModelOptions _options;

    public GraphCompiler(ModelProto model, string source, string? baseDirectory, OnnxModelOptions? options = null)
    {
        _model = model;
        _source = source;
        _baseDirectory = baseDirectory;
        _options = options ?? OnnxModelOptions.Default;
    }

    /// <summary>The graph's declared inputs (without initializers) and outputs, after compilation.</summary>
    public List<OnnxValueInfo> Inputs { get; } = new();

    /// <summary>The graph's outputs with their declared (or, when undeclared, inferred) types.</summary>
    public List<OnnxValueInfo> Outputs { get; } = new();

    /// <summary>How many nodes of each operator the graph has (before fusion).</summary>
    public SortedDictionary<string, int> OperatorCounts { get; } = new(StringComparer.Ordinal);

    /// <summary>Elements in all initializers.</summary>
    public long ParameterCount { get; private set; }

    /// <summary>The default domain's opset version.</summary>
    public int Opset => _opsets.GetValueOrDefault(OperatorRegistry.DefaultDomain);

    public ExecutionPlan Compile()
    {
        var graph = _model.Graph ?? throw Fail("the model has no graph");
        ReadOpsets();
        var constants = new List<OnnxTensor?>();
        int NewSlot(string name, ValueInfo info, string what)
        {
            if (name.Length == 0) throw Fail($"{what} has an empty name");
            if (_slots.ContainsKey(name)) throw Fail($"value '{name}' is defined more than once ({what})");
            _slots[name] = _infos.Count;
            _infos.Add(info);
            constants.Add(info.Constant);
            return _infos.Count - 1;
        }

        if (graph.SparseInitializer.Count > 0)
            throw new OnnxUnsupportedException($"{_source}: sparse initializers are not supported");
        var initializerNames = new HashSet<string>(StringComparer.Ordinal);
        foreach (var init in graph.Initializer)
        {
            var tensor = TensorProtoConverter.ToTensor(init, $"{_source}: initializer", _baseDirectory);
            ParameterCount += tensor.Length;
            NewSlot(init.Name, ValueInfo.Of(tensor), "an initializer");
            initializerNames.Add(init.Name);
        }

        var inputSlots = new List<int>();
        foreach (var input in graph.Input)
        {
            // Before IR version 4, initializers were also listed as inputs; they stay constants here.
            if (initializerNames.Contains(input.Name)) continue;
            var declared = Declared(input, "graph input");
            Inputs.Add(declared);
            inputSlots.Add(NewSlot(input.Name, new ValueInfo(declared.ElementType, declared.Shape), "a graph input"));
        }

        var nodes = TopologicalOrder(graph);
        foreach (var node in nodes)
        {
            // NeuralSharp's own domain holds the ops fusion creates from checked patterns; a file may not use them directly.
            if (OperatorRegistry.NormalizeDomain(node.Domain) == OperatorRegistry.NeuralSharpDomain)
                throw new OnnxUnsupportedException($"{_source}: unsupported operator {node.OpType} ({node.Domain}, opset 1): {Describe(node)} uses NeuralSharp's internal domain");
            // Checked before fusion, which may replace every default-domain node (a file without an ai.onnx import once loaded).
            if (!_opsets.ContainsKey(OperatorRegistry.NormalizeDomain(node.Domain)))
                throw Fail($"{Describe(node)} uses domain '{node.Domain}', which the model does not import");
            OperatorCounts[node.OpType] = OperatorCounts.GetValueOrDefault(node.OpType) + 1;
        }
        var graphOutputNames = graph.Output.Select(o => o.Name).ToHashSet(StringComparer.Ordinal);
        nodes = Fusion.Apply(nodes, graphOutputNames, name => _slots.TryGetValue(name, out int s) ? _infos[s].Constant : null, Opset);

        var steps = new List<ExecutionPlan.Step>();
        foreach (var node in nodes)
        {
            var inputs = node.Input.Select(n => n.Length == 0 ? null : _infos[_slots[n]]).ToArray();
            string domain = OperatorRegistry.NormalizeDomain(node.Domain);
            if (!_opsets.TryGetValue(domain, out int opset))
                throw Fail($"{Describe(node)} uses domain '{node.Domain}', which the model does not import");
            var factory = OperatorRegistry.Default.Find(domain, node.OpType, opset)
                ?? throw new OnnxUnsupportedException(
                    $"unsupported operator {node.OpType} ({(domain.Length == 0 ? "ai.onnx" : domain)}, opset {opset})");
            OnnxOp op;
            try
            {
                op = factory(new OpContext(node, opset, inputs, _baseDirectory));
            }
            catch (OnnxFormatException e) when (!e.Message.StartsWith(_source, StringComparison.Ordinal))
            {
                throw new OnnxFormatException($"{_source}: {e.Message}", e);
            }
            catch (OnnxUnsupportedException e) when (!e.Message.StartsWith(_source, StringComparison.Ordinal))
            {
                throw new OnnxUnsupportedException($"{_source}: {e.Message}");
            }
            if (op.Outputs.Length < node.Output.Count)
                throw Fail($"{Describe(node)} lists {node.Output.Count} outputs, the operator has {op.Outputs.Length}");
            for (int i = 0; i < node.Output.Count; i++)
                CheckSize(node, i, op.Outputs[i].Shape);

            bool foldable = inputs.All(i => i == null || i.Constant != null);
            OnnxTensor?[]? folded = null;
            if (foldable)
            {
                folded = new OnnxTensor?[op.Outputs.Length];
                try
                {
                    op.Run(inputs.Select(i => i?.Constant).ToArray(), folded);
                }
                catch (ArgumentException e)
                {
                    throw new OnnxFormatException($"{_source}: {Describe(node)} fails on its constant inputs: {e.Message}", e);
                }
                // A folded value serves every run: its array must never go back to the pool.
                foreach (var value in folded) if (value != null) value.Pooled = false;
            }
            var outSlots = new int[node.Output.Count];
            for (int i = 0; i < outSlots.Length; i++)
            {
                string name = node.Output[i];
                if (name.Length == 0) { outSlots[i] = -1; continue; }
                ValueInfo info = op.Outputs[i];
                if (folded != null)
                {
                    var value = folded[i] ?? throw new InvalidOperationException($"{Describe(node)}: the operator did not compute output {i} while folding constants");
                    CheckSize(node, i, value.ShapeArray);
                    info = ValueInfo.Of(value);
                }
                outSlots[i] = NewSlot(name, info, $"output of {Describe(node)}");
            }
            if (!foldable)
                steps.Add(new ExecutionPlan.Step(op, $"{node.OpType} node '{(node.Name.Length > 0 ? node.Name : string.Join(",", node.Output))}'",
                    node.Input.Select(n => n.Length == 0 ? -1 : _slots[n]).ToArray(), outSlots, []));
        }

        var outputSlots = new List<int>();
        foreach (var output in graph.Output)
        {
            if (!_slots.TryGetValue(output.Name, out int slot))
                throw Fail($"graph output '{output.Name}' is not computed by any node");
            var declared = output.Type?.TensorType != null ? Declared(output, "graph output") : null;
            var inferred = _infos[slot];
            if (declared != null && declared.ElementType != inferred.Type)
                throw Fail($"graph output '{output.Name}' is declared {OnnxElementTypes.Name(declared.ElementType)}, the graph computes {OnnxElementTypes.Name(inferred.Type)}");
            Outputs.Add(declared ?? new OnnxValueInfo(output.Name, inferred.Type, inferred.Shape, null));
            outputSlots.Add(slot);
        }
        return new ExecutionPlan(WithReleases(steps, outputSlots), constants.ToArray(), inputSlots.ToArray(), outputSlots.ToArray());
    }

    /// <summary>A node for messages: <c>node 'fc1' (Gemm)</c>, by its outputs when it has no name.</summary>
    private static string Describe(NodeProto node) =>
        $"node '{(node.Name.Length > 0 ? node.Name : string.Join(",", node.Output))}' ({node.OpType})";

    /// <summary>Refuses an output whose known shape has more elements than <see cref="OnnxModelOptions.MaxTensorElements"/>.</summary>
    private void CheckSize(NodeProto node, int output, int[]? shape)
    {
        if (shape == null) return;
        long count = 1;
        foreach (int d in shape)
        {
            if (d == 0) return;
            if (d < 0) count = -1;
            else if (count > 0) count = count > long.MaxValue / d ? long.MaxValue : count * d;
        }
        if (count > _options.MaxTensorElements)
            throw Fail($"{Describe(node)} output {output} would have shape [{string.Join(", ", shape)}] ({count} elements), " +
                $"above the limit of {_options.MaxTensorElements} (OnnxModelOptions.MaxTensorElements)");
    }

    private void ReadOpsets()
    {
        foreach (var import in _model.OpsetImport)
            _opsets[OperatorRegistry.NormalizeDomain(import.Domain)] = checked((int)Math.Clamp(import.Version, 0, int.MaxValue));
        // Models before IR version 3 predate opset imports and mean opset 1; a model whose nodes are all in other
        // domains may import none (a node of the default domain then fails as using an unimported domain).
        if (!_opsets.ContainsKey(OperatorRegistry.DefaultDomain) && _model.IrVersion < 3)
            _opsets[OperatorRegistry.DefaultDomain] = 1;
        if (_opsets.TryGetValue(OperatorRegistry.DefaultDomain, out int opset) && (opset < 1 || opset > MaxOpset))
            throw new OnnxUnsupportedException($"{_source}: unsupported opset {opset} of the ai.onnx domain (supported: 1 to {MaxOpset})");
        _opsets[OperatorRegistry.NeuralSharpDomain] = 1;
    }

    private OnnxValueInfo Declared(ValueInfoProto value, string what)
    {
        if (value.Type == null || value.Type.ValueCase == TypeProto.ValueOneofCase.None)
            throw Fail($"{what} '{value.Name}' has no type");
        var tensorType = value.Type.TensorType
            ?? throw new OnnxUnsupportedException($"{_source}: {what} '{value.Name}' is not a tensor (sequences, maps, optionals and sparse tensors are not supported)");
        var type = TensorProtoConverter.ElementType(tensorType.ElemType, $"{_source}: {what} '{value.Name}'");
        if (tensorType.Shape == null) return new OnnxValueInfo(value.Name, type, null, null);
        var dims = tensorType.Shape.Dim;
        var shape = new int[dims.Count];
        var names = new string?[dims.Count];
        for (int i = 0; i < shape.Length; i++)
        {
            var d = dims[i];
            if (d.ValueCase == TensorShapeProto.Types.Dimension.ValueOneofCase.DimValue)
            {
                if (d.DimValue < 0 || d.DimValue > int.MaxValue)
                    throw Fail($"{what} '{value.Name}' has dimension {i} = {d.DimValue}");
                shape[i] = (int)d.DimValue;
            }
            else
            {
                shape[i] = -1;
                names[i] = d.DimParam.Length > 0 ? d.DimParam : null;
            }
        }
        return new OnnxValueInfo(value.Name, type, shape, names);
    }

    /// <summary>Kahn's algorithm over the nodes; reports undefined inputs and cycles by name.</summary>
    private List<NodeProto> TopologicalOrder(GraphProto graph)
    {
        var producer = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int n = 0; n < graph.Node.Count; n++)
            foreach (var output in graph.Node[n].Output)
            {
                if (output.Length == 0) continue;
                if (_slots.ContainsKey(output) || !producer.TryAdd(output, n))
                    throw Fail($"value '{output}' is defined more than once (output of {Describe(graph.Node[n])})");
            }
        var pending = new int[graph.Node.Count];
        var readers = new List<int>[graph.Node.Count];
        for (int n = 0; n < graph.Node.Count; n++)
        {
            readers[n] = new List<int>();
            foreach (var input in graph.Node[n].Input)
            {
                if (input.Length == 0 || _slots.ContainsKey(input)) continue;
                if (!producer.TryGetValue(input, out int p))
                    throw Fail($"{Describe(graph.Node[n])} reads '{input}', which no node, initializer or graph input defines");
                pending[n]++;
            }
        }
        for (int n = 0; n < graph.Node.Count; n++)
            foreach (var input in graph.Node[n].Input)
                if (input.Length > 0 && producer.TryGetValue(input, out int p)) readers[p].Add(n);

        var order = new List<NodeProto>(graph.Node.Count);
        var ready = new Queue<int>(Enumerable.Range(0, graph.Node.Count).Where(n => pending[n] == 0));
        while (ready.Count > 0)
        {
            int n = ready.Dequeue();
            order.Add(graph.Node[n]);
            foreach (int r in readers[n])
                if (--pending[r] == 0) ready.Enqueue(r);
        }
        if (order.Count != graph.Node.Count)
        {
            int stuck = Enumerable.Range(0, graph.Node.Count).First(n => pending[n] > 0);
            throw Fail($"the graph has a cycle through {Describe(graph.Node[stuck])}");
        }
        return order;
    }

    /// <summary>Marks, for each step, the slots whose last reader it is (graph outputs are kept to the end).</summary>
    private static ExecutionPlan.Step[] WithReleases(List<ExecutionPlan.Step> steps, List<int> outputSlots)
    {
        var lastUse = new Dictionary<int, int>();
        for (int s = 0; s < steps.Count; s++)
        {
            foreach (int slot in steps[s].Inputs) if (slot >= 0) lastUse[slot] = s;
            foreach (int slot in steps[s].Outputs) if (slot >= 0) lastUse.TryAdd(slot, s);
        }
        var keep = outputSlots.ToHashSet();
        var releases = steps.Select(_ => new List<int>()).ToArray();
        foreach (var (slot, step) in lastUse)
            if (!keep.Contains(slot)) releases[step].Add(slot);
        return steps.Select((st, s) => st with { Release = releases[s].ToArray() }).ToArray();
    }

    private OnnxFormatException Fail(string message) => new($"{_source}: {message}");
}
