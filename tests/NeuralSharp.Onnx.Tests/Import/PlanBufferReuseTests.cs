using static NeuralSharp.Onnx.Tests.OnnxTestModels;

namespace NeuralSharp.Onnx.Tests;

/// <summary>
/// The plan returns rented intermediate arrays to the pool after their last reader: outputs handed to the caller,
/// values shared by views and constants must never be recycled, and concurrent runs must not see each other's data.
/// </summary>
public class PlanBufferReuseTests
{
    private const int K = 96, N = 80; // products above the pool threshold at 64 rows

    private static OnnxModel SharingModel()
    {
        var r = new Random(3);
        float[] W(int n) => Enumerable.Range(0, n).Select(_ => (float)(r.NextDouble() - 0.5)).ToArray();
        // h = relu(x W1^T + b1); v = reshape(h) (a view); y = h W2^T (a pooled value read after v's producer);
        // outputs: y, v (a view of the pooled h), and s = softmax(y) (y is both an output and read by softmax).
        return Load(Model(
            [
                Node("Gemm", ["x", "w1", "b1"], ["z"], Attr("transB", 1L)), Node("Relu", ["z"], ["h"]),
                Node("Reshape", ["h", "shape"], ["v"]),
                Node("Gemm", ["h", "w2"], ["y"], Attr("transB", 1L)), Node("Softmax", ["y"], ["s"]),
                Node("Add", ["y", "y"], ["t"]), Node("Identity", ["t"], ["u"]),
            ],
            [Input("x", OnnxElementType.Float, -1, K)], [Output("y"), Output("v"), Output("s"), Output("u")],
            new Dictionary<string, OnnxTensor>
            {
                ["w1"] = OnnxTensor.FromArray(W(N * K), N, K), ["b1"] = OnnxTensor.FromArray(W(N), N),
                ["w2"] = OnnxTensor.FromArray(W(N * N), N, N), ["shape"] = OnnxTensor.FromArray(new long[] { -1 }, 1),
            }));
    }

    private static OnnxTensor RandomInput(int seed, int rows)
    {
        var r = new Random(seed);
        return OnnxTensor.FromArray(Enumerable.Range(0, rows * K).Select(_ => (float)(r.NextDouble() * 2 - 1)).ToArray(), rows, K);
    }

    [Fact]
    public void OutputsOfEarlierRunsAreNotOverwrittenByLaterRuns()
    {
        var model = SharingModel();
        var first = model.Run(RandomInput(1, 64)).Select(t => t.ToArray<float>()).ToArray();
        var kept = model.Run(RandomInput(1, 64));
        for (int run = 0; run < 5; run++) model.Run(RandomInput(100 + run, 64));
        for (int o = 0; o < first.Length; o++) Assert.Equal(first[o], kept[o].ToArray<float>());
        // And the model still computes the same values (constants were not recycled).
        var again = model.Run(RandomInput(1, 64));
        for (int o = 0; o < first.Length; o++) Assert.Equal(first[o], again[o].ToArray<float>());
    }

    [Fact]
    public void AFoldedConstantPassedThroughAtRunTimeIsNotRecycled()
    {
        // c = w + w is folded at load into a rented array; Dropout (inference, ratio given at run time) passes c's
        // tensor through unchanged, and y = x * d is computed after d's last use — c must survive every run.
        var w = Enumerable.Range(0, 64 * K).Select(i => (float)(i % 7)).ToArray();
        var model = Load(Model(
            [Node("Add", ["w", "w"], ["c"]), Node("Dropout", ["c", "ratio"], ["d"]), Node("Mul", ["x", "d"], ["m"]), Node("Relu", ["m"], ["y"])],
            [Input("x", OnnxElementType.Float, 64, K), Input("ratio", OnnxElementType.Float)], [Output("y")],
            new Dictionary<string, OnnxTensor> { ["w"] = OnnxTensor.FromArray(w, 64, K) }));
        var x = RandomInput(5, 64);
        var ratio = OnnxTensor.FromArray(new[] { 0.5f });
        var first = model.Run(x, ratio)[0].ToArray<float>();
        for (int run = 0; run < 4; run++)
        {
            model.Run(RandomInput(50 + run, 64), ratio);
            Assert.Equal(first, model.Run(x, ratio)[0].ToArray<float>());
        }
    }

    [Fact]
    public void ConcurrentRunsGiveTheSameResultsAsSequentialOnes()
    {
        var model = SharingModel();
        var inputs = Enumerable.Range(0, 8).Select(i => RandomInput(10 + i, 32 + 8 * i)).ToArray();
        var expected = inputs.Select(x => model.Run(x).Select(t => t.ToArray<float>()).ToArray()).ToArray();
        Parallel.For(0, 64, new ParallelOptions { MaxDegreeOfParallelism = 4 }, i =>
        {
            var got = model.Run(inputs[i % inputs.Length]);
            for (int o = 0; o < got.Length; o++) Assert.Equal(expected[i % inputs.Length][o], got[o].ToArray<float>());
        });
    }
}
