using System.Diagnostics.CodeAnalysis;
using Google.Protobuf;
using NeuralSharp.Kernels;
using NeuralSharp.Onnx.Ops;
using NeuralSharp.Onnx.Protos;

namespace NeuralSharp.Onnx.Import;

/// <summary>
/// Rewrites node patterns that exporters emit into NeuralSharp's fused ops: PyTorch's exact-GELU subgraph
/// (x * 0.5 * (1 + erf(x / sqrt 2))) becomes one Gelu node, and a Gemm or MatMul + Add with a constant weight,
/// followed by an activation, becomes one FusedLinear node (product, bias and activation in one GEMM epilogue).
/// A pattern is fused only when its intermediate values have no other reader and are not graph outputs, so the
/// graph computes the same values.
/// </summary>
internal static partial class Fusion
{
    public static List<NodeProto> Apply(List<NodeProto> nodes, HashSet<string> graphOutputs, Func<string, OnnxTensor?> constantOf, int opset = 17)
    {
        // Exporters write scalars such as GELU's sqrt 2 as Constant nodes rather than initializers.
        var constantNodes = new Dictionary<string, OnnxTensor>(StringComparer.Ordinal);
        foreach (var node in nodes)
            if (node is { OpType: "Constant", Output.Count: 1 } && IsDefault(node) && node.Attribute.Count == 1
                && node.Attribute[0] is { Name: "value", T: not null } value && value.T.DataType == (int)OnnxElementType.Float
                && value.T.Dims.Count <= 2 && value.T.Dims.All(d => d == 1))
            {
                try { constantNodes[node.Output[0]] = TensorProtoConverter.ToTensor(value.T, "Constant", null); }
                catch (OnnxFormatException) { /* the Constant op reports it when compiled */ }
            }
        OnnxTensor? ConstantOf(string name) => constantNodes.GetValueOrDefault(name) ?? constantOf(name);

        nodes = FuseGelu(nodes, graphOutputs, ConstantOf);
        nodes = FuseSilu(nodes, graphOutputs);
        nodes = FoldBatchNorm(nodes, graphOutputs, ConstantOf, constantNodes, opset);
        return FuseLinear(nodes, graphOutputs, ConstantOf);
    }

    private sealed class Readers
    {
        private readonly Dictionary<string, List<NodeProto>> _readers = new(StringComparer.Ordinal);
        private readonly HashSet<string> _graphOutputs;

        public Readers(List<NodeProto> nodes, HashSet<string> graphOutputs)
        {
            _graphOutputs = graphOutputs;
            foreach (var node in nodes)
                foreach (var input in node.Input)
                {
                    if (!_readers.TryGetValue(input, out var list)) _readers[input] = list = new();
                    list.Add(node);
                }
        }

        /// <summary>The only reader of <paramref name="value"/>, or null when it has several, none, or is a graph output.</summary>
        public NodeProto? Single(string value) =>
            !_graphOutputs.Contains(value) && _readers.TryGetValue(value, out var list) && list.Count == 1 ? list[0] : null;
    }

    private static bool IsDefault(NodeProto n) => n.Domain is "" or "ai.onnx";

    /// <summary>
    /// True for a default-domain node of <paramref name="opType"/> with exactly <paramref name="inputs"/> inputs and one
    /// output, and no attributes besides <paramref name="attributes"/> (each of its type). A node of any other form is
    /// left to its own op factory, which checks it and reports what is wrong; fusing it would hide that.
    /// </summary>
    private static bool Is([NotNullWhen(true)] NodeProto? n, string opType, int inputs, params (string Name, AttributeProto.Types.AttributeType Type)[] attributes) =>
        n != null && n.OpType == opType && IsDefault(n) && n.Input.Count == inputs && n.Output.Count == 1 && n.Output[0].Length > 0
        && n.Attribute.All(a => attributes.Any(k => k.Name == a.Name && (a.Type == k.Type || a.Type == AttributeProto.Types.AttributeType.Undefined)))
        && n.Attribute.Select(a => a.Name).Distinct().Count() == n.Attribute.Count;

