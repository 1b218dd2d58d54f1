using NeuralSharp.Serialization;
using NeuralSharp.Tests.Fixtures;

namespace NeuralSharp.Tests.Serialization;

using static SafeTensorsTestFiles;

/// <summary>Typed (integer) safetensors arrays: round trips, and bytes identical to a file laid out as the Python package does.</summary>
public sealed class SafeTensorsArrayTests
{
    private static string GoldenPath => Path.Combine(Fixture.DataPath, "safetensors", "int_dtypes.safetensors");

    private static readonly sbyte[] Q = Enumerable.Range(-6, 12).Select(i => (sbyte)(i * 21)).ToArray();

    [Fact]
    public void ReadsTheGoldenIntegerFileExactly()
    {
        var arrays = SafeTensors.LoadArrays(GoldenPath);
        Assert.Equal(["l", "scale", "i", "q", "u"], arrays.Keys); // header order
        Assert.Equal(SafeTensorsDType.I8, arrays["q"].DType);
        Assert.Equal([3, 4], arrays["q"].Shape);
        Assert.Equal(Q, arrays["q"].ToSByteArray());
        Assert.Equal(Q.Select(v => (long)v), arrays["q"].ToInt64Array());
        Assert.Equal(new byte[] { 0, 1, 127, 128, 255 }, arrays["u"].ToByteArray());
        Assert.Equal([int.MinValue, int.MaxValue, 0, -1], arrays["i"].ToInt32Array());
        Assert.Equal([long.MinValue, long.MaxValue, 5], arrays["l"].ToInt64Array());
        Assert.Throws<OverflowException>(() => arrays["l"].ToInt32Array());
        Assert.Throws<InvalidOperationException>(() => arrays["scale"].ToInt64Array());
        Assert.Throws<InvalidOperationException>(() => arrays["u"].ToSByteArray());
        using (var t = arrays["scale"].ToTensor()) Assert.Equal([0.5f, 0.25f, 0.125f], t.ToArray());
        using (var t = arrays["q"].ToTensor()) Assert.Equal(Q.Select(v => (float)v), t.ToArray());

        // The float32 loader reads the same file (every dtype converted).
        using var file = SafeTensors.Load(GoldenPath);
        Assert.Equal(SafeTensorsDType.I8, file.DType("q"));
        Assert.Equal(Q.Select(v => (float)v), file["q"].ToArray());
    }

    [Fact]
    public void WritesTheGoldenFileByteForByte()
    {
        // In the Python package's order: dtype I64, F32, I32, I8, U8 (its enum order reversed), then name.
        byte[] actual = Save(
        [
            new("l", SafeTensorsArray.FromInt64s([long.MinValue, long.MaxValue, 5], 3)),
            new("scale", SafeTensorsArray.FromTensor(Tensor.FromArray([0.5f, 0.25f, 0.125f], 3))),
            new("i", SafeTensorsArray.FromInt32s([int.MinValue, int.MaxValue, 0, -1], 2, 2)),
            new("q", SafeTensorsArray.FromSBytes(Q, 3, 4)),
            new("u", SafeTensorsArray.FromBytes([0, 1, 127, 128, 255], 5)),
        ], new Dictionary<string, string> { ["format"] = "pt" });
        Assert.Equal(File.ReadAllBytes(GoldenPath), actual);
    }

    [Fact]
    public void RoundTripsEveryDTypeThroughAFile()
    {
        using var dir = new TempDirectory();
        var random = new Random(1234);
        var q = new sbyte[40];
        random.NextBytes(System.Runtime.InteropServices.MemoryMarshal.AsBytes(q.AsSpan()));
        using var w = Tensor.FromArray(Enumerable.Range(0, 6).Select(i => i * 0.37f - 1f).ToArray(), 2, 3);
        var arrays = new Dictionary<string, SafeTensorsArray>
        {
            ["q"] = SafeTensorsArray.FromSBytes(q, 5, 8),
            ["empty"] = SafeTensorsArray.FromSBytes([], 0, 3),
            ["scalar"] = SafeTensorsArray.FromInt64s([42], []),
            ["bf16"] = SafeTensorsArray.FromTensor(w, SafeTensorsDType.BF16),
            ["f16"] = SafeTensorsArray.FromTensor(w, SafeTensorsDType.F16),
            ["raw"] = new SafeTensorsArray(SafeTensorsDType.U16, [2], [1, 2, 3, 4]),
        };
        SafeTensors.SaveArrays(dir.File("m.safetensors"), arrays, new Dictionary<string, string> { ["k"] = "v" });
        var back = SafeTensors.LoadArrays(dir.File("m.safetensors"));
        Assert.Equal(arrays.Keys, back.Keys);
        foreach (var (name, array) in arrays)
        {
            Assert.Equal(array.DType, back[name].DType);
            Assert.Equal(array.Shape, back[name].Shape);
            Assert.Equal(array.Data.ToArray(), back[name].Data.ToArray());
        }
        Assert.Equal(q, back["q"].ToSByteArray());
        Assert.Equal([0x0201L, 0x0403], back["raw"].ToInt64Array());
        using var file = SafeTensors.Load(dir.File("m.safetensors"));
        Assert.Equal("v", file.Metadata["k"]);
        Assert.Equal(q.Select(v => (float)v), file["q"].ToArray());
        Assert.Equal([42f], file["scalar"].ToArray());
        // F16 and BF16 as the float writer stores them.
        Assert.Equal(SaveBytes([Pair("t", w)], dtype: SafeTensorsDType.BF16), Save([new("t", arrays["bf16"])]));
    }

    [Fact]
    public void SaveArraysValidatesItsArguments()
    {
        var a = SafeTensorsArray.FromSBytes([1, 2], 2);
        Assert.Throws<ArgumentException>(() => Save([new("x", a), new("x", a)]));
        Assert.Throws<ArgumentException>(() => Save([new("__metadata__", a)]));
        Assert.Throws<ArgumentException>(() => Save([new("x", null!)]));
        Assert.Throws<ArgumentException>(() => SafeTensorsArray.FromSBytes([1, 2], 3));
        Assert.Throws<ArgumentException>(() => new SafeTensorsArray(SafeTensorsDType.I32, [2], new byte[7]));
        Assert.Throws<ArgumentException>(() => SafeTensorsArray.FromTensor(Tensor.Scalar(1f), SafeTensorsDType.I8));
    }

    private static byte[] Save(IEnumerable<KeyValuePair<string, SafeTensorsArray>> arrays, IReadOnlyDictionary<string, string>? metadata = null)
    {
        var stream = new MemoryStream();
        SafeTensors.SaveArrays(stream, arrays, metadata);
        return stream.ToArray();
    }
}
