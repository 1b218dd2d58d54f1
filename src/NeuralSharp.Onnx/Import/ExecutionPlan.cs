using NeuralSharp.Onnx.Ops;

namespace NeuralSharp.Onnx.Import;

/// <summary>
/// A compiled graph: ops in topological order over numbered value slots. Constants sit in their slots from the
/// start; a run copies that table, feeds the inputs and drops each intermediate value after its last reader so
/// the garbage collector can reuse its memory during the run. Runs share nothing mutable, so one plan may run on
/// several threads at once.
/// </summary>
internal sealed class ExecutionPlan
{
    /// <summary>One op with the slots it reads and writes (-1 = omitted) and the slots it is the last reader of.</summary>
    internal sealed record Step(OnnxOp Op, string Description, int[] Inputs, int[] Outputs, int[] Release);

    private readonly Step[] _steps;
    private readonly OnnxTensor?[] _constants;
    private readonly int[] _inputSlots;
    private readonly int[] _outputSlots;

    public ExecutionPlan(Step[] steps, OnnxTensor?[] constants, int[] inputSlots, int[] outputSlots)
    {
        _steps = steps;
        _constants = constants;
        _inputSlots = inputSlots;
        _outputSlots = outputSlots;
    }

    /// <summary>The compiled steps (for inspection and tests).</summary>
    public IReadOnlyList<Step> Steps => _steps;

    /// <summary>Runs the graph on <paramref name="inputs"/> (in graph-input order, already checked) and returns the outputs in graph-output order.</summary>
    public OnnxTensor[] Run(OnnxTensor[] inputs)
    {
        var slots = (OnnxTensor?[])_constants.Clone();
        for (int i = 0; i < _inputSlots.Length; i++) slots[_inputSlots[i]] = inputs[i];
        foreach (var step in _steps)
        {
            var ins = new OnnxTensor?[step.Inputs.Length];
            for (int i = 0; i < ins.Length; i++) ins[i] = step.Inputs[i] >= 0 ? slots[step.Inputs[i]] : null;
            var outs = new OnnxTensor?[step.Outputs.Length];
            try
            {
                step.Op.Run(ins, outs);
            }
            catch (ArgumentException e)
            {
                throw new ArgumentException($"{step.Description}: {e.Message}", e);
            }
            for (int i = 0; i < outs.Length; i++)
                if (step.Outputs[i] >= 0)
                    slots[step.Outputs[i]] = outs[i] ?? throw new InvalidOperationException($"{step.Description}: output {i} was not computed");
            foreach (int slot in step.Release) Release(slots, slot);
        }
        var result = new OnnxTensor[_outputSlots.Length];
        for (int i = 0; i < result.Length; i++) result[i] = slots[_outputSlots[i]]!;
        return result;
    }

    /// <summary>
    /// Drops a value after its last reader and, when its array was rented and no live value shares it (a reshape
    /// view, an Identity output, a graph output), returns the array to the pool. Constants are never returned: their
    /// arrays serve every run.
    /// </summary>
    private void Release(OnnxTensor?[] slots, int slot)
    {
        var tensor = slots[slot];
        slots[slot] = null;
        if (tensor is not { Pooled: true } || _constants[slot] != null) return;
        foreach (var other in slots)
            if (other != null && ReferenceEquals(other.Data, tensor.Data)) return;
        tensor.ReturnToPool();
    }
}
