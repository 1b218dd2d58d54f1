using NeuralSharp.Nn;
using static NeuralSharp.Onnx.Export.GraphBuilder;

namespace NeuralSharp.Onnx.Export;

/// <summary>
/// Walks a module tree and emits ONNX nodes for each module, tracking the shape of the value in flight
/// (<see cref="GraphBuilder.Batch"/> for the batch dimension). Parameters become initializers named by their
/// state-dict keys; the path of a module ("1.w1") scopes its node names.
/// </summary>
internal sealed partial class ModuleExporter
{
    private readonly GraphBuilder _g;

    public ModuleExporter(GraphBuilder builder) => _g = builder;

    /// <summary>The modules this exporter writes (for error messages).</summary>
    public const string SupportedList =
        "Sequential, Linear, the activations (ReLU, LeakyReLU, Sigmoid, Tanh, GELU, SiLU, Softplus, ReLU6, ELU, SELU, CELU, Mish, Hardsigmoid, " +
        "Hardswish, Softsign, LogSigmoid), PReLU, Softmax, LogSoftmax, Softmin, SoftmaxWithTemperature, GLU, Dropout, Flatten, LayerNorm, RMSNorm, " +
        "BatchNorm1d, FeedForward, GatedFeedForward";

    /// <summary>Emits <paramref name="module"/> at <paramref name="path"/> ("" for the root) applied to <paramref name="x"/>.</summary>
    public GraphValue Emit(Module module, string path, GraphValue x) => module switch
    {
        Sequential s => EmitSequential(s, path, x),
        Linear l => EmitLinear(l, path, x),
        ActivationModule a => EmitActivation(a.Kind, a.Alpha, path, x),
        Dropout => x, // evaluation mode: the identity
        Flatten f => EmitFlatten(f, path, x),
        Softmax s => EmitSoftmax("Softmax", s.Dimension, path, x),
        LogSoftmax s => EmitSoftmax("LogSoftmax", s.Dimension, path, x),
        Softmin s => EmitSoftmax("Softmax", s.Dimension, path, x.With(_g.Node("Neg", path, [x.Name]))),
        SoftmaxWithTemperature s => EmitSoftmax("Softmax", s.Dimension, path,
            s.Temperature == 1f ? x : x.With(_g.Node("Div", path, [x.Name, _g.Scalar(path, "temperature", s.Temperature)]))),
        GLU glu => EmitGlu(glu, path, x),
        PReLU p => EmitPrelu(p, path, x),
        LayerNorm n => EmitLayerNorm(n, path, x),
        RMSNorm n => EmitRmsNorm(n, path, x),
        BatchNorm1d n => EmitBatchNorm(n, path, x),
        FeedForward f => EmitFeedForward(f, path, x),
        GatedFeedForward f => EmitGatedFeedForward(f, path, x),
        _ => throw new NotSupportedException(
            $"OnnxExporter: cannot export {module.GetType().Name} (at '{(path.Length == 0 ? "<root>" : path)}') to ONNX; supported modules: {SupportedList}."),
    };

    /// <summary>The shape of one sample as the first shape-fixing layer expects it, or null when no layer fixes it.</summary>
    public static int[]? InferInputShape(Module module) => module switch
    {
        Sequential s => s.Layers.Select(l => (Shape: InferInputShape(l), Passes: IsShapePreserving(l))).FirstOrDefault(t => t.Shape != null || !t.Passes).Shape,
        Linear l => [l.InFeatures],
        FeedForward f => [f.Dim],
        GatedFeedForward f => [f.Dim],
        LayerNorm n => [n.NormalizedShape],
        RMSNorm n => [n.NormalizedShape],
        BatchNorm1d n => [n.NumFeatures],
        PReLU p when p.NumParameters > 1 => [p.NumParameters],
        _ => null,
    };

    private static bool IsShapePreserving(Module m) => m is ActivationModule or Dropout or Softmax or LogSoftmax or Softmin or SoftmaxWithTemperature
        or PReLU { NumParameters: 1 };

    private static string Key(string path, string name) => path.Length == 0 ? name : path + "." + name;

