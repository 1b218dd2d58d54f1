using NeuralSharp.Data;

namespace NeuralSharp.Tests.Data;

public class DataLoaderTests
{
    /// <summary>The sample ids (feature 0) of every batch of one epoch.</summary>
    private static List<int[]> Epoch(DataLoader loader)
    {
        var batches = new List<int[]>();
        int first = -1;
        foreach (var batch in loader)
        {
            using (batch)
            {
                var data = batch.Inputs.Data;
                var ids = new int[batch.Count];
                for (int i = 0; i < ids.Length; i++)
                {
                    ids[i] = (int)data[i * 2];
                    Assert.Equal(-ids[i], data[i * 2 + 1]);
                    Assert.Equal(ids[i] % 3, batch.Labels[i]);
                }
                if (first < 0) first = batch.Index;
                Assert.Equal(first + batches.Count, batch.Index);
                batches.Add(ids);
            }
        }
        return batches;
    }

    private static int[] Flat(List<int[]> batches) => batches.SelectMany(b => b).ToArray();

    [Fact]
    public void BatchesInOrderWithShortLastBatch()
    {
        var loader = new DataLoader(InMemoryDatasetTests.Numbered(10), 4);
        Assert.Equal(3, loader.BatchesPerEpoch);
        var epoch = Epoch(loader);
        Assert.Equal(new[] { 4, 4, 2 }, epoch.Select(b => b.Length));
        Assert.Equal(Enumerable.Range(0, 10), Flat(epoch));
        Assert.Equal(1, loader.Epoch);
        Assert.Equal(Flat(epoch), Flat(Epoch(loader))); // no shuffle: same order every epoch
        Assert.Equal(2, loader.Epoch);
    }

    [Fact]
    public void BatchShapeFollowsFeatureShape()
    {
        var d = new InMemoryDataset(new float[5 * 12], new int[5], [3, 4], 1);
        using var scope = TensorScope.Begin();
        var batch = new DataLoader(d, 2).First();
        Assert.Equal(new[] { 2, 3, 4 }, batch.Inputs.ShapeArray);
        Assert.Equal(2, batch.Count);
    }

    [Fact]
    public void DropLastDropsTheIncompleteBatch()
    {
        var loader = new DataLoader(InMemoryDatasetTests.Numbered(10), 4, shuffle: true, dropLast: true, seed: 3);
        Assert.Equal(2, loader.BatchesPerEpoch);
        var epoch = Epoch(loader);
        Assert.Equal(new[] { 4, 4 }, epoch.Select(b => b.Length));
        Assert.Equal(8, Flat(epoch).Distinct().Count());
        Assert.Equal(0, new DataLoader(InMemoryDatasetTests.Numbered(3), 4, dropLast: true).BatchesPerEpoch);
        Assert.Empty(Epoch(new DataLoader(InMemoryDatasetTests.Numbered(3), 4, dropLast: true)));
        Assert.Throws<ArgumentOutOfRangeException>(() => new DataLoader(InMemoryDatasetTests.Numbered(3), 0));
    }

    [Fact]
    public void ShuffleIsDeterministicPerSeedAndDiffersPerEpoch()
    {
        var data = InMemoryDatasetTests.Numbered(103);
        var a = new DataLoader(data, 8, shuffle: true, seed: 77);
        var b = new DataLoader(data, 8, shuffle: true, seed: 77);
        var c = new DataLoader(data, 8, shuffle: true, seed: 78);
        var orders = new List<int[]>();
        for (int e = 0; e < 4; e++)
        {
            var ea = Flat(Epoch(a));
            Assert.Equal(ea, Flat(Epoch(b)));
            Assert.NotEqual(ea, Flat(Epoch(c)));
            Assert.Equal(Enumerable.Range(0, 103), ea.Order()); // every sample exactly once
            Assert.NotEqual(Enumerable.Range(0, 103), ea);
            orders.Add(ea);
        }
        for (int i = 0; i < orders.Count; i++)
            for (int j = i + 1; j < orders.Count; j++)
                Assert.NotEqual(orders[i], orders[j]);
    }

