using System.Text.Json.Nodes;
using NeuralSharp.Nn;
using NeuralSharp.Tests.NnLayers;

namespace NeuralSharp.Tests.NnBlocks;

internal static class BlockTestUtil
{
    public static void Randomize(Module module, ulong seed, float scale = 1f)
    {
        var random = new RandomSource(seed);
        foreach (var p in module.Parameters())
        {
            var d = p.Data;
            for (int i = 0; i < d.Length; i++) d[i] = (2f * random.NextFloat() - 1f) * scale;
        }
    }

    public static float[] EvalOutput(Module module, Tensor input)
    {
        module.Eval();
        using var noGrad = GradMode.NoGrad();
        return module.Forward(input).ToArray();
    }

    /// <summary>ToConfig -> JSON text -> ModuleRegistry.Create -> LoadStateDict gives the same module, bit for bit.</summary>
    public static void AssertRoundTrip(Module original, int[] inputShape)
    {
        Randomize(original, 4);
        var x = LayerContractTests.RandomInput(5, inputShape);
        var expected = EvalOutput(original, x);
        string text = original.ToConfig().ToJsonString();
        var rebuilt = ModuleRegistry.Create(JsonNode.Parse(text)!.AsObject());
        Assert.Equal(original.GetType(), rebuilt.GetType());
        Assert.Equal(text, rebuilt.ToConfig().ToJsonString());
        Assert.Equal(original.ToString(), rebuilt.ToString());
        Assert.Equal(original.StateDict().Keys.Order(StringComparer.Ordinal), rebuilt.StateDict().Keys.Order(StringComparer.Ordinal));
        rebuilt.LoadStateDict(original.StateDict());
        LayerContractTests.AssertBitEqual(expected, EvalOutput(rebuilt, x), original.GetType().Name + " rebuilt output");
        var inMemory = ModuleRegistry.Create(original.ToConfig());
        inMemory.LoadStateDict(original.StateDict());
        LayerContractTests.AssertBitEqual(expected, EvalOutput(inMemory, x), original.GetType().Name + " rebuilt in memory");
    }

    /// <summary>Every element of actual within rtol·|expected| + atol of expected.</summary>
    public static void AssertClose(ReadOnlySpan<float> expected, ReadOnlySpan<float> actual, string what, float rtol = 1e-5f, float atol = 1e-6f)
    {
        Assert.True(expected.Length == actual.Length, $"{what}: length {actual.Length}, expected {expected.Length}");
        for (int i = 0; i < expected.Length; i++)
            Assert.True(Math.Abs(expected[i] - actual[i]) <= rtol * Math.Abs(expected[i]) + atol, $"{what}[{i}]: {actual[i]:R}, expected {expected[i]:R}");
    }

    /// <summary>Column j of a [N, C] tensor as [N, 1], through plain differentiable ops (a product with a one-hot column).</summary>
    public static Tensor Column(Tensor x, int j)
    {
        var onehot = Tensor.Zeros(x.Dim(1), 1);
        onehot.Data[j] = 1f;
        return Functional.MatMul(x, onehot);
    }
}
