using NeuralSharp.Data;

namespace NeuralSharp.Tests.Data;

public class IdxReaderTests
{
    public static TheoryData<IdxDataType, bool> TypesAndCompression()
    {
        var data = new TheoryData<IdxDataType, bool>();
        foreach (var type in new[] { IdxDataType.UnsignedByte, IdxDataType.SignedByte, IdxDataType.Int16, IdxDataType.Int32, IdxDataType.Single, IdxDataType.Double })
            foreach (bool gz in new[] { false, true })
                data.Add(type, gz);
        return data;
    }

    private static double[] SampleValues(IdxDataType type, int n)
    {
        var random = new Random(1234);
        var values = new double[n];
        for (int i = 0; i < n; i++)
            values[i] = type switch
            {
                IdxDataType.UnsignedByte => random.Next(256),
                IdxDataType.SignedByte => random.Next(-128, 128),
                IdxDataType.Int16 => random.Next(short.MinValue, short.MaxValue + 1),
                IdxDataType.Int32 => random.Next(-1 << 24, 1 << 24), // exactly representable as float
                _ => (float)(random.NextDouble() * 200 - 100),
            };
        return values;
    }

    [Theory]
    [MemberData(nameof(TypesAndCompression))]
    public void RoundTripsEveryTypeRawAndGzipped(IdxDataType type, bool gzip)
    {
        using var folder = new TempFolder();
        int[] dims = [3, 5, 7];
        var values = SampleValues(type, 105);
        var bytes = IdxTestFiles.Encode(type, dims, values);
        // Misleading extension on purpose: compression is detected from the content.
        string path = folder.File(gzip ? "data.idx" : "data.idx.gz");
        File.WriteAllBytes(path, gzip ? IdxTestFiles.Gzip(bytes) : bytes);

        var array = IdxReader.Read(path);
        Assert.Equal(type, array.DataType);
        Assert.Equal(dims, array.Dimensions);
        Assert.Equal(105, array.Count);
        var floats = array.ToSingleArray();
        for (int i = 0; i < values.Length; i++) Assert.Equal((float)values[i], floats[i]);
        if (type == IdxDataType.UnsignedByte)
        {
            Assert.NotNull(array.Bytes);
            Assert.Null(array.Values);
            Assert.Equal((byte)values[7], array.Bytes![7]);
        }
        else
        {
            Assert.Null(array.Bytes);
            Assert.Equal(floats, array.Values);
        }
    }

    [Fact]
    public void ReadsNonSeekableStreams()
    {
        var bytes = IdxTestFiles.Encode(IdxDataType.UnsignedByte, [4], [1, 2, 3, 4]);
        foreach (var content in new[] { bytes, IdxTestFiles.Gzip(bytes) })
        {
            using var stream = new ForwardOnlyStream(content);
            var array = IdxReader.Read(stream, "pipe");
            Assert.Equal(new byte[] { 1, 2, 3, 4 }, array.Bytes);
        }
    }

    [Fact]
    public void ReadsLargeGzippedArraysAcrossBufferGrowth()
    {
        using var folder = new TempFolder();
        int n = 3_000_001; // beyond the initial capacity, not a power of two
        var values = new double[n];
        for (int i = 0; i < n; i++) values[i] = (i * 7) % 251;
        File.WriteAllBytes(folder.File("big.gz"), IdxTestFiles.Gzip(IdxTestFiles.Encode(IdxDataType.UnsignedByte, [n], values)));
        var array = IdxReader.Read(folder.File("big.gz"));
        Assert.Equal(n, array.Count);
        Assert.Equal((byte)((n - 1) * 7 % 251), array.Bytes![n - 1]);
    }

    [Fact]
    public void ZeroLengthDimensionGivesEmptyArray()
    {
        using var folder = new TempFolder();
        File.WriteAllBytes(folder.File("empty"), IdxTestFiles.Header(0x08, 0, 28, 28));
        var array = IdxReader.Read(folder.File("empty"));
        Assert.Equal(0, array.Count);
        Assert.Equal(new[] { 0, 28, 28 }, array.Dimensions);
    }

