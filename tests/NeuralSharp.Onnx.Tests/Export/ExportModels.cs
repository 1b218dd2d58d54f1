using NeuralSharp.Nn;

namespace NeuralSharp.Onnx.Tests.Export;

/// <summary>
/// Small seeded models covering every exportable module type. <c>Runnable</c> marks the ones whose exported graph
/// the importer runs today (Gemm, MatMul and the activations it fuses into a linear layer); the others are checked
/// by onnx.checker only until the elementwise/shape/nn operator families are merged.
/// </summary>
internal static class ExportModels
{
    public sealed record Case(string Name, Func<Module> Create, int[] InputShape, bool Runnable)
    {
        public override string ToString() => Name;
    }

    private static RandomSource R(ulong seed) => new(seed);

    /// <summary>Fills every parameter and buffer with seeded values (norm scales near 1, variances positive), so identity-initialised layers are tested too.</summary>
    public static T Randomize<T>(T module, ulong seed) where T : Module
    {
        var random = new RandomSource(seed);
        foreach (var (key, tensor) in module.StateDict())
        {
            var data = tensor.Data;
            for (int i = 0; i < data.Length; i++)
            {
                float u = 2f * random.NextFloat() - 1f;
                data[i] = key.EndsWith("running_var", StringComparison.Ordinal) ? 0.5f + random.NextFloat()
                    : key.EndsWith("num_batches_tracked", StringComparison.Ordinal) ? 3f
                    : u;
            }
        }
        return module;
    }

    private static Module Act(ActivationModule act, ulong seed) => new Sequential(new Linear(6, 5, random: R(seed)), act);

    /// <summary>Linear followed by each activation the importer fuses into its GEMM.</summary>
    public static IEnumerable<Case> FusedActivations() =>
    [
        new("Linear+ReLU", () => Act(new ReLU(), 1), [6], true),
        new("Linear+LeakyReLU", () => Act(new LeakyReLU(0.2f), 2), [6], true),
        new("Linear+Sigmoid", () => Act(new Sigmoid(), 3), [6], true),
        new("Linear+Tanh", () => Act(new Tanh(), 4), [6], true),
        new("Linear+GELU", () => Act(new GELU(), 5), [6], true),
        new("Linear+Softplus", () => Act(new Softplus(), 6), [6], true),
        new("Linear+ReLU6", () => Act(new ReLU6(), 7), [6], true),
        new("Linear+ELU", () => Act(new ELU(0.7f), 8), [6], true),
        new("Linear+SELU", () => Act(new SELU(), 9), [6], true),
        new("Linear+CELU", () => Act(new CELU(1.3f), 10), [6], true),
        new("Linear+Hardsigmoid", () => Act(new Hardsigmoid(), 11), [6], true),
        new("Linear+Hardswish", () => Act(new Hardswish(), 12), [6], true),
        new("Linear+Softsign", () => Act(new Softsign(), 13), [6], true),
    ];

