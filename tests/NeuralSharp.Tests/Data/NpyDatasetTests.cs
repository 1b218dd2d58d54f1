using NeuralSharp.Data;
using NeuralSharp.Serialization;

namespace NeuralSharp.Tests.Data;

public sealed class NpyDatasetTests
{
    private static string TempDir()
    {
        string dir = Path.Combine(Path.GetTempPath(), "neuralsharp-npyds-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        return dir;
    }

    [Fact]
    public void LoadsFeaturesAndLabelsFromTwoFiles()
    {
        string dir = TempDir();
        try
        {
            var x = Enumerable.Range(0, 24).Select(i => i * 0.5).ToArray();
            Npy.Write(Path.Combine(dir, "x.npy"), NpyArray.FromDoubles(x, 4, 2, 3));
            Npy.Write(Path.Combine(dir, "y.npy"), NpyArray.FromInt64s([2, 0, 1, 2], 4));
            var ds = NpyDataset.Load(Path.Combine(dir, "x.npy"), Path.Combine(dir, "y.npy"));
            Assert.Equal(4, ds.Count);
            Assert.Equal([2, 3], ds.FeatureShape);
            Assert.Equal(3, ds.ClassCount);
            Assert.Equal(x.Select(v => (float)v), ds.Features.ToArray());
            Assert.Equal([2, 0, 1, 2], ds.Labels.ToArray());
            Assert.Equal(5, NpyDataset.Load(Path.Combine(dir, "x.npy"), Path.Combine(dir, "y.npy"), classCount: 5).ClassCount);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void RejectsMismatchedShapesAndBadLabels()
    {
        var x = NpyArray.FromSingles(new float[6], 3, 2);
        Assert.Equal([1], NpyDataset.FromArrays(NpyArray.FromSingles(new float[3], 3), NpyArray.FromBooleans([true, false, true], 3)).FeatureShape);
        Assert.Contains("expected 3 labels", Assert.Throws<DataFormatException>(() => NpyDataset.FromArrays(x, NpyArray.FromInt32s([0, 1], 2))).Message);
        Assert.Contains("row 1", Assert.Throws<DataFormatException>(() => NpyDataset.FromArrays(x, NpyArray.FromInt32s([0, -1, 0], 3))).Message);
        Assert.Contains("row 2", Assert.Throws<DataFormatException>(() => NpyDataset.FromArrays(x, NpyArray.FromInt32s([0, 1, 4], 3), classCount: 4)).Message);
        Assert.Contains("whole number", Assert.Throws<DataFormatException>(() => NpyDataset.FromArrays(x, NpyArray.FromSingles([0f, 1.5f, 0f], 3))).Message);
        Assert.Equal([0, 1, 0], NpyDataset.FromArrays(x, NpyArray.FromSingles([0f, 1f, 0f], 3)).Labels.ToArray());
        Assert.Throws<DataFormatException>(() => NpyDataset.FromArrays(NpyArray.FromSingles([1f], []), NpyArray.FromInt32s([0], 1)));
    }
}
