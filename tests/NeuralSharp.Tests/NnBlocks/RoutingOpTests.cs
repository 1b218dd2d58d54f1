using NeuralSharp.Tests.Autograd;

namespace NeuralSharp.Tests.NnBlocks;

/// <summary>The routing ops of Functional.Routing.cs: values and finite-difference gradients.</summary>
public class RoutingOpTests
{
    [Fact]
    public void IndexSelectRowsGathersAndScatterAddsRepeatedRows()
    {
        var x = Tensor.FromArray(new float[] { 1, 2, 3, 4, 5, 6 }, 3, 2).RequireGrad();
        var y = Functional.IndexSelectRows(x, [2, 0, 2]);
        Assert.Equal([3, 2], y.ShapeArray);
        Assert.Equal(new float[] { 5, 6, 1, 2, 5, 6 }, y.ToArray());
        y.Backward(Tensor.FromArray(new float[] { 1, 1, 10, 10, 100, 100 }, 3, 2));
        Assert.Equal(new float[] { 10, 10, 0, 0, 101, 101 }, x.Grad!.ToArray());
        Assert.Equal([0, 2], Functional.IndexSelectRows(x, []).ShapeArray);
        Assert.Throws<ArgumentOutOfRangeException>(() => Functional.IndexSelectRows(x, [3]));
        Assert.Throws<ArgumentOutOfRangeException>(() => Functional.IndexSelectRows(x, [-1]));
    }

    [Fact]
    public void IndexSelectRowsGradCheck() =>
        GradCheck.Check(t => Functional.IndexSelectRows(t[0], [1, 3, 1, 0]), [GradCheck.Random(1, 4, 2, 3)]);

    [Fact]
    public void IndexAddRowsAddsIntoACopy()
    {
        var x = Tensor.FromArray(new float[] { 1, 1, 1, 1, 1, 1 }, 3, 2);
        var src = Tensor.FromArray(new float[] { 1, 2, 3, 4 }, 2, 2);
        var y = Functional.IndexAddRows(x, [2, 2], src);
        Assert.Equal(new float[] { 1, 1, 1, 1, 5, 7 }, y.ToArray());
        Assert.Equal(new float[] { 1, 1, 1, 1, 1, 1 }, x.ToArray());
        Assert.Throws<ArgumentException>(() => Functional.IndexAddRows(x, [0], src));
        Assert.Throws<ArgumentOutOfRangeException>(() => Functional.IndexAddRows(x, [0, 3], src));
        Assert.Throws<ArgumentException>(() => Functional.IndexAddRows(x, [0, 1], Tensor.Zeros(2, 3)));
    }

    [Fact]
    public void IndexAddRowsGradCheck() =>
        GradCheck.Check(t => Functional.IndexAddRows(t[0], [[1, 3, 1], [0]], [t[1], t[2]]),
            [GradCheck.Random(1, 4, 3), GradCheck.Random(2, 3, 3), GradCheck.Random(3, 1, 3)]);

    [Fact]
    public void GatherElementsValuesAndGradCheck()
    {
        var x = Tensor.FromArray(new float[] { 1, 2, 3, 4, 5, 6 }, 2, 3);
        Assert.Equal(new float[] { 6, 1, 2 }, Functional.GatherElements(x, [1, 0, 0], [2, 0, 1]).ToArray());
        Assert.Throws<ArgumentOutOfRangeException>(() => Functional.GatherElements(x, [0], [3]));
        Assert.Throws<ArgumentException>(() => Functional.GatherElements(x, [0, 1], [0]));
        GradCheck.Check(t => Functional.GatherElements(t[0], [1, 0, 1, 1], [2, 0, 1, 2]), [GradCheck.Random(4, 2, 3)]);
    }

    [Fact]
    public void TopKSortsDescendingWithLowerIndexFirstOnTies()
    {
        var x = Tensor.FromArray(new float[] { 0.1f, 0.5f, 0.5f, 0.3f, /**/ 4, 3, 2, 1 }, 2, 4);
        var v = Functional.TopK(x, 3, out var idx);
        Assert.Equal(new[] { 1, 2, 3, 0, 1, 2 }, idx);
        Assert.Equal(new float[] { 0.5f, 0.5f, 0.3f, 4, 3, 2 }, v.ToArray());
        Assert.Throws<ArgumentOutOfRangeException>(() => Functional.TopK(x, 0, out _));
        Assert.Throws<ArgumentOutOfRangeException>(() => Functional.TopK(x, 5, out _));
    }

    [Fact]
    public void TopKMatchesASortOnRandomRows()
    {
        var random = new Random(1234);
        for (int trial = 0; trial < 50; trial++)
        {
            int n = random.Next(0, 5), c = random.Next(1, 12), k = random.Next(1, c + 1);
            var x = GradCheck.Random(trial, n, c);
            var v = Functional.TopK(x, k, out var idx);
            for (int r = 0; r < n; r++)
            {
                var expected = Enumerable.Range(0, c).OrderByDescending(j => x.Data[r * c + j]).ThenBy(j => j).Take(k).ToArray();
                Assert.Equal(expected, idx.Skip(r * k).Take(k).ToArray());
                for (int j = 0; j < k; j++) Assert.Equal(x.Data[r * c + expected[j]], v.Data[r * k + j]);
            }
        }
    }

    [Fact]
    public void TopKGradCheck() => GradCheck.Check(t => Functional.TopK(t[0], 2, out _), [GradCheck.Random(5, 3, 5)]);
}
