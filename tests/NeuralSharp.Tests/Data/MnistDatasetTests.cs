using System.Diagnostics;
using NeuralSharp.Data;
using Xunit.Abstractions;

namespace NeuralSharp.Tests.Data;

public class MnistDatasetTests(ITestOutputHelper output)
{
    private const string FashionFolder = "/usr/share/datasets/fashion-mnist";

    private static void WriteSplit(TempFolder folder, string prefix, int count, bool gzip, int badLabelAt = -1, int labelCount = -1)
    {
        var pixels = new double[count * 4 * 3];
        for (int i = 0; i < pixels.Length; i++) pixels[i] = (i * 37) % 256;
        var labels = Enumerable.Range(0, labelCount < 0 ? count : labelCount).Select(i => (double)(i == badLabelAt ? 10 : i % 10)).ToArray();
        var images = IdxTestFiles.Encode(IdxDataType.UnsignedByte, [count, 4, 3], pixels);
        var labelBytes = IdxTestFiles.Encode(IdxDataType.UnsignedByte, [labels.Length], labels);
        string ext = gzip ? ".gz" : "";
        File.WriteAllBytes(folder.File($"{prefix}-images-idx3-ubyte{ext}"), gzip ? IdxTestFiles.Gzip(images) : images);
        File.WriteAllBytes(folder.File($"{prefix}-labels-idx1-ubyte{ext}"), gzip ? IdxTestFiles.Gzip(labelBytes) : labelBytes);
    }

    [Theory]
    [InlineData(true, false)]
    [InlineData(false, true)]
    public void LoadsSyntheticSplit(bool train, bool gzip)
    {
        using var folder = new TempFolder();
        WriteSplit(folder, train ? "train" : "t10k", 25, gzip);
        var d = MnistDataset.Load(folder.Path, train);
        Assert.Equal(25, d.Count);
        Assert.Equal(new[] { 12 }, d.FeatureShape);
        Assert.Equal(10, d.ClassCount);
        Assert.Equal(7, d.GetLabel(17));
        Assert.Equal(37 / 255f, d.Features[1]);
        Assert.Equal((299 * 37 % 256) / 255f, d.Features[299]);
    }

    [Fact]
    public void ErrorsNameTheFiles()
    {
        using var folder = new TempFolder();
        var missing = Assert.Throws<FileNotFoundException>(() => MnistDataset.Load(folder.Path, train: true));
        Assert.Contains("train-images-idx3-ubyte.gz", missing.Message);
        Assert.Throws<DirectoryNotFoundException>(() => MnistDataset.Load(folder.File("nope"), true));

        WriteSplit(folder, "train", 5, gzip: false, labelCount: 6);
        var mismatch = Assert.Throws<DataFormatException>(() => MnistDataset.Load(folder.Path, true));
        Assert.Contains(folder.File("train-images-idx3-ubyte"), mismatch.Message);
        Assert.Contains(folder.File("train-labels-idx1-ubyte"), mismatch.Message);
        Assert.Contains("5 images", mismatch.Message);
        Assert.Contains("6 labels", mismatch.Message);

        WriteSplit(folder, "t10k", 5, gzip: false, badLabelAt: 3);
        var bad = Assert.Throws<DataFormatException>(() => MnistDataset.Load(folder.Path, false));
        Assert.Equal(folder.File("t10k-labels-idx1-ubyte"), bad.FilePath);
        Assert.Equal(11, bad.ByteOffset);
        Assert.Contains("label 10 in row 3 is outside [0, 10)", bad.Message);
    }

    [Fact]
    public void LoadsFashionMnistWhenInstalled()
    {
        if (!Directory.Exists(FashionFolder))
        {
            output.WriteLine($"SKIPPED: {FashionFolder} is absent (apt-get install dataset-fashion-mnist).");
            return;
        }
        var watch = Stopwatch.StartNew();
        var train = MnistDataset.Load(FashionFolder, train: true, MnistDataset.FashionMnistClassNames);
        var test = MnistDataset.Load(FashionFolder, train: false);
        output.WriteLine($"Loaded Fashion-MNIST in {watch.ElapsedMilliseconds} ms.");
        Assert.Equal(60000, train.Count);
        Assert.Equal(10000, test.Count);
        Assert.Equal(new[] { 784 }, train.FeatureShape);
        Assert.Equal("Ankle boot", train.ClassNames![9]);
        Assert.All(train.CountPerClass(), n => Assert.Equal(6000, n));
        Assert.All(test.CountPerClass(), n => Assert.Equal(1000, n));
        var features = test.Features;
        float min = float.MaxValue, max = float.MinValue;
        foreach (float v in features) { min = Math.Min(min, v); max = Math.Max(max, v); }
        Assert.Equal(0f, min);
        Assert.Equal(1f, max);
        // The first training image is an ankle boot (label 9) in the published dataset.
        Assert.Equal(9, train.GetLabel(0));
    }
}
