using System.Buffers.Binary;
using System.Text;
using NeuralSharp.Serialization;
using NeuralSharp.Tests.Fixtures;

namespace NeuralSharp.Tests.Serialization;

/// <summary>.npy/.npz reading against NumPy-written golden files (data/npy, from make_fixtures_interop.py), writing byte for byte as np.save.</summary>
public sealed class NpyTests
{
    private static string Golden(string name) => Path.Combine(Fixture.DataPath, "npy", name);

    private static readonly double[] Signed = Enumerable.Range(0, 12).Select(i => i - 5.0).ToArray();
    private static readonly double[] Unsigned = Enumerable.Range(0, 12).Select(i => (double)i).ToArray();

    public static TheoryData<string, NpyDType> DTypes => new()
    {
        { "b1", NpyDType.Bool }, { "i1", NpyDType.Int8 }, { "u1", NpyDType.UInt8 }, { "i2", NpyDType.Int16 }, { "u2", NpyDType.UInt16 },
        { "i4", NpyDType.Int32 }, { "u4", NpyDType.UInt32 }, { "i8", NpyDType.Int64 }, { "u8", NpyDType.UInt64 },
        { "f2", NpyDType.Float16 }, { "f4", NpyDType.Float32 }, { "f8", NpyDType.Float64 },
    };

    [Theory]
    [MemberData(nameof(DTypes))]
    public void ReadsEveryDTypeLittleAndBigEndian(string code, NpyDType dtype)
    {
        double[] expected = code == "b1" ? Unsigned.Select(v => v % 3 == 0 ? 1.0 : 0.0).ToArray() : code[0] == 'u' ? Unsigned : Signed;
        var files = new List<string> { code + ".npy" };
        if (code[1] != '1') files.Add("be_" + code + ".npy");
        foreach (string file in files)
        {
            var a = Npy.Read(Golden(file));
            Assert.Equal(dtype, a.DType);
            Assert.Equal([3, 4], a.Shape);
            Assert.Equal(12, a.Count);
            Assert.Equal(expected, a.ToDoubleArray());
            Assert.Equal(expected.Select(v => (float)v), a.ToSingleArray());
            Assert.Equal(expected.Select(v => (long)v), a.ToInt64Array());
            Assert.Equal(expected.Select(v => (int)v), a.ToInt32Array());
            Assert.Equal(expected.Select(v => v != 0), a.ToBooleanArray());
            using var t = a.ToTensor();
            Assert.Equal([3, 4], t.ShapeArray);
            Assert.Equal(expected.Select(v => (float)v), t.ToArray());
        }
    }

    [Theory]
    [MemberData(nameof(DTypes))]
    public void WritesLittleEndianArraysByteForByteAsNumPy(string code, NpyDType dtype)
    {
        _ = dtype;
        byte[] golden = File.ReadAllBytes(Golden(code + ".npy"));
        var stream = new MemoryStream();
        Npy.Write(stream, Npy.Read(Golden(code + ".npy")));
        Assert.Equal(golden, stream.ToArray());
        // Big-endian files are converted on read and written little-endian: the same bytes as the '<' file.
        if (code[1] != '1')
        {
            stream = new MemoryStream();
            Npy.Write(stream, Npy.Read(Golden("be_" + code + ".npy")));
            Assert.Equal(golden, stream.ToArray());
        }
    }

    [Theory]
    [InlineData("f4_fortran.npy")]
    [InlineData("f4_v2.npy")]
    [InlineData("f4_v3.npy")]
    public void ReadsFortranOrderAndFormatVersions2And3(string file)
    {
        var a = Npy.Read(Golden(file));
        Assert.Equal(NpyDType.Float32, a.DType);
        Assert.Equal([2, 3, 4], a.Shape);
        Assert.Equal(Enumerable.Range(0, 24).Select(i => i - 5f), a.ToSingleArray());
    }

    [Fact]
    public void ReadsScalarEmptyAndLargeInt64Arrays()
    {
        var scalar = Npy.Read(Golden("f8_scalar.npy"));
        Assert.Equal(0, scalar.Rank);
        Assert.Equal(1, scalar.Count);
        Assert.Equal([2.5], scalar.ToDoubleArray());
        using (var t = scalar.ToTensor()) Assert.Equal(2.5f, t.Item());

        var empty = Npy.Read(Golden("f4_empty.npy"));
        Assert.Equal([0, 3], empty.Shape);
        Assert.Empty(empty.ToSingleArray());

        var big = Npy.Read(Golden("i8_vector.npy"));
        Assert.Equal([-(1L << 62), 0, (1L << 62) + 1], big.ToInt64Array());
        Assert.Throws<OverflowException>(() => big.ToInt32Array());

        foreach (string name in new[] { "f8_scalar", "f4_empty", "i8_vector", "f4_v2" })
        {
            if (name == "f4_v2") continue; // written by NumPy as version 2.0 on request; we write 1.0
            var stream = new MemoryStream();
            Npy.Write(stream, Npy.Read(Golden(name + ".npy")));
            Assert.Equal(File.ReadAllBytes(Golden(name + ".npy")), stream.ToArray());
        }
    }