    private const AttributeProto.Types.AttributeType IntAttr = AttributeProto.Types.AttributeType.Int;
    private const AttributeProto.Types.AttributeType FloatAttr = AttributeProto.Types.AttributeType.Float;

    private static bool IsScalar(OnnxTensor? t, float value, float tolerance = 1e-6f) =>
        t is { ElementType: OnnxElementType.Float, Length: 1 } && Math.Abs(t.AsSpan<float>()[0] - value) <= tolerance * Math.Max(1f, Math.Abs(value));

    /// <summary>The operand of binary node <paramref name="n"/> other than <paramref name="value"/>, or null.</summary>
    private static string? Other(NodeProto n, string value) =>
        n.Input.Count != 2 ? null : n.Input[0] == value ? n.Input[1] : n.Input[1] == value ? n.Input[0] : null;

    private static List<NodeProto> FuseGelu(List<NodeProto> nodes, HashSet<string> graphOutputs, Func<string, OnnxTensor?> constantOf)
    {
        var readers = new Readers(nodes, graphOutputs);
        var producer = new Dictionary<string, NodeProto>(StringComparer.Ordinal);
        foreach (var node in nodes)
            foreach (var output in node.Output) producer[output] = node;
        var removed = new HashSet<NodeProto>();
        var replacement = new Dictionary<NodeProto, NodeProto>();
        foreach (var erf in nodes)
        {
            if (!Is(erf, "Erf", 1)) continue;
            if (!producer.TryGetValue(erf.Input[0], out var div) || !(Is(div, "Div", 2) || Is(div, "Mul", 2)) || readers.Single(div.Output[0]) != erf) continue;
            string? x = div.OpType switch
            {
                "Div" when IsScalar(constantOf(div.Input[1]), MathF.Sqrt(2f), 1e-5f) => div.Input[0],
                "Mul" when IsScalar(constantOf(div.Input[1]), 1f / MathF.Sqrt(2f), 1e-5f) => div.Input[0],
                _ => null,
            };
            if (string.IsNullOrEmpty(x)) continue;
            var add = readers.Single(erf.Output[0]);
            if (!Is(add, "Add", 2) || !IsScalar(constantOf(Other(add!, erf.Output[0]) ?? ""), 1f)) continue;
            var mul1 = readers.Single(add!.Output[0]);
            if (!Is(mul1, "Mul", 2)) continue;
            NodeProto last;
            string? other = Other(mul1!, add.Output[0]);
            if (other == x)
            {
                // x * (1 + erf) then * 0.5
                var mul2 = readers.Single(mul1!.Output[0]);
                if (!Is(mul2, "Mul", 2) || !IsScalar(constantOf(Other(mul2!, mul1.Output[0]) ?? ""), 0.5f)) continue;
                removed.UnionWith([div, erf, add, mul1]);
                last = mul2!;
            }
            else continue;
            replacement[last] = new NodeProto
            {
                OpType = "Gelu", Domain = OperatorRegistry.NeuralSharpDomain, Name = last.Name,
                Input = { x }, Output = { last.Output[0] },
            };
        }
        return nodes.Where(n => !removed.Contains(n)).Select(n => replacement.GetValueOrDefault(n, n)).ToList();
    }

    /// <summary>Sigmoid(x) read only by Mul(x, sigmoid) is SiLU (PyTorch exports nn.SiLU and F.silu so).</summary>
    private static List<NodeProto> FuseSilu(List<NodeProto> nodes, HashSet<string> graphOutputs)
    {
        var readers = new Readers(nodes, graphOutputs);
        var removed = new HashSet<NodeProto>();
        var replacement = new Dictionary<NodeProto, NodeProto>();
        foreach (var sigmoid in nodes)
        {
            if (sigmoid is not { OpType: "Sigmoid", Input.Count: 1, Output.Count: 1 } || !IsDefault(sigmoid)) continue;
            var mul = readers.Single(sigmoid.Output[0]);
            if (mul is not { OpType: "Mul" } || !IsDefault(mul) || Other(mul, sigmoid.Output[0]) != sigmoid.Input[0]) continue;
            removed.Add(sigmoid);
            replacement[mul] = new NodeProto
            {
                OpType = "Silu", Domain = OperatorRegistry.NeuralSharpDomain, Name = mul.Name,
                Input = { sigmoid.Input[0] }, Output = { mul.Output[0] },
            };
        }
        return nodes.Where(n => !removed.Contains(n)).Select(n => replacement.GetValueOrDefault(n, n)).ToList();
    }

