using NeuralSharp.Serialization;
using System.Buffers.Binary;

namespace NeuralSharp.Tests.Serialization;

using static SafeTensorsTestFiles;

public sealed class SafeTensorsRoundTripTests
{
    private static Tensor RandomTensor(Random random, int[] shape, float scale = 1f)
    {
        int size = shape.Aggregate(1, (a, b) => a * b);
        var data = new float[size];
        for (int i = 0; i < size; i++) data[i] = (float)(random.NextDouble() * 2 - 1) * scale;
        return Tensor.FromArray(data, shape);
    }

    private static void AssertBitsEqual(ReadOnlySpan<float> expected, ReadOnlySpan<float> actual)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
            Assert.True(BitConverter.SingleToInt32Bits(expected[i]) == BitConverter.SingleToInt32Bits(actual[i]), $"element {i}: expected {expected[i]:R}, got {actual[i]:R}");
    }

    [Fact]
    public void F32RoundTripIsBitExact()
    {
        var random = new Random(1234);
        float[] special = [0f, -0f, float.NaN, float.PositiveInfinity, float.NegativeInfinity, float.Epsilon, -float.Epsilon,
            float.MaxValue, float.MinValue, 1e-40f, BitConverter.Int32BitsToSingle(0x7FC12345), 1f / 3];
        var tensors = new List<KeyValuePair<string, Tensor>>
        {
            Pair("special", Tensor.FromArray(special, special.Length)),
            Pair("matrix", RandomTensor(random, [17, 33], 1000f)),
            Pair("big", RandomTensor(random, [300_001])), // more than one 1 MiB chunk
            Pair("rank4", RandomTensor(random, [2, 3, 4, 5])),
        };
        var file = LoadBytes(SaveBytes(tensors));
        Assert.Equal(tensors.Select(p => p.Key), file.Names);
        foreach (var (name, tensor) in tensors)
        {
            Assert.Equal(tensor.ShapeArray, file.Shape(name));
            Assert.Equal(SafeTensorsDType.F32, file.DType(name));
            AssertBitsEqual(tensor.Data, file[name].Data);
        }
    }

    [Fact]
    public void F64RoundTripIsExact()
    {
        var random = new Random(1234);
        var t = RandomTensor(random, [5, 7], 1e10f);
        var file = LoadBytes(SaveBytes([Pair("w", t)], dtype: SafeTensorsDType.F64));
        Assert.Equal(SafeTensorsDType.F64, file.DType("w"));
        AssertBitsEqual(t.Data, file["w"].Data);
    }

    [Fact]
    public void F16RoundTripRoundsToNearestEven()
    {
        var random = new Random(1234);
        var values = new float[5000];
        for (int i = 0; i < values.Length; i++) values[i] = (float)((random.NextDouble() * 2 - 1) * Math.Pow(2, random.Next(-30, 20)));
        values[0] = 65504f; values[1] = 65520f; values[2] = 1f + MathF.ScaleB(1, -11); values[3] = 1f + 3 * MathF.ScaleB(1, -11);
        var file = LoadBytes(SaveBytes([Pair("h", Tensor.FromArray(values, values.Length))], dtype: SafeTensorsDType.F16));
        Assert.Equal(SafeTensorsDType.F16, file.DType("h"));
        var loaded = file["h"].Data;
        for (int i = 0; i < values.Length; i++)
        {
            float expected = ReferenceRound(values[i], HalfGrid);
            Assert.True(BitConverter.SingleToInt32Bits(expected) == BitConverter.SingleToInt32Bits(loaded[i]), $"F16 of {values[i]:R}: expected {expected:R}, got {loaded[i]:R}");
            if (Math.Abs(values[i]) is >= 6.2e-5f and <= 65504f)
                Assert.True(Math.Abs(loaded[i] - values[i]) <= Math.Abs(values[i]) * MathF.ScaleB(1, -11), $"F16 of {values[i]:R} off by more than half an ulp");
        }
        Assert.Equal(float.PositiveInfinity, loaded[1]);
        Assert.Equal(1f, loaded[2]);
        Assert.Equal(1f + MathF.ScaleB(1, -9), loaded[3]);
    }

    [Fact]
    public void BF16RoundTripRoundsToNearestEven()
    {
        var random = new Random(1234);
        var values = new float[5000];
        for (int i = 0; i < values.Length; i++) values[i] = BitConverter.Int32BitsToSingle(random.Next()) * (random.Next(2) == 0 ? 1 : -1);
        values[0] = 1f + MathF.ScaleB(1, -8); values[1] = 1f + 3 * MathF.ScaleB(1, -8); values[2] = float.MaxValue; values[3] = float.NaN;
        var file = LoadBytes(SaveBytes([Pair("b", Tensor.FromArray(values, values.Length))], dtype: SafeTensorsDType.BF16));
        var loaded = file["b"].Data;
        for (int i = 0; i < values.Length; i++)
        {
            if (float.IsNaN(values[i])) { Assert.True(float.IsNaN(loaded[i])); continue; }
            float expected = ReferenceRound(values[i], BFloat16Grid);
            Assert.True(BitConverter.SingleToInt32Bits(expected) == BitConverter.SingleToInt32Bits(loaded[i]), $"BF16 of {values[i]:R}: expected {expected:R}, got {loaded[i]:R}");
        }
        Assert.Equal(1f, loaded[0]);
        Assert.Equal(1f + MathF.ScaleB(1, -6), loaded[1]);
        Assert.Equal(float.PositiveInfinity, loaded[2]);
    }

    // Independent references: the two neighbouring representable values (computed in double) and a
    // round-half-to-even choice between them.
    private static (double Low, double High, bool LowIsEven) HalfGrid(double x)
    {
        double a = Math.Abs(x);
        int e = Math.Max(a == 0 ? -14 : (int)Math.Floor(Math.Log2(a)), -14);
        double ulp = Math.Pow(2, e - 10);
        double low = Math.Floor(a / ulp) * ulp;
        if (low > 65504) return (double.PositiveInfinity, double.PositiveInfinity, true);
        double high = low == 65504 ? double.PositiveInfinity : low + ulp;
        bool lowEven = ((long)(low / ulp) & 1) == 0;
        // 65504 + ulp/2 = 65520 is the midpoint to "65536", which rounds to infinity.
        if (low == 65504) high = 65536;
        return (low, high, lowEven);
    }

    private static (double Low, double High, bool LowIsEven) BFloat16Grid(double x)
    {
        uint bits = BitConverter.SingleToUInt32Bits((float)Math.Abs(x));
        double low = BitConverter.UInt32BitsToSingle(bits & 0xFFFF0000u);
        double high = (bits & 0xFFFF0000u) == 0x7F7F0000u ? Math.Pow(2, 128) : BitConverter.UInt32BitsToSingle((bits & 0xFFFF0000u) + 0x10000u);
        return (low, high, ((bits >> 16) & 1) == 0);
    }

    private static float ReferenceRound(float value, Func<double, (double Low, double High, bool LowIsEven)> grid)
    {
        if (float.IsInfinity(value)) return value;
        double a = Math.Abs((double)value);
        var (low, high, lowEven) = grid(a);
        double pick = a - low < high - a ? low : a - low > high - a ? high : (lowEven ? low : high);
        float result = pick >= Math.Pow(2, 128) || double.IsInfinity(pick) || (grid == HalfGrid && pick > 65504) ? float.PositiveInfinity : (float)pick;
        return value < 0 || (value == 0 && float.IsNegative(value)) ? -result : result;
    }

    [Fact]
    public void ScalarsAndEmptyTensorsRoundTrip()
    {
        var tensors = new List<KeyValuePair<string, Tensor>>
        {
            Pair("scalar", Tensor.Scalar(42.5f)),
            Pair("empty", Tensor.Empty(0, 3)),
            Pair("empty2", Tensor.Empty(3, 0, 2)),
            Pair("after", Tensor.FromArray([1f, 2f], 2)),
        };
        foreach (var dtype in new[] { SafeTensorsDType.F32, SafeTensorsDType.F16, SafeTensorsDType.BF16, SafeTensorsDType.F64 })
        {
            var file = LoadBytes(SaveBytes(tensors, dtype: dtype));
            Assert.Equal(Array.Empty<int>(), file.Shape("scalar"));
            Assert.Equal(42.5f, file["scalar"].Item());
            Assert.Equal([0, 3], file.Shape("empty"));
            Assert.Equal(0, file["empty"].Size);
            Assert.Equal([3, 0, 2], file.Shape("empty2"));
            Assert.Equal([1f, 2f], file["after"].ToArray());
        }
    }

    [Fact]
    public void ManyTensorsWithMetadataRoundTripInGivenOrder()
    {
        var random = new Random(1234);
        var tensors = new List<KeyValuePair<string, Tensor>>();
        for (int i = 0; i < 300; i++)
        {
            int rank = random.Next(0, 4);
            var shape = Enumerable.Range(0, rank).Select(_ => random.Next(0, 6)).ToArray();
            tensors.Add(Pair($"layers.{299 - i}.weight", RandomTensor(random, shape)));
        }
        var metadata = new Dictionary<string, string>
        {
            ["format"] = "pt",
            ["quote\"back\\slash"] = "line\nbreak\ttab\u0001ctl",
            ["unicode é 漢字 😀"] = "<html> & 'x' + y",
            [""] = "",
        };
        var file = LoadBytes(SaveBytes(tensors, metadata));
        Assert.Equal(tensors.Select(p => p.Key), file.Names);
        Assert.Equal(metadata.OrderBy(p => p.Key, StringComparer.Ordinal), file.Metadata.OrderBy(p => p.Key, StringComparer.Ordinal));
        var dict = file.ToDictionary();
        Assert.Equal(300, dict.Count);
        foreach (var (name, tensor) in tensors)
        {
            Assert.Equal(tensor.ShapeArray, file.Shape(name));
            AssertBitsEqual(tensor.Data, dict[name].Data);
        }
    }

    [Fact]
    public void NamesWithEscapesAndUnicodeRoundTrip()
    {
        string[] names = ["a\"b", "back\\slash", "new\nline", "\u001f", "é", "😀", "", "<&>"];
        var tensors = names.Select((n, i) => Pair(n, Tensor.Full(i, 1))).ToList();
        var file = LoadBytes(SaveBytes(tensors));
        Assert.Equal(names, file.Names);
        for (int i = 0; i < names.Length; i++) Assert.Equal(i, file[names[i]].Item());
        Assert.Empty(file.Metadata);
    }

    [Fact]
    public void SaveToPathAndLoadFromPath()
    {
        using var dir = new TempDirectory();
        string path = Path.Combine(dir.Path, "sub", "model.safetensors");
        var t = Tensor.FromArray([1f, 2f, 3f, 4f], 2, 2);
        SafeTensors.Save(path, [Pair("w", t)], new Dictionary<string, string> { ["format"] = "pt" });
        SafeTensors.Save(path, [Pair("w", t), Pair("b", Tensor.Scalar(5f))]); // overwrite
        using var file = SafeTensors.Load(path);
        Assert.Equal(path, file.Source);
        Assert.Equal(["w", "b"], file.Names);
        Assert.Empty(file.Metadata);
        Assert.Equal([1f, 2f, 3f, 4f], file["w"].ToArray());
        Assert.Equal(["model.safetensors"], Directory.GetFiles(Path.GetDirectoryName(path)!).Select(Path.GetFileName));
    }

    [Fact]
    public void LoadedTensorsOutliveTensorScopes()
    {
        byte[] bytes = SaveBytes([Pair("w", Tensor.FromArray([1f, 2f], 2))]);
        SafeTensorsFile file;
        using (TensorScope.Begin())
        {
            file = LoadBytes(bytes);
        }
        Assert.False(file["w"].IsDisposed);
        Assert.Equal([1f, 2f], file["w"].ToArray());
        file.Dispose();
        Assert.True(file["w"].IsDisposed);
    }

    [Fact]
    public void LoadsFromNonSeekableStreamsAndFromTheCurrentPosition()
    {
        byte[] bytes = SaveBytes([Pair("w", Tensor.FromArray([1f, 2f, 3f], 3))]);
        var file = SafeTensors.Load(new NonSeekableStream(bytes), "pipe");
        Assert.Equal([1f, 2f, 3f], file["w"].ToArray());

        var prefixed = new MemoryStream(Concat([1, 2, 3, 4, 5], bytes));
        prefixed.Position = 5;
        Assert.Equal([1f, 2f, 3f], SafeTensors.Load(prefixed, "prefixed")["w"].ToArray());
    }

    [Fact]
    public void LookupOfAMissingNameNamesTheFile()
    {
        var file = LoadBytes(SaveBytes([Pair("w", Tensor.Scalar(1f))]), "model.safetensors");
        var e = Assert.Throws<KeyNotFoundException>(() => file["nope"]);
        Assert.Contains("'nope'", e.Message);
        Assert.Contains("model.safetensors", e.Message);
        Assert.False(file.TryGet("nope", out _));
        Assert.True(file.TryGet("w", out var w));
        Assert.Same(file["w"], w);
        Assert.True(file.Contains("w"));
        Assert.Equal(1, file.Count);
    }

    [Fact]
    public void SaveRejectsBadArgumentsWithoutTouchingTheDisk()
    {
        using var dir = new TempDirectory();
        string path = Path.Combine(dir.Path, "new", "x.safetensors");
        var t = Tensor.Scalar(1f);
        Assert.Throws<ArgumentException>(() => SafeTensors.Save(path, [Pair("a", t), Pair("a", t)]));
        Assert.Throws<ArgumentException>(() => SafeTensors.Save(path, [Pair("__metadata__", t)]));
        Assert.Throws<ArgumentException>(() => SafeTensors.Save(path, [Pair("a", t)], dtype: SafeTensorsDType.I32));
        Assert.Throws<ArgumentException>(() => SafeTensors.Save(path, [Pair("a", null!)]));
        Assert.Throws<ArgumentException>(() => SafeTensors.Save(path, [Pair("\ud800", t)]));
        var disposed = Tensor.Scalar(1f);
        disposed.Dispose();
        Assert.Throws<ObjectDisposedException>(() => SafeTensors.Save(path, [Pair("a", disposed)]));
        Assert.False(Directory.Exists(Path.Combine(dir.Path, "new")));
    }

    [Fact]
    public void ReadsEveryDTypeAsFloat32()
    {
        var data = new List<byte[]>();
        var header = new List<string>();
        long offset = 0;
        void Add(string name, string dtype, int count, byte[] bytes)
        {
            header.Add($"\"{name}\":{{\"dtype\":\"{dtype}\",\"shape\":[{count}],\"data_offsets\":[{offset},{offset + bytes.Length}]}}");
            offset += bytes.Length;
            data.Add(bytes);
        }
        byte[] Le(int size, params long[] values)
        {
            var b = new byte[size * values.Length];
            for (int i = 0; i < values.Length; i++)
                for (int k = 0; k < size; k++) b[size * i + k] = (byte)(values[i] >> (8 * k));
            return b;
        }
        Add("bool", "BOOL", 3, [0, 1, 7]);
        Add("u8", "U8", 2, [0, 255]);
        Add("i8", "I8", 2, [0x80, 0x7F]);
        Add("f8e5m2", "F8_E5M2", 3, [0x3C, 0x7C, 0xC0]);
        Add("f8e4m3", "F8_E4M3", 5, [0x38, 0x7E, 0x01, 0xB8, 0x7F]);
        Add("i16", "I16", 2, Le(2, -32768, 32767));
        Add("u16", "U16", 1, Le(2, 65535));
        Add("f16", "F16", 2, Le(2, 0x3C00, 0xC500));
        Add("bf16", "BF16", 2, Le(2, 0x3F80, 0xC040));
        Add("i32", "I32", 2, Le(4, int.MinValue, 16777217));
        Add("u32", "U32", 1, Le(4, uint.MaxValue));
        Add("f32", "F32", 1, F32(0.1f));
        var f64 = new byte[8];
        BinaryPrimitives.WriteDoubleLittleEndian(f64, 0.1);
        Add("f64", "F64", 1, f64);
        Add("i64", "I64", 2, Le(8, long.MinValue, -5));
        Add("u64", "U64", 1, Le(8, unchecked((long)ulong.MaxValue)));
        var file = LoadBytes(Build("{" + string.Join(",", header) + "}", Concat([.. data])));

        Assert.Equal([0f, 1f, 1f], file["bool"].ToArray());
        Assert.Equal([0f, 255f], file["u8"].ToArray());
        Assert.Equal([-128f, 127f], file["i8"].ToArray());
        Assert.Equal([1f, float.PositiveInfinity, -2f], file["f8e5m2"].ToArray());
        var e4m3 = file["f8e4m3"].ToArray();
        Assert.Equal([1f, 448f, MathF.ScaleB(1, -9), -1f], e4m3[..4]);
        Assert.True(float.IsNaN(e4m3[4]));
        Assert.Equal([-32768f, 32767f], file["i16"].ToArray());
        Assert.Equal([65535f], file["u16"].ToArray());
        Assert.Equal([1f, -5f], file["f16"].ToArray());
        Assert.Equal([1f, -3f], file["bf16"].ToArray());
        Assert.Equal([-2147483648f, 16777216f], file["i32"].ToArray());
        Assert.Equal([4294967296f], file["u32"].ToArray());
        Assert.Equal([0.1f], file["f32"].ToArray());
        Assert.Equal([0.1f], file["f64"].ToArray());
        Assert.Equal([-9.223372e18f, -5f], file["i64"].ToArray());
        Assert.Equal([1.8446744e19f], file["u64"].ToArray());
        Assert.Equal(SafeTensorsDType.F8E4M3, file.DType("f8e4m3"));
        Assert.Equal(SafeTensorsDType.U64, file.DType("u64"));
    }

    private sealed class NonSeekableStream(byte[] bytes) : MemoryStream(bytes)
    {
        public override bool CanSeek => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override long Seek(long offset, SeekOrigin loc) => throw new NotSupportedException();
    }
}
