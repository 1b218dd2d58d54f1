using NeuralSharp.Onnx.Protos;

namespace NeuralSharp.Onnx.Import;

internal static partial class Fusion
{
    /// <summary>
    /// Folds an inference BatchNormalization that follows a Gemm (PyTorch's Linear -> BatchNorm1d) into the Gemm's
    /// weight and bias: with s = scale / sqrt(var + epsilon), W'[j] = W[j] * s[j] (output column j) and
    /// b'[j] = (b[j] - mean[j]) * s[j] + B[j]. The folded tensors enter the graph as Constant nodes (also recorded
    /// in <paramref name="constants"/>), so the Gemm can then fuse with a following activation. Only a Gemm with
    /// a constant weight whose output BatchNormalization alone reads, with constant statistics, in inference mode.
    /// </summary>
    private static List<NodeProto> FoldBatchNorm(List<NodeProto> nodes, HashSet<string> graphOutputs,
        Func<string, OnnxTensor?> constantOf, Dictionary<string, OnnxTensor> constants, int opset)
    {
        var readers = new Readers(nodes, graphOutputs);
        var result = new List<NodeProto>(nodes.Count);
        var removed = new HashSet<NodeProto>();
        var names = nodes.SelectMany(n => n.Input.Concat(n.Output)).ToHashSet(StringComparer.Ordinal);
        foreach (var gemm in nodes)
        {
            if (removed.Contains(gemm)) continue;
            var bn = Is(gemm, "Gemm", 2, GemmAttributes) || Is(gemm, "Gemm", 3, GemmAttributes) ? readers.Single(gemm.Output[0]) : null;
            if (bn == null || !IsInferenceBatchNorm(bn, gemm.Output[0], opset)
                || gemm.Attribute.Any(a => a.Name is "transA" && a.I != 0 || a.Name is "alpha" or "beta" && a.F != 1f)
                || !TryFold(gemm, bn, constantOf, out var weight, out var bias))
            {
                result.Add(gemm);
                continue;
            }
            string w = $"{bn.Output[0]}::folded_weight", b = $"{bn.Output[0]}::folded_bias";
            if (names.Contains(w) || names.Contains(b) || constantOf(w) != null || constantOf(b) != null)
            {
                result.Add(gemm);
                continue;
            }
            constants[w] = weight;
            constants[b] = bias;
            result.Add(ConstantNode(w, weight));
            result.Add(ConstantNode(b, bias));
            var folded = new NodeProto { OpType = "Gemm", Name = gemm.Name, Input = { gemm.Input[0], w, b }, Output = { bn.Output[0] } };
            folded.Attribute.Add(gemm.Attribute.Where(a => a.Name == "transB"));
            result.Add(folded);
            removed.Add(bn);
        }
        return result.Where(n => !removed.Contains(n)).ToList();
    }

    private static readonly (string, AttributeProto.Types.AttributeType)[] GemmAttributes =
        [("alpha", FloatAttr), ("beta", FloatAttr), ("transA", IntAttr), ("transB", IntAttr)];

    /// <summary>True for BatchNormalization reading <paramref name="x"/> as its data input, in inference mode at <paramref name="opset"/>.</summary>
    private static bool IsInferenceBatchNorm(NodeProto bn, string x, int opset)
    {
        if (!Is(bn, "BatchNormalization", 5, ("epsilon", FloatAttr), ("momentum", FloatAttr), ("is_test", IntAttr),
                ("spatial", IntAttr), ("training_mode", IntAttr)) || bn.Input[0] != x || bn.Input.Skip(1).Contains(x))
            return false;
        long Int(string name, long fallback) => bn.Attribute.FirstOrDefault(a => a.Name == name)?.I ?? fallback;
        if (opset < 7 ? Int("is_test", 0) != 1 : bn.Attribute.Any(a => a.Name == "is_test")) return false;
        if (opset >= 9 && bn.Attribute.Any(a => a.Name == "spatial")) return false;
        return opset >= 14 ? Int("training_mode", 0) == 0 : bn.Attribute.All(a => a.Name != "training_mode");
    }

    private static bool TryFold(NodeProto gemm, NodeProto bn, Func<string, OnnxTensor?> constantOf, out OnnxTensor weight, out OnnxTensor bias)
    {
        weight = bias = null!;
        bool transB = gemm.Attribute.Any(a => a.Name == "transB" && a.I != 0);
        var w = constantOf(gemm.Input[1]);
        if (w is not { ElementType: OnnxElementType.Float, Rank: 2 }) return false;
        int n = transB ? w.Shape[0] : w.Shape[1], k = transB ? w.Shape[1] : w.Shape[0];
        var c = gemm.Input.Count > 2 && gemm.Input[2].Length > 0 ? constantOf(gemm.Input[2]) : null;
        if (gemm.Input.Count > 2 && gemm.Input[2].Length > 0 && (c is not { ElementType: OnnxElementType.Float } || c.Length != n
            || !(c.Rank == 1 || c.Rank == 2 && c.Shape[0] == 1))) return false;
        var stats = bn.Input.Skip(1).Select(constantOf).ToArray();
        if (stats.Any(t => t is not { ElementType: OnnxElementType.Float, Rank: 1 } || t.Length != n)) return false;
        double epsilon = bn.Attribute.FirstOrDefault(a => a.Name == "epsilon")?.F ?? 1e-5f;
        var scale = stats[0]!.AsSpan<float>(); var beta = stats[1]!.AsSpan<float>();
        var mean = stats[2]!.AsSpan<float>(); var variance = stats[3]!.AsSpan<float>();
        var ws = w.AsSpan<float>();
        var wf = new float[ws.Length];
        var bf = new float[n];
        for (int j = 0; j < n; j++)
        {
            double s = scale[j] / Math.Sqrt(variance[j] + epsilon);
            bf[j] = (float)(((c == null ? 0.0 : c.AsSpan<float>()[j]) - mean[j]) * s + beta[j]);
            for (int p = 0; p < k; p++)
            {
                int at = transB ? j * k + p : p * n + j;
                wf[at] = (float)(ws[at] * s);
            }
        }
        weight = OnnxTensor.FromArray(wf, w.ShapeArray);
        bias = OnnxTensor.FromArray(bf, n);
        return true;
    }

    private static NodeProto ConstantNode(string name, OnnxTensor value)
    {
        var node = new NodeProto { OpType = "Constant", Name = name, Output = { name } };
        node.Attribute.Add(new AttributeProto { Name = "value", Type = AttributeProto.Types.AttributeType.Tensor, T = TensorProtoConverter.ToProto(value, name) });
        return node;
    }
}