    private static List<NodeProto> FuseLinear(List<NodeProto> nodes, HashSet<string> graphOutputs, Func<string, OnnxTensor?> constantOf)
    {
        var readers = new Readers(nodes, graphOutputs);
        var removed = new HashSet<NodeProto>();
        var replacement = new Dictionary<NodeProto, NodeProto>();
        foreach (var node in nodes)
        {
            if (removed.Contains(node) || !IsDefault(node)) continue;
            string x, w; string? bias = null; bool transB; NodeProto tail;
            bool matrixInput = false;
            if (Is(node, "Gemm", 2, GemmAttributes) || Is(node, "Gemm", 3, GemmAttributes))
            {
                if (node.Attribute.Any(a => a.Name is "transA" && a.I != 0 || a.Name is "alpha" or "beta" && a.F != 1f)) continue;
                x = node.Input[0]; w = node.Input[1];
                transB = node.Attribute.Any(a => a.Name == "transB" && a.I != 0);
                if (node.Input.Count > 2 && node.Input[2].Length > 0) bias = node.Input[2];
                tail = node;
                matrixInput = true;
            }
            else if (Is(node, "MatMul", 2))
            {
                x = node.Input[0]; w = node.Input[1]; transB = false; tail = node;
                var add = readers.Single(node.Output[0]);
                if (Is(add, "Add", 2) && Other(add!, node.Output[0]) is string b && b.Length > 0 && b != node.Output[0])
                {
                    bias = b;
                    tail = add!;
                }
            }
            else continue;
            if (x.Length == 0 || w.Length == 0) continue;

            var wt = constantOf(w);
            if (wt is not { ElementType: OnnxElementType.Float, Rank: 2 }) continue;
            int n = transB ? wt.Shape[0] : wt.Shape[1];
            if (bias != null)
            {
                var bt = constantOf(bias);
                // [1, N] is a row bias for Gemm's matrix; after a MatMul of a vector it would add an axis, so only [N] there.
                if (bt is not { ElementType: OnnxElementType.Float } || !(bt.Rank == 1 && bt.Shape[0] == n || matrixInput && bt.Rank == 2 && bt.Shape[0] == 1 && bt.Shape[1] == n)) continue;
            }
            var act = readers.Single(tail.Output[0]);
            if (act == null || act.Input.Count == 0 || act.Input[0] != tail.Output[0] || !TryActivation(act, constantOf, out var activation, out float alpha))
            {
                activation = Activation.Identity; alpha = 0f; act = null;
            }
            // A lone MatMul (no bias, no activation) stays as it is; a Gemm or MatMul + Add becomes FusedLinear even
            // without an activation, for its weight packed once at load.
            if (act == null && tail == node && node.OpType == "MatMul") continue;
            var last = act ?? tail;
            var fused = new NodeProto
            {
                OpType = "FusedLinear", Domain = OperatorRegistry.NeuralSharpDomain, Name = node.Name,
                Input = { x, w }, Output = { last.Output[0] },
            };
            if (bias != null) fused.Input.Add(bias);
            fused.Attribute.Add(new AttributeProto { Name = "transB", Type = AttributeProto.Types.AttributeType.Int, I = transB ? 1 : 0 });
            fused.Attribute.Add(new AttributeProto { Name = "activation", Type = AttributeProto.Types.AttributeType.String, S = ByteString.CopyFromUtf8(activation.ToString()) });
            fused.Attribute.Add(new AttributeProto { Name = "alpha", Type = AttributeProto.Types.AttributeType.Float, F = alpha });
            if (matrixInput) fused.Attribute.Add(new AttributeProto { Name = "matrix_input", Type = AttributeProto.Types.AttributeType.Int, I = 1 });
            removed.Add(node);
            if (tail != node) removed.Add(tail);
            if (act != null) removed.Add(act);
            removed.Remove(last);
            replacement[last] = fused;
        }
        return nodes.Where(n => !removed.Contains(n) || replacement.ContainsKey(n)).Select(n => replacement.GetValueOrDefault(n, n)).ToList();
    }

