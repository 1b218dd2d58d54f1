using System.Text;
using NeuralSharp.Serialization;

namespace NeuralSharp.Tests.Serialization;

public sealed class AtomicFileTests
{
    private static string[] Entries(string directory) => Directory.GetFileSystemEntries(directory).Select(Path.GetFileName).Order().ToArray()!;

    [Fact]
    public void WritesNewFileAndCreatesMissingDirectories()
    {
        using var dir = new TempDirectory();
        string path = Path.Combine(dir.Path, "a", "b", "out.bin");
        AtomicFile.Write(path, s => s.Write([1, 2, 3]));
        Assert.Equal([1, 2, 3], File.ReadAllBytes(path));
        Assert.Equal(["out.bin"], Entries(Path.GetDirectoryName(path)!));
    }

    [Fact]
    public void ReplacesExistingFile()
    {
        using var dir = new TempDirectory();
        string path = dir.File("x.txt");
        File.WriteAllText(path, "old content that is longer");
        AtomicFile.WriteAllText(path, "new");
        Assert.Equal("new", File.ReadAllText(path));
        Assert.Equal(["x.txt"], Entries(dir.Path));
    }

    [Fact]
    public void ThrowingWriterLeavesOriginalIntactAndNoTempFile()
    {
        using var dir = new TempDirectory();
        string path = dir.File("model.safetensors");
        File.WriteAllBytes(path, [9, 9, 9]);
        var e = Assert.Throws<InvalidOperationException>(() => AtomicFile.Write(path, s =>
        {
            s.Write(new byte[100_000]);
            throw new InvalidOperationException("boom");
        }));
        Assert.Equal("boom", e.Message);
        Assert.Equal([9, 9, 9], File.ReadAllBytes(path));
        Assert.Equal(["model.safetensors"], Entries(dir.Path));
    }

    [Fact]
    public void ThrowingWriterCreatesNothingWhenThereWasNoFile()
    {
        using var dir = new TempDirectory();
        Assert.Throws<IOException>(() => AtomicFile.Write(dir.File("new.bin"), _ => throw new IOException("disk full")));
        Assert.Empty(Entries(dir.Path));
    }

    [Fact]
    public void SaveOfAThrowingEnumerationLeavesTheOldFile()
    {
        using var dir = new TempDirectory();
        string path = dir.File("m.safetensors");
        SafeTensors.Save(path, [new("a", Tensor.Scalar(1f))]);
        byte[] before = File.ReadAllBytes(path);
        var t = Tensor.Scalar(2f);
        var e = Assert.Throws<ArgumentException>(() => SafeTensors.Save(path, [new("a", t), new("a", t)]));
        Assert.Equal(before, File.ReadAllBytes(path));
        Assert.Equal(["m.safetensors"], Entries(dir.Path));
    }

    [Fact]
    public void WriterMayDisposeTheStream()
    {
        using var dir = new TempDirectory();
        string path = dir.File("t.txt");
        AtomicFile.Write(path, s =>
        {
            using var writer = new StreamWriter(s);
            writer.Write("via writer");
        });
        Assert.Equal("via writer", File.ReadAllText(path));
        Assert.Equal(["t.txt"], Entries(dir.Path));
    }

    [Fact]
    public void WriteAllTextAndBytes()
    {
        using var dir = new TempDirectory();
        string path = dir.File("t.txt");
        AtomicFile.WriteAllText(path, "héllo");
        Assert.Equal(Encoding.UTF8.GetBytes("héllo"), File.ReadAllBytes(path)); // no BOM by default
        AtomicFile.WriteAllText(path, "hi", Encoding.UTF8);
        Assert.Equal([0xEF, 0xBB, 0xBF, (byte)'h', (byte)'i'], File.ReadAllBytes(path));
        AtomicFile.WriteAllBytes(path, [4, 5]);
        Assert.Equal([4, 5], File.ReadAllBytes(path));
        AtomicFile.WriteAllBytes(path, []);
        Assert.Empty(File.ReadAllBytes(path));
        Assert.Equal(["t.txt"], Entries(dir.Path));
    }

    [Fact]
    public void RejectsDirectoryPaths()
    {
        using var dir = new TempDirectory();
        Assert.Throws<ArgumentException>(() => AtomicFile.Write(dir.Path + Path.DirectorySeparatorChar, _ => { }));
        Assert.Throws<ArgumentException>(() => AtomicFile.Write("", _ => { }));
    }
}
