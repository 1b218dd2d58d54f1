using NeuralSharp.Kernels;
using static NeuralSharp.Onnx.Export.GraphBuilder;

namespace NeuralSharp.Onnx.Export;

internal sealed partial class ModuleExporter
{
    /// <summary>
    /// Emits an element-wise activation with ONNX's own operator where opset 13..17 has one, else the decomposition
    /// torch.onnx uses: GELU exact as x·0.5·(1 + erf(x/√2)) (Div, Erf, Add, Mul, Mul — the pattern importers fuse),
    /// GELU tanh as 0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³))), SiLU as x·σ(x), Mish as x·tanh(softplus(x)),
    /// ReLU6 as Clip(0, 6), Softplus(β) as softplus(βx)/β, HardSwish at opset 13 as x·HardSigmoid(x), and LogSigmoid
    /// as -softplus(-x) (stable for large |x|, unlike log(σ(x))).
    /// </summary>
    private GraphValue EmitActivation(Activation kind, float alpha, string path, GraphValue x)
    {
        string s = path;
        string v = x.Name;
        string Op(string op, params string[] inputs) => _g.Node(op, s, inputs);
        string y = kind switch
        {
            Activation.Identity => v,
            Activation.Relu => Op("Relu", v),
            Activation.LeakyRelu => _g.Node("LeakyRelu", s, [v], Attr("alpha", alpha)),
            Activation.Sigmoid => Op("Sigmoid", v),
            Activation.Tanh => Op("Tanh", v),
            Activation.GeluErf => Op("Mul", Op("Mul", v, Op("Add", Op("Erf", Op("Div", v, _g.Scalar(s, "sqrt2", MathF.Sqrt(2f)))), _g.Scalar(s, "one", 1f))),
                _g.Scalar(s, "half", 0.5f)),
            Activation.GeluTanh => GeluTanh(s, v),
            Activation.Silu => Op("Mul", v, Op("Sigmoid", v)),
            Activation.Softplus when alpha == 1f => Op("Softplus", v),
            Activation.Softplus => Op("Div", Op("Softplus", Op("Mul", v, _g.Scalar(s, "beta", alpha))), _g.Scalar(s, "beta", alpha)),
            Activation.Relu6 => Op("Clip", v, _g.Scalar(s, "min", 0f), _g.Scalar(s, "max", 6f)),
            Activation.Elu => _g.Node("Elu", s, [v], Attr("alpha", alpha)),
            Activation.Selu => Op("Selu", v),
            Activation.Celu => _g.Node("Celu", s, [v], Attr("alpha", alpha)),
            Activation.Mish => Op("Mul", v, Op("Tanh", Op("Softplus", v))),
            Activation.HardSigmoid => HardSigmoid(s, v),
            Activation.HardSwish when _g.Opset >= 14 => Op("HardSwish", v),
            Activation.HardSwish => Op("Mul", v, HardSigmoid(s, v)),
            Activation.Softsign => Op("Softsign", v),
            Activation.LogSigmoid => Op("Neg", Op("Softplus", Op("Neg", v))),
            _ => throw new NotSupportedException($"OnnxExporter: activation {kind} at {Where(path)} has no ONNX export."),
        };
        return x.With(y);
    }

    /// <summary>PyTorch's Hardsigmoid: relu6(x + 3)/6 = HardSigmoid(alpha 1/6, beta 0.5).</summary>
    private string HardSigmoid(string scope, string v) => _g.Node("HardSigmoid", scope, [v], Attr("alpha", 1f / 6f), Attr("beta", 0.5f));

    /// <summary>0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x·x·x))), in the operation order of torch.onnx's gelu(approximate='tanh').</summary>
    private string GeluTanh(string s, string v)
    {
        string Op(string op, params string[] inputs) => _g.Node(op, s, inputs);
        string cube = Op("Mul", v, Op("Mul", v, v));
        string inner = Op("Mul", _g.Scalar(s, "sqrt_2_over_pi", MathF.Sqrt(2f / MathF.PI)), Op("Add", v, Op("Mul", _g.Scalar(s, "kappa", 0.044715f), cube)));
        return Op("Mul", _g.Scalar(s, "half", 0.5f), Op("Mul", v, Op("Add", _g.Scalar(s, "one", 1f), Op("Tanh", inner))));
    }
}
