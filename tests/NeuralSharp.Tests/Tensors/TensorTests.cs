namespace NeuralSharp.Tests.Tensors;

public class TensorTests
{
    [Fact]
    public void FactoriesAndIndexing()
    {
        var t = Tensor.FromArray([1f, 2f, 3f, 4f, 5f, 6f], 2, 3);
        Assert.Equal([2, 3], t.ShapeArray);
        Assert.Equal(6, t.Size);
        Assert.Equal(6f, t[1, 2]);
        Assert.Equal(3, t.Dim(-1));
        Assert.Equal(0f, Tensor.Zeros(4, 5).ToArray().Sum());
        Assert.Equal(20f, Tensor.Ones(4, 5).ToArray().Sum());
        Assert.Equal(2.5f, Tensor.Scalar(2.5f).Item());
        Assert.Equal(0, Tensor.Zeros(0, 3).Size);
    }

    [Fact]
    public void BadShapesNameTheOperationAndShapes()
    {
        var ex = Assert.Throws<ArgumentException>(() => Tensor.FromArray([1f, 2f], 3));
        Assert.Contains("Tensor.FromArray", ex.Message);
        var a = Tensor.Zeros(2, 3);
        var b = Tensor.Zeros(4, 3);
        ex = Assert.Throws<ArgumentException>(() => a + b);
        Assert.Contains("Add", ex.Message);
        Assert.Contains("[2, 3]", ex.Message);
        Assert.Contains("[4, 3]", ex.Message);
        ex = Assert.Throws<ArgumentException>(() => a.MatMul(b));
        Assert.Contains("MatMul", ex.Message);
        Assert.Contains("[2, 3]", ex.Message);
        Assert.Contains("[4, 3]", ex.Message);
        ex = Assert.Throws<ArgumentException>(() => Functional.Linear(a, Tensor.Zeros(5, 4)));
        Assert.Contains("Linear", ex.Message);
        Assert.Contains("[5, 4]", ex.Message);
        ex = Assert.Throws<ArgumentException>(() => a.Reshape(4, 2));
        Assert.Contains("Reshape", ex.Message);
        ex = Assert.Throws<ArgumentException>(() => Functional.CrossEntropy(a, [0, 3]));
        Assert.Contains("target 3 in row 1", ex.Message);
    }

    [Fact]
    public void ReshapeAndSliceAreViewsThatShareTheBuffer()
    {
        var t = Tensor.FromArray([0f, 1f, 2f, 3f, 4f, 5f], 3, 2);
        var flat = t.Reshape(-1);
        var rows = t.SliceRows(1, 2);
        flat.Data[2] = 42f;
        Assert.Equal(42f, rows[0, 0]);
        t.Dispose();
        Assert.False(flat.IsDisposed); // the views keep the buffer alive
        Assert.Equal(42f, rows[0, 0]);
        flat.Dispose();
        rows.Dispose();
        Assert.Throws<ObjectDisposedException>(() => rows.Data[0]);
    }

    [Fact]
    public void ScopeDisposesWhatItOwnsAndKeepsWhatIsMovedOut()
    {
        Tensor inner, kept;
        using (TensorScope.Begin())
        {
            inner = Tensor.Zeros(1000);
            kept = Tensor.Ones(1000).MoveToOuterScope();
        }
        Assert.True(inner.IsDisposed);
        Assert.False(kept.IsDisposed);
        Assert.Equal(1000f, kept.ToArray().Sum());
    }

    [Fact]
    public void PoolRecyclesBuffersOfRepeatedShapes()
    {
        const int size = 12345;
        for (int i = 0; i < 3; i++)
        {
            using var scope = TensorScope.Begin();
            _ = Tensor.Empty(size);
        }
        long before = TensorPool.AllocatedArrays;
        for (int i = 0; i < 100; i++)
        {
            using var scope = TensorScope.Begin();
            _ = Tensor.Empty(size);
        }
        // Other tests run in parallel and may allocate; this loop alone would add 100 without the pool.
        Assert.True(TensorPool.AllocatedArrays - before < 50);
    }

    [Fact]
    public void NoGradRecordsNothing()
    {
        var w = Tensor.Ones(3).RequireGrad();
        using (GradMode.NoGrad())
        {
            var y = w * 2f;
            Assert.False(y.RequiresGrad);
            Assert.Null(y.GradFn);
        }
        Assert.True((w * 2f).RequiresGrad);
    }

    [Fact]
    public void DetachCutsTheGraph()
    {
        var x = Tensor.FromArray([1f, 2f], 2).RequireGrad();
        var y = (x * x).Detach() * x;
        y.Sum().Backward();
        Assert.Equal([1f, 4f], x.Grad!.ToArray()); // only through the second factor
    }

    [Fact]
    public void BackwardTwiceNeedsRetainGraph()
    {
        var x = Tensor.FromArray([1f, 2f], 2).RequireGrad();
        var loss = (x * x).Sum();
        loss.Backward(retainGraph: true);
        loss.Backward();
        Assert.Equal([4f, 8f], x.Grad!.ToArray());
        var ex = Assert.Throws<InvalidOperationException>(() => loss.Backward());
        Assert.Contains("freed", ex.Message);
    }

    [Fact]
    public void BackwardOfANonScalarNeedsAGradient()
    {
        var x = Tensor.Ones(2, 2).RequireGrad();
        var ex = Assert.Throws<InvalidOperationException>(() => (x * 2f).Backward());
        Assert.Contains("[2, 2]", ex.Message);
    }

    [Fact]
    public void RandomSourceIsReproducibleAndRestorable()
    {
        var a = new RandomSource(123);
        var b = new RandomSource(123);
        for (int i = 0; i < 100; i++) Assert.Equal(a.NextUInt32(), b.NextUInt32());
        var state = a.GetState();
        var first = Enumerable.Range(0, 10).Select(_ => a.NextGaussian()).ToArray();
        a.SetState(state);
        var again = Enumerable.Range(0, 10).Select(_ => a.NextGaussian()).ToArray();
        Assert.Equal(first, again);
        var counts = new int[7];
        var r = new RandomSource(5);
        for (int i = 0; i < 7000; i++) counts[r.NextInt(7)]++;
        Assert.All(counts, c => Assert.InRange(c, 850, 1150));
    }
}