    /// <summary>True when <paramref name="node"/> is an activation our GEMM epilogue computes, with its parameter.</summary>
    private static bool TryActivation(NodeProto node, Func<string, OnnxTensor?> constantOf, out Activation activation, out float alpha)
    {
        alpha = 0f;
        activation = Activation.Identity;
        // The activation must read the linear output as its (only) data input, and have a well-formed float attribute list.
        if (node.Output.Count != 1 || node.Output[0].Length == 0 || node.Input.Count != (node.OpType == "Clip" ? 3 : 1)) return false;
        if (node.Attribute.Any(a => a.Type is not (AttributeProto.Types.AttributeType.Float or AttributeProto.Types.AttributeType.Undefined))
            || node.Attribute.Select(a => a.Name).Distinct().Count() != node.Attribute.Count) return false;
        float Attr(string name, float fallback) => node.Attribute.FirstOrDefault(a => a.Name == name)?.F ?? fallback;
        bool OnlyAttrs(params string[] names) => node.Attribute.All(a => names.Contains(a.Name));
        if (node.Domain == OperatorRegistry.NeuralSharpDomain && node.OpType == "Gelu") { activation = Activation.GeluErf; return true; }
        if (node.Domain == OperatorRegistry.NeuralSharpDomain && node.OpType == "Silu") { activation = Activation.Silu; return true; }
        if (!IsDefault(node)) return false;
        switch (node.OpType)
        {
            case "Relu" when node.Attribute.Count == 0: activation = Activation.Relu; return true;
            case "Sigmoid" when node.Attribute.Count == 0: activation = Activation.Sigmoid; return true;
            case "Tanh" when node.Attribute.Count == 0: activation = Activation.Tanh; return true;
            case "Softsign" when node.Attribute.Count == 0: activation = Activation.Softsign; return true;
            case "HardSwish" when node.Attribute.Count == 0: activation = Activation.HardSwish; return true;
            case "Softplus" when node.Attribute.Count == 0: activation = Activation.Softplus; alpha = 1f; return true;
            case "LeakyRelu" when OnlyAttrs("alpha"): activation = Activation.LeakyRelu; alpha = Attr("alpha", 0.01f); return true;
            case "Elu" when OnlyAttrs("alpha"): activation = Activation.Elu; alpha = Attr("alpha", 1f); return true;
            case "Celu" when OnlyAttrs("alpha") && Attr("alpha", 1f) != 0f: activation = Activation.Celu; alpha = Attr("alpha", 1f); return true;
            case "Selu" when OnlyAttrs("alpha", "gamma") && MathF.Abs(Attr("alpha", 1.6732632f) - 1.6732632f) < 1e-6f && MathF.Abs(Attr("gamma", 1.050701f) - 1.050701f) < 1e-6f:
                activation = Activation.Selu; return true;
            case "HardSigmoid" when OnlyAttrs("alpha", "beta") && MathF.Abs(Attr("alpha", 0.2f) - 1f / 6f) < 1e-6f && MathF.Abs(Attr("beta", 0.5f) - 0.5f) < 1e-6f:
                activation = Activation.HardSigmoid; return true;
            case "Clip" when node.Attribute.Count == 0 && IsScalar(constantOf(node.Input[1]), 0f) && IsScalar(constantOf(node.Input[2]), 6f):
                activation = Activation.Relu6; return true;
            default: return false;
        }
    }
}