    private static string Where(string path) => path.Length == 0 ? "<root>" : $"'{path}'";

    private static string Format(int[] shape) =>
        "[" + string.Join(", ", shape.Select(d => d switch { Batch => "batch", Unknown => "?", _ => d.ToString(System.Globalization.CultureInfo.InvariantCulture) })) + "]";

    /// <summary>Checks that the last dimension of <paramref name="x"/> is <paramref name="features"/> (when known).</summary>
    private static void RequireLast(GraphValue x, int features, string module, string path)
    {
        if (x.Rank == 0 || x.Shape[^1] >= 0 && x.Shape[^1] != features)
            throw new ArgumentException($"OnnxExporter: {module} at {Where(path)} expects {features} features in the last dimension, but its input has shape {Format(x.Shape)}.");
    }

    private GraphValue EmitSequential(Sequential s, string path, GraphValue x)
    {
        foreach (var (name, child) in s.NamedChildren()) x = Emit(child, Key(path, name), x);
        return x;
    }

    /// <summary>
    /// y = x·Wᵀ + b: Gemm(transB=1) on [batch, In] input, as torch.onnx exports nn.Linear; for other ranks
    /// MatMul(x, Transpose(W)) + b, so the weight keeps its state-dict name and layout.
    /// </summary>
    private GraphValue EmitLinear(Linear l, string path, GraphValue x)
    {
        RequireLast(x, l.InFeatures, "Linear", path);
        string w = _g.Initializer(Key(path, "weight"), l.Weight);
        string? b = l.Bias != null ? _g.Initializer(Key(path, "bias"), l.Bias) : null;
        int[] shape = [.. x.Shape[..^1], l.OutFeatures];
        if (x.Rank == 2)
            return new GraphValue(_g.Node("Gemm", path, b != null ? [x.Name, w, b] : [x.Name, w],
                Attr("alpha", 1f), Attr("beta", 1f), Attr("transB", 1L)), shape);
        string wt = _g.Node("Transpose", path, [w], Attr("perm", new long[] { 1, 0 }));
        string y = _g.Node("MatMul", path, [x.Name, wt]);
        if (b != null) y = _g.Node("Add", path, [y, b]);
        return new GraphValue(y, shape);
    }

    private GraphValue EmitFlatten(Flatten f, string path, GraphValue x)
    {
        if (x.Rank == 0) throw new ArgumentException($"OnnxExporter: Flatten at {Where(path)} cannot flatten a scalar.");
        int start = f.StartDim < 0 ? f.StartDim + x.Rank : f.StartDim;
        if (start < 0 || start >= x.Rank)
            throw new ArgumentException($"OnnxExporter: Flatten at {Where(path)} has start_dim {f.StartDim}, outside an input of shape {Format(x.Shape)}.");
        if (start == x.Rank - 1) return x; // nothing to collapse
        var tail = x.Shape[start..];
        int[] shape = [.. x.Shape[..start], tail.All(d => d >= 0) ? tail.Aggregate(1, (a, b) => a * b) : Unknown];
        if (start == 1) return new GraphValue(_g.Node("Flatten", path, [x.Name], Attr("axis", 1L)), shape);
        // ONNX Flatten always makes a matrix; PyTorch's keeps the leading dimensions: Reshape with 0 = "copy this dimension".
        var target = Enumerable.Repeat(0L, start).Append(-1L).ToArray();
        return new GraphValue(_g.Node("Reshape", path, [x.Name, _g.Int64s(path, "shape", target)]), shape);
    }

    private GraphValue EmitSoftmax(string op, int dim, string path, GraphValue x)
    {
        int axis = dim < 0 ? dim + x.Rank : dim;
        if (axis < 0 || axis >= x.Rank)
            throw new ArgumentException($"OnnxExporter: {op} at {Where(path)} has dim {dim}, outside an input of shape {Format(x.Shape)}.");
        return x.With(_g.Node(op, path, [x.Name], Attr("axis", (long)axis)));
    }

