using System.Text;
using NeuralSharp.Serialization;

namespace NeuralSharp.Tests.Serialization;

using static SafeTensorsTestFiles;

/// <summary>Every kind of malformed file yields a <see cref="SafeTensorsFormatException"/> naming the file, the byte offset and the problem.</summary>
public sealed class SafeTensorsCorruptionTests
{
    private const string A = "\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}";
    private const string B = "\"b\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[8,12]}";

    /// <summary>Header JSON (unpadded) with 12 data bytes.</summary>
    private static byte[] H(string json, int dataBytes = 12) => Build(json, new byte[dataBytes], pad: false);

    /// <summary>File offset of the first occurrence of <paramref name="text"/> in the header <paramref name="json"/>.</summary>
    private static long At(string json, string text) => 8 + Encoding.UTF8.GetByteCount(json[..json.IndexOf(text, StringComparison.Ordinal)]);

    public static TheoryData<string, byte[], long, string> Cases()
    {
        var cases = new TheoryData<string, byte[], long, string>();
        void Add(string name, byte[] file, long offset, string fragment) => cases.Add(name, file, offset, fragment);
        string valid = "{" + A + "," + B + "}";

        Add("empty", [], 0, "0 bytes long");
        Add("seven-bytes", [1, 0, 0, 0, 0, 0, 0], 7, "7 bytes long");
        Add("header-past-end", WithPrefix(1000, "{}"u8.ToArray()), 0, "runs past the end of the 10-byte file");
        Add("header-too-large", WithPrefix(200_000_000, "{}"u8.ToArray()), 0, "exceeds the 100000000-byte limit");
        Add("header-length-u64-max", WithPrefix(ulong.MaxValue, "{}"u8.ToArray()), 0, "exceeds");
        Add("zero-header", WithPrefix(0, []), 8, "must start with '{'");
        Add("invalid-utf8", Build(Concat("{\"a"u8.ToArray(), [0xFF], "\":1}"u8.ToArray()), []), 11, "not valid UTF-8");
        Add("overlong-utf8", Build(Concat("{\"ab"u8.ToArray(), [0xC0, 0xAF], "\":1}"u8.ToArray()), []), 12, "not valid UTF-8");
        Add("array-header", H("[]", 0), 8, "must start with '{'");
        Add("leading-space", H(" {}", 0), 8, "must start with '{'");
        Add("truncated-json", H("{\"a\":{\"dtype\":\"F32\"", 0), -1, "not valid JSON");
        Add("trailing-comma", H("{" + A + ",}", 8), -1, "not valid JSON");
        Add("trailing-garbage", H("{} x", 0), -1, "not valid JSON");
        Add("comment", H("{/*c*/}", 0), -1, "not valid JSON");
        Add("deep-nesting", H("{\"a\":{\"x\":" + new string('[', 100) + new string(']', 100) + "}}", 0), -1, "not valid JSON");
        Add("missing-dtype", H("{\"a\":{\"shape\":[2],\"data_offsets\":[0,8]}}", 8), 9, "tensor 'a' has no 'dtype'");
        Add("missing-shape", H("{\"a\":{\"dtype\":\"F32\",\"data_offsets\":[0,8]}}", 8), 9, "tensor 'a' has no 'shape'");
        Add("missing-offsets", H("{\"a\":{\"dtype\":\"F32\",\"shape\":[2]}}", 8), 9, "tensor 'a' has no 'data_offsets'");
        string unknown = "{\"a\":{\"dtype\":\"F33\",\"shape\":[2],\"data_offsets\":[0,8]}}";
        Add("unknown-dtype", H(unknown, 8), At(unknown, "\"F33\""), "unknown dtype 'F33'");
        Add("lowercase-dtype", H("{\"a\":{\"dtype\":\"f32\",\"shape\":[2],\"data_offsets\":[0,8]}}", 8), -1, "unknown dtype 'f32'");
        Add("dtype-not-string", H("{\"a\":{\"dtype\":4,\"shape\":[2],\"data_offsets\":[0,8]}}", 8), -1, "'dtype' must be a string");
        string negative = "{\"a\":{\"dtype\":\"F32\",\"shape\":[-2],\"data_offsets\":[0,8]}}";
        Add("negative-dim", H(negative, 8), At(negative, "-2"), "value -2 is negative");
        Add("fractional-dim", H("{\"a\":{\"dtype\":\"F32\",\"shape\":[1.5],\"data_offsets\":[0,8]}}", 8), -1, "value 1.5 is not an integer");
        Add("exponent-dim", H("{\"a\":{\"dtype\":\"F32\",\"shape\":[2e0],\"data_offsets\":[0,8]}}", 8), -1, "is not an integer");
        Add("huge-dim", H("{\"a\":{\"dtype\":\"F32\",\"shape\":[18446744073709551616],\"data_offsets\":[0,8]}}", 8), -1, "is not an integer");
        Add("string-dim", H("{\"a\":{\"dtype\":\"F32\",\"shape\":[\"2\"],\"data_offsets\":[0,8]}}", 8), -1, "must hold non-negative integers");
        Add("shape-not-array", H("{\"a\":{\"dtype\":\"F32\",\"shape\":2,\"data_offsets\":[0,8]}}", 8), -1, "'shape' must be an array");
        Add("shape-overflow", H("{\"a\":{\"dtype\":\"F32\",\"shape\":[4294967296,4294967296,0],\"data_offsets\":[0,0]}}", 0), 9, "overflows 64 bits");
        Add("bytes-overflow", H("{\"a\":{\"dtype\":\"F64\",\"shape\":[4611686018427387904],\"data_offsets\":[0,0]}}", 0), 9, "overflows 64 bits");
        Add("offsets-reversed", H("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[8,0]}}", 8), 9, "end before they begin");
        Add("offsets-three", H("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,4,8]}}", 8), -1, "exactly two integers");
        Add("offsets-one", H("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[8]}}", 8), -1, "exactly two integers");
        Add("offsets-outside", H("{" + A + "}", 4), 9, "run past the end of the 4-byte data buffer");
        Add("offsets-huge", H("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[18446744073709551615,18446744073709551615]}}", 8), 9, "run past the end");
        Add("byte-length-mismatch", H("{\"a\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[0,8]}}", 8), 9, "span 8 bytes but F32 with shape [3] takes 12 bytes");
        string overlap = "{" + A + ",\"b\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}";
        Add("overlap", H(overlap, 8), At(overlap, "\"b\""), "overlaps tensor 'a'");
        string gap = "{" + A + ",\"b\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[12,16]}}";
        Add("gap", H(gap, 16), At(gap, "\"b\""), "bytes [8, 12) of the data buffer belong to no tensor");
        string late = "{\"b\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}";
        Add("hole-at-start", H(late, 8), 9, "bytes [0, 4) of the data buffer belong to no tensor");
        int validLength = Encoding.UTF8.GetByteCount(valid);
        Add("uncovered-tail", H(valid, 16), 8 + validLength + 12, "has 16 bytes but the tensors cover only the first 12");
        Add("data-only-no-tensors", H("{}", 4), 8 + 2, "has 4 bytes but the tensors cover only the first 0");
        Add("truncated-data", H(valid, 11), At(valid, "\"b\""), "run past the end of the 11-byte data buffer");
        string dup = "{" + A + "," + A + "}";
        Add("duplicate-name", H(dup, 8), At(dup, ",\"a\"") + 1, "the key 'a' appears twice");
        string dupMeta = "{\"__metadata__\":{},\"__metadata__\":{}}";
        Add("duplicate-metadata", H(dupMeta, 0), At(dupMeta, ",") + 1, "the key '__metadata__' appears twice");
        Add("duplicate-metadata-key", H("{\"__metadata__\":{\"k\":\"1\",\"k\":\"2\"}}", 0), 8 + 25, "metadata key 'k' appears twice");
        Add("duplicate-field", H("{\"a\":{\"dtype\":\"F32\",\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}", 8), 8 + 20, "has 'dtype' twice");
        Add("metadata-number", H("{\"__metadata__\":{\"k\":1}}", 0), 8 + 21, "metadata value of 'k' must be a string");
        Add("metadata-array", H("{\"__metadata__\":[\"k\"]}", 0), 8 + 16, "'__metadata__' must be an object");
        Add("entry-not-object", H("{\"a\":5}", 0), 8 + 5, "tensor 'a' must be an object");
        Add("lone-surrogate-name", H("{\"\\ud800\":{\"dtype\":\"F32\",\"shape\":[0],\"data_offsets\":[0,0]}}", 0), 9, "not valid Unicode");
        Add("too-large-for-a-tensor", H("{\"a\":{\"dtype\":\"U8\",\"shape\":[3000000000,0],\"data_offsets\":[0,0]}}", 0), 9, "exceeds what a NeuralSharp tensor can hold");
        return cases;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void CorruptFileThrowsFormatExceptionNamingFileAndOffset(string name, byte[] bytes, long offset, string fragment)
    {
        using var dir = new TempDirectory();
        string path = dir.File($"corrupt-{name}.safetensors");
        File.WriteAllBytes(path, bytes);
        var e = Assert.Throws<SafeTensorsFormatException>(() => SafeTensors.Load(path));
        Assert.Equal(path, e.FilePath);
        Assert.Contains($"corrupt-{name}.safetensors", e.Message);
        Assert.Contains(fragment, e.Message);
        if (offset >= 0) Assert.Equal(offset, e.ByteOffset);
        Assert.Contains($"at byte {e.ByteOffset}:", e.Message);
        Assert.InRange(e.ByteOffset, 0, Math.Max(bytes.Length, 0));

        // The stream overload reports the same with the given name.
        var s = Assert.Throws<SafeTensorsFormatException>(() => SafeTensors.Load(new MemoryStream(bytes), "stream-" + name));
        Assert.Equal("stream-" + name, s.FilePath);
        Assert.Equal(e.ByteOffset, s.ByteOffset);
    }

    [Fact]
    public void InvalidJsonReportsAnOffsetInsideTheHeader()
    {
        string json = "{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]} , oops}";
        var e = Assert.Throws<SafeTensorsFormatException>(() => LoadBytes(H(json, 8)));
        Assert.InRange(e.ByteOffset, 8 + json.IndexOf(',') - 1, 8 + json.Length);
        Assert.IsAssignableFrom<System.Text.Json.JsonException>(e.InnerException);
    }

    [Fact]
    public void FormatExceptionIsAnIOException()
    {
        var e = new SafeTensorsFormatException("f.safetensors", 12, "bad");
        Assert.IsAssignableFrom<IOException>(e);
        Assert.Equal("f.safetensors: invalid safetensors file at byte 12: bad", e.Message);
        Assert.Equal("bad", e.Problem);
    }
}
