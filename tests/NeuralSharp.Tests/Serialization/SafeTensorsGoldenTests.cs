using System.Buffers.Binary;
using System.Text;
using NeuralSharp.Serialization;

namespace NeuralSharp.Tests.Serialization;

using static SafeTensorsTestFiles;

/// <summary>
/// Byte-level compatibility with the reference implementation (huggingface/safetensors, whose Python
/// package wraps the Rust crate): expected bytes are spelled out literally here, following its
/// serializer (compact serde_json, "__metadata__" first, header padded with spaces to 8 bytes) and the
/// vectors in its own test-suite.
/// </summary>
public sealed class SafeTensorsGoldenTests
{
    private static byte[] Literal(ulong headerLength, string headerWithPadding, byte[] data)
    {
        Assert.Equal(headerLength, (ulong)Encoding.UTF8.GetByteCount(headerWithPadding));
        var prefix = new byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(prefix, headerLength);
        return Concat(prefix, Encoding.UTF8.GetBytes(headerWithPadding), data);
    }

    [Fact]
    public void SaveMatchesReferenceForAnUnpaddedHeader()
    {
        // 64-byte header: already a multiple of 8, no padding.
        byte[] expected = Literal(64, "{\"attn.0\":{\"dtype\":\"F32\",\"shape\":[1,2,3],\"data_offsets\":[0,24]}}", F32(0, 1, 2, 3, 4, 5));
        byte[] actual = SaveBytes([Pair("attn.0", Tensor.FromArray([0f, 1, 2, 3, 4, 5], 1, 2, 3))]);
        Assert.Equal(expected, actual);
    }

    [Fact]
    public void SaveMatchesReferenceForAPaddedHeader()
    {
        // 65 bytes of JSON + 7 spaces.
        byte[] expected = Literal(72, "{\"attn0\":{\"dtype\":\"F32\",\"shape\":[1,1,2,3],\"data_offsets\":[0,24]}}       ", F32(0, 1, 2, 3, 4, 5));
        byte[] actual = SaveBytes([Pair("attn0", Tensor.FromArray([0f, 1, 2, 3, 4, 5], 1, 1, 2, 3))]);
        Assert.Equal(expected, actual);
    }

    [Fact]
    public void SaveMatchesReferenceForNoTensors()
    {
        Assert.Equal(Literal(8, "{}      ", []), SaveBytes([]));
        Assert.Equal(Literal(40, "{\"__metadata__\":{\"framework\":\"pt\"}}     ", []),
            SaveBytes([], new Dictionary<string, string> { ["framework"] = "pt" }));
    }

    [Fact]
    public void SaveMatchesPythonForSortedSingleDTypeTensorsWithMetadata()
    {
        // safetensors.torch.save_file({"weight": w, "bias": b}, path, metadata={"format": "pt"}) sorts the
        // (same-dtype) tensors by name; we keep the given order, so pass them sorted.
        byte[] expected = Literal(152,
            "{\"__metadata__\":{\"format\":\"pt\"},\"bias\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}," +
            "\"weight\":{\"dtype\":\"F32\",\"shape\":[2,2],\"data_offsets\":[8,24]}}   ",
            F32(0.5f, -0.5f, 1, 2, 3, 4));
        byte[] actual = SaveBytes(
            [Pair("bias", Tensor.FromArray([0.5f, -0.5f], 2)), Pair("weight", Tensor.FromArray([1f, 2, 3, 4], 2, 2))],
            new Dictionary<string, string> { ["format"] = "pt" });
        Assert.Equal(expected, actual);
    }

    [Fact]
    public void SaveWritesF16AndBF16Bytes()
    {
        byte[] f16 = SaveBytes([Pair("h", Tensor.FromArray([1f, -2f], 2))], dtype: SafeTensorsDType.F16);
        Assert.Equal(Literal(56, "{\"h\":{\"dtype\":\"F16\",\"shape\":[2],\"data_offsets\":[0,4]}}  ", [0x00, 0x3C, 0x00, 0xC0]), f16);
        byte[] bf16 = SaveBytes([Pair("h", Tensor.FromArray([1f, -2f], 2))], dtype: SafeTensorsDType.BF16);
        Assert.Equal(Literal(56, "{\"h\":{\"dtype\":\"BF16\",\"shape\":[2],\"data_offsets\":[0,4]}} ", [0x80, 0x3F, 0x00, 0xC0]), bf16);
    }