    public static IEnumerable<Case> All() => FusedActivations().Concat(
    [
        new("Linear", () => new Linear(6, 4, random: R(20)), [6], true),
        new("Linear(no bias)", () => new Linear(6, 4, bias: false, random: R(21)), [6], true),
        new("MLP relu", () => Mlp.Create(6, [16, 8], 3, "relu", random: R(22)), [6], true),
        new("MLP gelu+dropout", () => Mlp.Create(6, [16, 8], 3, "gelu", dropout: 0.3f, random: R(23)), [6], true),
        new("MLP tanh", () => Mlp.Create(6, [12], 4, "tanh", random: R(24)), [6], true),
        new("FeedForward relu", () => new FeedForward(6, 12, "relu", random: R(25)), [6], true),
        new("FeedForward gelu", () => new FeedForward(6, 12, "gelu", random: R(26)), [6], true),
        // Need operators of the parallel families (elementwise, shape, nn) to run here.
        new("Linear+GELU(tanh)", () => Act(new GELU(tanhApproximation: true), 30), [6], true),
        new("Linear+SiLU", () => Act(new SiLU(), 31), [6], true),
        new("Linear+Softplus(beta=2)", () => Act(new Softplus(2f), 32), [6], true),
        new("Linear+Mish", () => Act(new Mish(), 33), [6], true),
        new("Linear+LogSigmoid", () => Act(new LogSigmoid(), 34), [6], true),
        new("ReLU alone", () => new ReLU(), [5], true),
        new("GELU alone", () => new GELU(), [5], true),
        new("PReLU(1)", () => new Sequential(new Linear(6, 5, random: R(35)), new PReLU()), [6], true),
        new("PReLU(5)", () => Randomize(new Sequential(new Linear(6, 5, random: R(36)), new PReLU(5)), 36), [6], true),
        new("Softmax", () => new Sequential(new Linear(6, 5, random: R(37)), new Softmax()), [6], true),
        new("LogSoftmax", () => new Sequential(new Linear(6, 5, random: R(38)), new LogSoftmax(1)), [6], true),
        new("Softmin", () => new Sequential(new Linear(6, 5, random: R(39)), new Softmin()), [6], true),
        new("SoftmaxWithTemperature", () => new Sequential(new Linear(6, 5, random: R(40)), new SoftmaxWithTemperature(-1, 2.5f)), [6], true),
        new("GLU", () => new Sequential(new Linear(6, 8, random: R(41)), new GLU()), [6], true),
        new("Flatten", () => new Sequential(new Flatten(), new Linear(12, 3, random: R(42))), [3, 4], true),
        new("Flatten(2)+Linear rank 3", () => new Sequential(new Flatten(2), new Linear(4, 3, random: R(43))), [2, 2, 2], true),
        new("LayerNorm", () => Randomize(new Sequential(new Linear(6, 5, random: R(44)), new LayerNorm(5)), 44), [6], true),
        new("LayerNorm(no affine)", () => new Sequential(new Linear(6, 5, random: R(45)), new LayerNorm(5, 1e-3f, elementwiseAffine: false)), [6], true),
        new("RMSNorm", () => Randomize(new Sequential(new Linear(6, 5, random: R(46)), new RMSNorm(5)), 46), [6], true),
        new("BatchNorm1d", () => Randomize(new Sequential(new Linear(6, 5, random: R(47)), new BatchNorm1d(5)), 47), [6], true),
        new("BatchNorm1d(no affine)", () => Randomize(new Sequential(new Linear(6, 5, random: R(48)), new BatchNorm1d(5, affine: false)), 48), [6], true),
        new("FeedForward pre-norm residual", () => Randomize(new FeedForward(6, 12, "silu", norm: BlockNorm.LayerNorm, residual: true, random: R(49)), 49), [6], true),
        new("FeedForward rms residual", () => Randomize(new FeedForward(6, 12, "relu", norm: BlockNorm.RMSNorm, residual: true, random: R(50)), 50), [6], true),
        new("SwiGLU", () => new GatedFeedForward(6, 16, GluVariant.SwiGLU, random: R(51)), [6], true),
        new("GeGLU bias", () => new GatedFeedForward(6, 16, GluVariant.GeGLU, bias: true, random: R(52)), [6], true),
        new("ReGLU pre-norm residual", () => Randomize(new GatedFeedForward(6, 16, GluVariant.ReGLU, norm: BlockNorm.RMSNorm, residual: true, random: R(53)), 53), [6], true),
        new("GLU-variant layer-norm residual", () => Randomize(new GatedFeedForward(6, 16, GluVariant.GLU, norm: BlockNorm.LayerNorm, residual: true, random: R(54)), 54), [6], true),
        new("Classifier swiglu", () => ModelBuilder.CreateClassifier(6, [8], 3, "swiglu", random: R(55)), [6], true),
        new("Linear rank 3", () => new Linear(4, 3, random: R(56)), [2, 4], true),
        new("Dropout alone", () => new Dropout(0.5f), [4], true),
    ]);
}
