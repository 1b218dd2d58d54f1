using NeuralSharp.Nn;
using static NeuralSharp.Onnx.Export.GraphBuilder;

namespace NeuralSharp.Onnx.Export;

internal sealed partial class ModuleExporter
{
    /// <summary>
    /// LayerNorm over the last dimension: LayerNormalization (opset 17; without affine parameters the scale is a
    /// constant of ones); before opset 17 the decomposition torch.onnx writes: (x - mean)/√(var + ε)·w + b with
    /// ReduceMean, Sub, Pow, ReduceMean, Add, Sqrt, Div, Mul, Add.
    /// </summary>
    private GraphValue EmitLayerNorm(LayerNorm n, string path, GraphValue x)
    {
        RequireLast(x, n.NormalizedShape, "LayerNorm", path);
        string? w = n.Weight != null ? _g.Initializer(Key(path, "weight"), n.Weight) : null;
        string? b = n.Bias != null ? _g.Initializer(Key(path, "bias"), n.Bias) : null;
        if (_g.Opset >= 17)
        {
            w ??= _g.Constant(path, "ones", OnnxTensor.FromArray(Enumerable.Repeat(1f, n.NormalizedShape).ToArray(), n.NormalizedShape));
            string[] inputs = b != null ? [x.Name, w, b] : [x.Name, w];
            return x.With(_g.Node("LayerNormalization", path, inputs, Attr("axis", -1L), Attr("epsilon", n.Eps)));
        }
        string Op(string op, params string[] inputs) => _g.Node(op, path, inputs);
        string mean = _g.Node("ReduceMean", path, [x.Name], Attr("axes", new long[] { -1 }), Attr("keepdims", 1L));
        string centred = Op("Sub", x.Name, mean);
        string variance = _g.Node("ReduceMean", path, [Op("Pow", centred, _g.Scalar(path, "two", 2f))], Attr("axes", new long[] { -1 }), Attr("keepdims", 1L));
        string y = Op("Div", centred, Op("Sqrt", Op("Add", variance, _g.Scalar(path, "eps", n.Eps))));
        if (w != null) y = Op("Mul", y, w);
        if (b != null) y = Op("Add", y, b);
        return x.With(y);
    }

    /// <summary>RMSNorm over the last dimension, decomposed: x / √(mean(x²) + ε) · w (Pow, ReduceMean, Add, Sqrt, Div, Mul).</summary>
    private GraphValue EmitRmsNorm(RMSNorm n, string path, GraphValue x)
    {
        RequireLast(x, n.NormalizedShape, "RMSNorm", path);
        string Op(string op, params string[] inputs) => _g.Node(op, path, inputs);
        string meanSquare = _g.Node("ReduceMean", path, [Op("Pow", x.Name, _g.Scalar(path, "two", 2f))], Attr("axes", new long[] { -1 }), Attr("keepdims", 1L));
        string y = Op("Div", x.Name, Op("Sqrt", Op("Add", meanSquare, _g.Scalar(path, "eps", n.Eps))));
        if (n.Weight != null) y = Op("Mul", y, _g.Initializer(Key(path, "weight"), n.Weight));
        return x.With(y);
    }

    /// <summary>
    /// BatchNorm1d in inference form: BatchNormalization(x, weight, bias, running_mean, running_var) over dim 1 of
    /// [N, C] or [N, C, L]; without affine parameters the scale and bias are constants 1 and 0. The momentum attribute
    /// is ONNX's (1 - PyTorch's), as torch.onnx writes it; it only matters in training mode.
    /// </summary>
    private GraphValue EmitBatchNorm(BatchNorm1d n, string path, GraphValue x)
    {
        if (n.RunningMean == null || n.RunningVar == null)
            throw new NotSupportedException($"OnnxExporter: BatchNorm1d at {Where(path)} has track_running_stats=False, so it normalises with the statistics of each batch even in evaluation mode; ONNX's BatchNormalization needs running statistics.");
        if (x.Rank is not (2 or 3) || x.Shape[1] >= 0 && x.Shape[1] != n.NumFeatures)
            throw new ArgumentException($"OnnxExporter: BatchNorm1d at {Where(path)} expects input [N, {n.NumFeatures}] or [N, {n.NumFeatures}, L], got {Format(x.Shape)}.");
        int c = n.NumFeatures;
        string w = n.Weight != null ? _g.Initializer(Key(path, "weight"), n.Weight) : _g.Constant(path, "ones", OnnxTensor.FromArray(Enumerable.Repeat(1f, c).ToArray(), c));
        string b = n.Bias != null ? _g.Initializer(Key(path, "bias"), n.Bias) : _g.Constant(path, "zeros", OnnxTensor.FromArray(new float[c], c));
        string mean = _g.Initializer(Key(path, "running_mean"), n.RunningMean);
        string variance = _g.Initializer(Key(path, "running_var"), n.RunningVar);
        return x.With(_g.Node("BatchNormalization", path, [x.Name, w, b, mean, variance],
            Attr("epsilon", n.Eps), Attr("momentum", 1f - (n.Momentum ?? 0.1f))));
    }
}