    private static DataFormatException ReadBad(byte[] content, bool gzip, out string path, TempFolder folder)
    {
        path = folder.File("bad-idx3-ubyte");
        File.WriteAllBytes(path, gzip ? IdxTestFiles.Gzip(content) : content);
        string p = path;
        return Assert.Throws<DataFormatException>(() => IdxReader.Read(p));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void TruncatedDataNamesFileAndOffsets(bool gzip)
    {
        using var folder = new TempFolder();
        // Claims 60000 28x28 images (47,040,000 bytes) but holds 1218 bytes of pixels.
        var content = new byte[16 + 1218];
        IdxTestFiles.Header(0x08, 60000, 28, 28).CopyTo(content, 0);
        var e = ReadBad(content, gzip, out string path, folder);
        Assert.Equal(path, e.FilePath);
        Assert.Equal(1234, e.ByteOffset);
        Assert.Contains(path, e.Message);
        Assert.Contains("expected 47040000 bytes of data at offset 16", e.Message);
        Assert.Contains("ends at offset 1234", e.Message);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void HugeClaimedSizeFailsFastWithoutAllocatingIt(bool gzip)
    {
        using var folder = new TempFolder();
        // 2,000,000,000 doubles = 16 GB claimed by a 100-byte file: must fail, neither hang nor run out of memory.
        var content = new byte[12 + 88];
        IdxTestFiles.Header(0x0E, 2_000_000_000).CopyTo(content, 0);
        var e = ReadBad(content, gzip, out _, folder);
        Assert.Contains("expected 16000000000 bytes of data at offset 8", e.Message);
        Assert.Equal(100, e.ByteOffset);
    }

    [Fact]
    public void DimensionProductOverflowIsReported()
    {
        using var folder = new TempFolder();
        var e = ReadBad(IdxTestFiles.Header(0x08, 65536, 65536, 65536), false, out _, folder);
        Assert.Contains("more than", e.Message);
        Assert.Contains("[65536, 65536, 65536]", e.Message);
        Assert.Equal(4, e.ByteOffset);
    }

    [Fact]
    public void DimensionAboveInt32IsReported()
    {
        using var folder = new TempFolder();
        var header = IdxTestFiles.Header(0x08, 1, 1);
        header[8] = 0xFF; // second dimension 0xFF000001
        var e = ReadBad(header, false, out _, folder);
        Assert.Contains("dimension 1 is 4278190081", e.Message);
        Assert.Equal(8, e.ByteOffset);
    }

    [Theory]
    [InlineData(new byte[] { 0x1A, 0x2B, 0x08, 0x03 }, 0, "bad magic number 0x1A2B0803")]
    [InlineData(new byte[] { 0x00, 0x00, 0x07, 0x01 }, 2, "unknown type code 0x07")]
    [InlineData(new byte[] { 0x00, 0x00, 0x08, 0x00 }, 3, "zero dimensions")]
    public void BadMagicIsReported(byte[] magic, long offset, string message)
    {
        using var folder = new TempFolder();
        var content = new byte[64];
        magic.CopyTo(content, 0);
        foreach (bool gzip in new[] { false, true })
        {
            var e = ReadBad(content, gzip, out string path, folder);
            Assert.Contains(message, e.Message);
            Assert.Equal(offset, e.ByteOffset);
            Assert.StartsWith(path, e.Message);
        }
    }

    [Theory]
    [InlineData(0, "magic number")]
    [InlineData(3, "magic number")]
    [InlineData(9, "dimensions")]
    public void TruncatedHeaderIsReported(int length, string what)
    {
        using var folder = new TempFolder();
        var content = IdxTestFiles.Header(0x08, 10, 10, 10).AsSpan(0, length).ToArray();
        var e = ReadBad(content, false, out _, folder);
        Assert.Contains(what, e.Message);
        Assert.Equal(length, e.ByteOffset);
    }

    [Fact]
    public void TrailingDataIsReported()
    {
        using var folder = new TempFolder();
        var bytes = IdxTestFiles.Encode(IdxDataType.UnsignedByte, [3], [1, 2, 3]).Concat(new byte[] { 9 }).ToArray();
        var e = ReadBad(bytes, true, out _, folder);
        Assert.Contains("unexpected data after the end of the array at offset 11", e.Message);
    }

    [Fact]
    public void CorruptGzipIsReported()
    {
        using var folder = new TempFolder();
        var gz = IdxTestFiles.Gzip(IdxTestFiles.Encode(IdxDataType.UnsignedByte, [1000], new double[1000]));
        for (int i = 10; i < gz.Length - 8; i++) gz[i] ^= 0x5A;
        string path = folder.File("corrupt.gz");
        File.WriteAllBytes(path, gz);
        var e = Assert.Throws<DataFormatException>(() => IdxReader.Read(path));
        Assert.Equal(path, e.FilePath);
        Assert.NotNull(e.ByteOffset);
    }

    [Fact]
    public void DamagedGzipWithIntactTrailerIsReported()
    {
        // The trailer's size agrees with the header (so the reader allocates at once), but the middle is gone.
        using var folder = new TempFolder();
        var values = new double[200_000];
        for (int i = 0; i < values.Length; i++) values[i] = (i * 31) % 256;
        var gz = IdxTestFiles.Gzip(IdxTestFiles.Encode(IdxDataType.UnsignedByte, [values.Length], values));
        var damaged = gz.Take(gz.Length / 2).Concat(gz.Skip(gz.Length - 8)).ToArray();
        string path = folder.File("damaged.gz");
        File.WriteAllBytes(path, damaged);
        var e = Assert.Throws<DataFormatException>(() => IdxReader.Read(path));
        Assert.Equal(path, e.FilePath);
        Assert.NotNull(e.ByteOffset);
    }

    /// <summary>A stream that cannot seek, like a pipe or a network stream.</summary>
    private sealed class ForwardOnlyStream(byte[] content) : Stream
    {
        private readonly MemoryStream _inner = new(content);
        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override int Read(byte[] buffer, int offset, int count) => _inner.Read(buffer, offset, Math.Min(count, 3));
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