    [Theory]
    [InlineData("stored.npz")]
    [InlineData("deflated.npz")]
    public void ReadsNumPySavezArchives(string file)
    {
        var arrays = Npz.Read(Golden(file));
        Assert.Equal(["x", "y", "s"], arrays.Keys);
        Assert.Equal([2, 3, 4], arrays["x"].Shape);
        Assert.Equal(Enumerable.Range(0, 24).Select(i => i - 5f), arrays["x"].ToSingleArray());
        Assert.Equal([0L, 1, 2], arrays["y"].ToInt64Array());
        Assert.Equal(NpyDType.Int32, arrays["s"].DType);
        Assert.Equal(0, arrays["s"].Rank);
        Assert.Equal([7], arrays["s"].ToInt32Array());
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void NpzRoundTripsAndIsDeterministic(bool compress)
    {
        using var dir = new TempDirectory();
        var arrays = new Dictionary<string, NpyArray>
        {
            ["w"] = NpyArray.FromSingles([1.5f, -2f, 3f, 0f, 1e-30f, float.MaxValue], 2, 3),
            ["d"] = NpyArray.FromDoubles([Math.PI], []),
            ["i"] = NpyArray.FromInt64s([long.MinValue, long.MaxValue], 2),
            ["j"] = NpyArray.FromInt32s(new int[1000], 10, 100),
            ["b"] = NpyArray.FromBooleans([true, false, true], 3),
        };
        Npz.Write(dir.File("a.npz"), arrays, compress);
        Npz.Write(dir.File("b.npz"), arrays, compress);
        Assert.Equal(File.ReadAllBytes(dir.File("a.npz")), File.ReadAllBytes(dir.File("b.npz")));
        var back = Npz.Read(dir.File("a.npz"));
        Assert.Equal(arrays.Keys, back.Keys);
        foreach (var (name, array) in arrays)
        {
            Assert.Equal(array.DType, back[name].DType);
            Assert.Equal(array.Shape, back[name].Shape);
            Assert.Equal(array.Data.ToArray(), back[name].Data.ToArray());
        }
        if (!compress) Assert.True(new FileInfo(dir.File("a.npz")).Length > 4000);
        else Assert.True(new FileInfo(dir.File("a.npz")).Length < 2000);
    }

    [Fact]
    public void WriteToPathIsAtomicAndRoundTripsATensor()
    {
        using var dir = new TempDirectory();
        using var t = Tensor.FromArray([1f, 2, 3, 4, 5, 6], 3, 2);
        Npy.Write(dir.File("sub/t.npy"), t);
        Assert.Single(Directory.GetFiles(dir.File("sub")));
        var a = Npy.Read(dir.File("sub/t.npy"));
        Assert.Equal(NpyDType.Float32, a.DType);
        Assert.Equal([3, 2], a.Shape);
        Assert.Equal(t.ToArray(), a.ToSingleArray());
    }

    [Fact]
    public void ReadsFromANonSeekableStream()
    {
        byte[] golden = File.ReadAllBytes(Golden("f8.npy"));
        var a = Npy.Read(new NonSeekableStream(golden), "pipe");
        Assert.Equal(Signed, a.ToDoubleArray());
        var e = Assert.Throws<NpyFormatException>(() => Npy.Read(new NonSeekableStream([.. golden, 0]), "pipe"));
        Assert.Equal(golden.Length, e.ByteOffset);
        e = Assert.Throws<NpyFormatException>(() => Npy.Read(new NonSeekableStream(golden[..^3]), "pipe"));
        Assert.Contains("ended", e.Message);
    }

    [Fact]
    public void ConversionsOfNonIntegralValuesThrow()
    {
        var a = NpyArray.FromDoubles([1, 2.5, double.NaN], 3);
        var e = Assert.Throws<InvalidCastException>(() => a.ToInt64Array());
        Assert.Contains("element 1", e.Message);
        Assert.Throws<OverflowException>(() => NpyArray.FromDoubles([3e9], 1).ToInt32Array());
        Assert.Throws<OverflowException>(() => NpyArray.FromDoubles([9.3e18], 1).ToInt64Array());
        Assert.Equal([true, true, true], a.ToBooleanArray());
        Assert.Equal([1L, -2], NpyArray.FromSingles([1f, -2f], 2).ToInt64Array());
        Assert.Throws<ArgumentException>(() => NpyArray.FromSingles([1f, 2f], 3));
        Assert.Throws<ArgumentException>(() => new NpyArray(NpyDType.Int16, [2], new byte[3]));
    }

    // ----------------------------------------------------------------------------- malformed files

    /// <summary>A version 1.0 file with <paramref name="header"/> (unpadded) and <paramref name="data"/>.</summary>
    internal static byte[] Build(string header, byte[] data, byte major = 1)
    {
        byte[] text = Encoding.UTF8.GetBytes(header);
        int prefix = major == 1 ? 10 : 12;
        var file = new byte[prefix + text.Length + data.Length];
        file[0] = 0x93;
        "NUMPY"u8.CopyTo(file.AsSpan(1));
        file[6] = major;
        if (major == 1) BinaryPrimitives.WriteUInt16LittleEndian(file.AsSpan(8), (ushort)text.Length);
        else BinaryPrimitives.WriteUInt32LittleEndian(file.AsSpan(8), (uint)text.Length);
        text.CopyTo(file, prefix);
        data.CopyTo(file, prefix + text.Length);
        return file;
    }

    private static NpyFormatException Reject(byte[] file) =>
        Assert.Throws<NpyFormatException>(() => Npy.Read(new MemoryStream(file, writable: false), "bad.npy"));

    [Theory]
    [InlineData("{'descr': '<f4', 'fortran_order': False, 'shape': (2,), }", 8, null)] // valid
    [InlineData("{\"descr\": \"<f4\", \"shape\": (2,), \"fortran_order\": False}\n", 8, null)] // valid: any key order, double quotes
    [InlineData("{'descr': '<f4', 'fortran_order': False, 'shape': (2L,), }", 8, null)] // valid: Python 2 long
    [InlineData("{'descr': '<f4', 'fortran_order': False, 'shape': (2), }", 8, "must be a tuple")]
    [InlineData("{'descr': '<f4', 'fortran_order': False, 'shape': [2], }", 8, "tuple")]
    [InlineData("{'descr': '<f4', 'fortran_order': 0, 'shape': (2,), }", 8, "True or False")]
    [InlineData("{'descr': '<f4', 'shape': (2,), }", 8, "no 'fortran_order'")]
    [InlineData("{'descr': '<f4', 'fortran_order': False, 'shape': (2,), 'x': 1}", 8, "unexpected key 'x'")]
    [InlineData("{'descr': '<f4', 'descr': '<f4', 'fortran_order': False, 'shape': (2,)}", 8, "twice")]
    [InlineData("{'descr': [('a', '<f4')], 'fortran_order': False, 'shape': (2,), }", 8, "structured")]
    [InlineData("{'descr': '<c8', 'fortran_order': False, 'shape': (2,), }", 8, "unsupported dtype '<c8'")]
    [InlineData("{'descr': 'O', 'fortran_order': False, 'shape': (2,), }", 8, "unsupported dtype 'O'")]
    [InlineData("{'descr': '|f4', 'fortran_order': False, 'shape': (2,), }", 8, "one-byte")]
    [InlineData("{'descr': '<f4', 'fortran_order': False, 'shape': (-2,), }", 8, "non-negative integer")]
    [InlineData("{'descr': '<f4', 'fortran_order': False, 'shape': (02,), }", 8, "leading zero")]
    [InlineData("{'descr': '<f\\x34', 'fortran_order': False, 'shape': (2,), }", 8, "escape")]
    [InlineData("{'descr': '<f4', 'fortran_order': False, 'shape': (2,), } x", 8, "after the header dict")]
    [InlineData("{'descr': '<f4', 'fortran_order': False, 'shape': (2,), ", 8, "the end of the header")]
    [InlineData("{'descr': '<f4, 'fortran_order': False, 'shape': (2,)}", 8, null!)] // string ends early: some error
    [InlineData("{'descr': '<f4', 'fortran_order': False, 'shape': (3,), }", 8, "takes 12 bytes but the file holds 8")]
    [InlineData("{'descr': '<f4', 'fortran_order': False, 'shape': (1,), }", 8, "takes 4 bytes but the file holds 8")]
    [InlineData("{'descr': '<f4', 'fortran_order': False, 'shape': (3000000000,), }", 8, "exceeds 2147483647")]
    [InlineData("{'descr': '<f8', 'fortran_order': False, 'shape': (2147483647, 2147483647, 2147483647, 2147483647, 2147483647), }", 8, "more than an array can hold")]
    [InlineData("{'descr': '<f4', 'fortran_order': False, 'shape': (99999999999999999999999,), }", 8, "64 bits")]
    public void HeaderParsingIsStrict(string header, int dataBytes, string? error)
    {
        byte[] file = Build(header, new byte[dataBytes]);
        if (error == null && !header.Contains("'<f4, "))
        {
            var a = Npy.Read(new MemoryStream(file), "ok.npy");
            Assert.Equal([2], a.Shape);
            return;
        }
        var e = Reject(file);
        Assert.StartsWith("bad.npy: invalid .npy data at byte ", e.Message);
        Assert.NotNull(e.ByteOffset);
        Assert.InRange(e.ByteOffset!.Value, 10, file.Length);
        if (error != null) Assert.Contains(error, e.Message);
    }

    [Fact]
    public void PreambleErrorsNameTheOffset()
    {
        byte[] good = Build("{'descr': '<f4', 'fortran_order': False, 'shape': (2,), }", new byte[8]);
        Assert.Equal(5, Reject(good[..5]).ByteOffset);
        var bad = (byte[])good.Clone();
        bad[1] = (byte)'n';
        Assert.Contains("magic", Reject(bad).Message);
        bad = (byte[])good.Clone();
        bad[6] = 4;
        Assert.Equal(6, Reject(bad).ByteOffset);
        bad = (byte[])good.Clone();
        BinaryPrimitives.WriteUInt16LittleEndian(bad.AsSpan(8), 60000);
        var e = Reject(bad);
        Assert.Equal(8, e.ByteOffset);
        Assert.Contains("runs past the end", e.Message);
        byte[] v2 = Build("{'descr': '<f4', 'fortran_order': False, 'shape': (2,), }", new byte[8], major: 2);
        Assert.Equal([2], Npy.Read(new MemoryStream(v2), "v2").Shape);
        BinaryPrimitives.WriteUInt32LittleEndian(v2.AsSpan(8), 0x7FFFFFFF);
        Assert.Contains("limit", Reject(v2).Message);
        byte[] v3 = Build("{'descr': '<f4', 'fortran_order': False, 'shape': (2,), }", new byte[8], major: 3);
        v3[20] = 0xFF; // not UTF-8
        Assert.Contains("UTF-8", Reject(v3).Message);
    }

    [Fact]
    public void NpzMemberErrorsNameTheMember()
    {
        using var dir = new TempDirectory();
        Npz.Write(dir.File("a.npz"), [new("x", NpyArray.FromSingles(new float[64], 64))]);
        byte[] zip = File.ReadAllBytes(dir.File("a.npz"));
        // Claim a huge uncompressed size in the local and central headers: rejected before reading.
        var bomb = (byte[])zip.Clone();
        PatchSizes(bomb, uncompressed: 0x7FFF0000);
        var e = Assert.Throws<NpyFormatException>(() => Npz.Read(new MemoryStream(bomb), "bomb.npz"));
        Assert.Equal("x.npy", e.Member);
        Assert.Contains("impossible", e.Message);

        // Not a zip at all.
        var notZip = Assert.Throws<NpyFormatException>(() => Npz.Read(new MemoryStream(new byte[100]), "zero.npz"));
        Assert.Null(notZip.ByteOffset);
        Assert.StartsWith("zero.npz: invalid .npz archive", notZip.Message);

        // A member's npy header claiming more data than the member holds.
        int header = IndexOf(zip, "(64,)"u8);
        var longer = (byte[])zip.Clone();
        "(65,)"u8.CopyTo(longer.AsSpan(header));
        e = Assert.Throws<NpyFormatException>(() => Npz.Read(new MemoryStream(longer), "long.npz"));
        Assert.Equal("x.npy", e.Member);
        Assert.Contains("long.npz, member 'x.npy': invalid .npy data at byte", e.Message);
    }

    private static void PatchSizes(byte[] zip, uint uncompressed)
    {
        for (int i = 0; i + 4 <= zip.Length; i++)
        {
            uint sig = BinaryPrimitives.ReadUInt32LittleEndian(zip.AsSpan(i));
            if (sig == 0x04034b50) BinaryPrimitives.WriteUInt32LittleEndian(zip.AsSpan(i + 22), uncompressed);
            if (sig == 0x02014b50) BinaryPrimitives.WriteUInt32LittleEndian(zip.AsSpan(i + 24), uncompressed);
        }
    }

    private static int IndexOf(byte[] haystack, ReadOnlySpan<byte> needle) => haystack.AsSpan().IndexOf(needle);

    private sealed class NonSeekableStream(byte[] data) : MemoryStream(data, writable: false)
    {
        public override bool CanSeek => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => base.Position; set => throw new NotSupportedException(); }
    }
}