    /// <summary>GLU: a, b = Split(x, 2 halves along dim); a · Sigmoid(b).</summary>
    private GraphValue EmitGlu(GLU glu, string path, GraphValue x)
    {
        int axis = glu.Dimension < 0 ? glu.Dimension + x.Rank : glu.Dimension;
        if (axis < 0 || axis >= x.Rank || x.Shape[axis] == Batch || x.Shape[axis] >= 0 && x.Shape[axis] % 2 != 0)
            throw new ArgumentException($"OnnxExporter: GLU at {Where(path)} splits dim {glu.Dimension} of an input of shape {Format(x.Shape)}; it must be a feature dimension of even size.");
        var halves = _g.NodeN("Split", path, [x.Name], 2, Attr("axis", (long)axis));
        string gate = _g.Node("Sigmoid", path, [halves[1]]);
        var shape = (int[])x.Shape.Clone();
        if (shape[axis] > 0) shape[axis] /= 2;
        return new GraphValue(_g.Node("Mul", path, [halves[0], gate]), shape);
    }

    /// <summary>PReLU: PRelu(x, slope); a per-channel slope [C] is reshaped to [C, 1, ...] for inputs of rank &gt; 2 (channels at dim 1).</summary>
    private GraphValue EmitPrelu(PReLU p, string path, GraphValue x)
    {
        string slope = _g.Initializer(Key(path, "weight"), p.Weight);
        if (p.NumParameters > 1)
        {
            if (x.Rank < 2 || x.Shape[1] >= 0 && x.Shape[1] != p.NumParameters)
                throw new ArgumentException($"OnnxExporter: PReLU at {Where(path)} has {p.NumParameters} channels but its input has shape {Format(x.Shape)} (channels at dim 1).");
            if (x.Rank > 2)
            {
                var target = new long[x.Rank - 1];
                Array.Fill(target, 1L);
                target[0] = p.NumParameters;
                slope = _g.Node("Reshape", path, [slope, _g.Int64s(path, "slope_shape", target)]);
            }
        }
        return x.With(_g.Node("PRelu", path, [x.Name, slope]));
    }

    /// <summary>FeedForward: [norm] → w1 → activation → (dropout: identity) → w2 → [+ input].</summary>
    private GraphValue EmitFeedForward(FeedForward f, string path, GraphValue x)
    {
        RequireLast(x, f.Dim, "FeedForward", path);
        var h = f.Norm != null ? Emit(f.Norm, Key(path, "norm"), x) : x;
        h = Emit(f.W1, Key(path, "w1"), h);
        h = Emit(f.Act, Key(path, "act"), h);
        var y = Emit(f.W2, Key(path, "w2"), h);
        return f.Residual ? y.With(_g.Node("Add", path, [y.Name, x.Name])) : y;
    }

    /// <summary>GatedFeedForward: [norm] → act(w1 h) · (w3 h) → w2 → [+ input], act by variant (GLU σ, ReGLU ReLU, GeGLU GELU, SwiGLU SiLU).</summary>
    private GraphValue EmitGatedFeedForward(GatedFeedForward f, string path, GraphValue x)
    {
        RequireLast(x, f.Dim, "GatedFeedForward", path);
        var h = f.Norm != null ? Emit(f.Norm, Key(path, "norm"), x) : x;
        var gate = Emit(f.W1, Key(path, "w1"), h);
        var kind = f.Variant switch
        {
            GluVariant.GLU => Kernels.Activation.Sigmoid,
            GluVariant.ReGLU => Kernels.Activation.Relu,
            GluVariant.GeGLU => Kernels.Activation.GeluErf,
            GluVariant.SwiGLU => Kernels.Activation.Silu,
            _ => throw new NotSupportedException($"OnnxExporter: GatedFeedForward at {Where(path)} has unknown variant {f.Variant}."),
        };
        gate = EmitActivation(kind, 0f, Key(path, "act"), gate);
        var up = Emit(f.W3, Key(path, "w3"), h);
        var y = Emit(f.W2, Key(path, "w2"), gate.With(_g.Node("Mul", path, [gate.Name, up.Name])));
        return f.Residual ? y.With(_g.Node("Add", path, [y.Name, x.Name])) : y;
    }
}