    [Fact]
    public void StateRestoresAtEpochBoundaryAndMidEpoch()
    {
        var data = InMemoryDatasetTests.Numbered(50);
        var reference = new DataLoader(data, 7, shuffle: true, seed: 5);
        var epochs = Enumerable.Range(0, 4).Select(_ => Epoch(reference)).ToList();

        // Boundary: after epoch 1.
        var loader = new DataLoader(data, 7, shuffle: true, seed: 5);
        Epoch(loader);
        Epoch(loader);
        var boundary = loader.GetState();
        Assert.Equal(new DataLoaderState(2, 0, boundary.Random), boundary);
        var resumed = new DataLoader(data, 7, shuffle: true, seed: 999);
        resumed.SetState(boundary);
        Assert.Equal(2, resumed.Epoch);
        Assert.Equal(epochs[2], Epoch(resumed));
        Assert.Equal(epochs[3], Epoch(resumed));

        // Mid-epoch: checkpoint taken while the third batch of epoch 2 is in use (round-tripped through JSON).
        loader = new DataLoader(data, 7, shuffle: true, seed: 5);
        Epoch(loader);
        Epoch(loader);
        DataLoaderState mid = default;
        int seen = 0;
        using (TensorScope.Begin())
        {
            foreach (var batch in loader)
            {
                if (++seen == 3) { mid = loader.GetState(); break; }
            }
        }
        Assert.Equal(2, mid.Epoch);
        Assert.Equal(3, mid.BatchIndex);
        var json = System.Text.Json.Nodes.JsonNode.Parse(mid.ToJson().ToJsonString())!.AsObject();
        Assert.Equal(mid, DataLoaderState.FromJson(json));
        resumed = new DataLoader(data, 7, shuffle: true, seed: 5);
        resumed.SetState(DataLoaderState.FromJson(json));
        var rest = new List<int[]>();
        foreach (var batch in resumed)
        {
            using (batch)
            {
                Assert.Equal(3 + rest.Count, batch.Index);
                rest.Add(Enumerable.Range(0, batch.Count).Select(i => (int)batch.Inputs.Data[2 * i]).ToArray());
            }
        }
        Assert.Equal(epochs[2].Skip(3), rest);
        Assert.Equal(3, resumed.Epoch);
        Assert.Equal(epochs[3], Epoch(resumed));

        // The original loader, after the break, continues the same epoch too.
        Assert.Equal(epochs[2].Skip(3), Epoch(loader));
        Assert.Equal(epochs[3], Epoch(loader));
    }

    [Fact]
    public void StateAfterLastBatchIsTheNextEpochBoundary()
    {
        var data = InMemoryDatasetTests.Numbered(20);
        var loader = new DataLoader(data, 5, shuffle: true, seed: 1);
        DataLoaderState during = default;
        foreach (var batch in loader) { batch.Dispose(); during = loader.GetState(); }
        Assert.Equal(1, during.Epoch);
        Assert.Equal(0, during.BatchIndex);
        Assert.Equal(loader.GetState(), during);

        var reference = new DataLoader(data, 5, shuffle: true, seed: 1);
        Epoch(reference);
        var fromLast = new DataLoader(data, 5, shuffle: true, seed: 1);
        fromLast.SetState(new DataLoaderState(0, 4, new RandomSource(1).GetState()));
        Assert.Equal(reference.GetState(), fromLast.GetState());
        Assert.Throws<ArgumentOutOfRangeException>(() => fromLast.SetState(new DataLoaderState(0, 5, new RandomSource(1).GetState())));
    }

    [Fact]
    public void WorksWithAnyIDataset()
    {
        var wrapped = new Wrapper(InMemoryDatasetTests.Numbered(9));
        var loader = new DataLoader(wrapped, 4, shuffle: true, seed: 2);
        Assert.Equal(Flat(Epoch(new DataLoader(InMemoryDatasetTests.Numbered(9), 4, shuffle: true, seed: 2))), Flat(Epoch(loader)));
    }

    private sealed class Wrapper(IDataset inner) : IDataset
    {
        public int Count => inner.Count;
        public int[] FeatureShape => inner.FeatureShape;
        public int FeatureCount => inner.FeatureCount;
        public int ClassCount => inner.ClassCount;
        public IReadOnlyList<string>? ClassNames => inner.ClassNames;
        public void CopyFeatures(int index, Span<float> destination) => inner.CopyFeatures(index, destination);
        public int GetLabel(int index) => inner.GetLabel(index);
    }
}