    [Fact]
    public void LoadsAFileLaidOutLikePythonsWriter()
    {
        // Python sorts by dtype alignment (largest first: I64, F32, BF16, F16, U8, BOOL), then by name.
        string header =
            "{\"__metadata__\":{\"format\":\"pt\"}," +
            "\"b\":{\"dtype\":\"I64\",\"shape\":[2],\"data_offsets\":[0,16]}," +
            "\"a\":{\"dtype\":\"F32\",\"shape\":[2,2],\"data_offsets\":[16,32]}," +
            "\"s\":{\"dtype\":\"F32\",\"shape\":[],\"data_offsets\":[32,36]}," +
            "\"h\":{\"dtype\":\"BF16\",\"shape\":[3],\"data_offsets\":[36,42]}," +
            "\"f\":{\"dtype\":\"F16\",\"shape\":[2],\"data_offsets\":[42,46]}," +
            "\"e\":{\"dtype\":\"U8\",\"shape\":[0,3],\"data_offsets\":[46,46]}," +
            "\"m\":{\"dtype\":\"BOOL\",\"shape\":[2],\"data_offsets\":[46,48]}}";
        byte[] data = Concat(
            [0xFD, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0, 0, 0, 0, 0, 1, 0, 0], // -3, 2^40
            F32(1.5f, -2.25f, 3e-5f, 1e30f), F32(7f),
            [0x80, 0x3F, 0x40, 0xC0, 0x20, 0x3E], // 1, -3, 0.15625
            [0x00, 0x3C, 0x00, 0xC5],             // 1, -5
            [1, 0]);
        byte[] bytes = Build(header, data);
        Assert.Equal(0, HeaderLength(bytes) % 8);

        using var file = LoadBytes(bytes, "python.safetensors");
        Assert.Equal(["b", "a", "s", "h", "f", "e", "m"], file.Names);
        Assert.Equal("pt", file.Metadata["format"]);
        Assert.Equal([-3f, 1099511627776f], file["b"].ToArray());
        Assert.Equal([2, 2], file.Shape("a"));
        Assert.Equal([1.5f, -2.25f, 3e-5f, 1e30f], file["a"].ToArray());
        Assert.Equal(7f, file["s"].Item());
        Assert.Equal([1f, -3f, 0.15625f], file["h"].ToArray());
        Assert.Equal([1f, -5f], file["f"].ToArray());
        Assert.Equal([0, 3], file.Shape("e"));
        Assert.Equal([1f, 0f], file["m"].ToArray());
        Assert.Equal(SafeTensorsDType.I64, file.DType("b"));
        Assert.Equal(SafeTensorsDType.BF16, file.DType("h"));
        Assert.Equal(SafeTensorsDType.BOOL, file.DType("m"));
    }

    [Fact]
    public void LoadsAnyValidOrderAndLayout()
    {
        // Entries in reverse offset order, pretty-printed with newlines, unknown fields, null metadata,
        // no padding, and two zero-byte tensors sharing an offset with a real one.
        string header = "{\n  \"z\": {\"data_offsets\": [8, 12], \"shape\": [1], \"dtype\": \"F32\", \"extra\": {\"x\": [1, 2]}},\n" +
                        "  \"e2\": {\"dtype\": \"F32\", \"shape\": [0], \"data_offsets\": [8, 8]},\n" +
                        "  \"y\": {\"dtype\": \"F32\", \"shape\": [2], \"data_offsets\": [0, 8]},\n" +
                        "  \"e1\": {\"dtype\": \"F16\", \"shape\": [4, 0], \"data_offsets\": [0, 0]},\n" +
                        "  \"__metadata__\": null\n}\n";
        using var file = LoadBytes(Build(header, F32(1, 2, 3), pad: false));
        Assert.Equal(["z", "e2", "y", "e1"], file.Names);
        Assert.Equal([1f, 2f], file["y"].ToArray());
        Assert.Equal([3f], file["z"].ToArray());
        Assert.Equal([4, 0], file.Shape("e1"));
        Assert.Empty(file.Metadata);
    }
}
