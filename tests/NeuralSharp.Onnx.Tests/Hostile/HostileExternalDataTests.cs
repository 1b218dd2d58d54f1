using Google.Protobuf;
using NeuralSharp.Onnx.Protos;
using static NeuralSharp.Onnx.Tests.OnnxTestModels;

namespace NeuralSharp.Onnx.Tests.Hostile;

/// <summary>External data (weights in a file next to the model): offsets and lengths outside the file, missing files,
/// paths that leave the model's folder, lengths that disagree with the dims.</summary>
public sealed class HostileExternalDataTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), $"neuralsharp-external-{Environment.ProcessId}-{Guid.NewGuid():N}");
    private readonly string _modelDir;

    public HostileExternalDataTests()
    {
        _modelDir = Path.Combine(_dir, "model");
        Directory.CreateDirectory(_modelDir);
        // 4 bytes of padding then w [3, 4] = 48 bytes.
        var raw = new byte[52];
        for (int i = 0; i < 12; i++) BitConverter.TryWriteBytes(raw.AsSpan(4 + 4 * i), i * 0.5f);
        File.WriteAllBytes(Path.Combine(_modelDir, "weights.bin"), raw);
        File.WriteAllBytes(Path.Combine(_dir, "outside.bin"), raw);
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static byte[] Model(params (string Key, string Value)[] entries)
    {
        var model = OnnxTestModels.Model([Node("Gemm", ["x", "w"], ["y"], Attr("transB", 1L))],
            [Input("x", OnnxElementType.Float, -1, 4)], [Output("y")]);
        var w = new TensorProto { Name = "w", DataType = (int)OnnxElementType.Float, Dims = { 3, 4 }, DataLocation = TensorProto.Types.DataLocation.External };
        foreach (var (key, value) in entries) w.ExternalData.Add(new StringStringEntryProto { Key = key, Value = value });
        model.Graph.Initializer.Add(w);
        return model.ToByteArray();
    }

    [Fact]
    public void ValidExternalDataLoads()
    {
        var model = OnnxModel.Load(Model(("location", "weights.bin"), ("offset", "4"), ("length", "48")), Refusal.Source, _modelDir);
        var y = model.Run(OnnxTensor.FromArray([1f, 0, 0, 0], 1, 4))[0];
        Assert.Equal([0f, 2f, 4f], y.ToArray<float>());
        // Through a file path: the folder is the model's.
        string path = Path.Combine(_modelDir, "m.onnx");
        File.WriteAllBytes(path, Model(("location", "weights.bin"), ("offset", "4")));
        Assert.Equal(12, OnnxModel.Load(path).ParameterCount);
    }

    [Theory]
    [InlineData("8", null, "needs 48 bytes at offset 8 of 'weights.bin', which has 52 bytes")]
    [InlineData("53", null, "needs 48 bytes at offset 53 of 'weights.bin', which has 52 bytes")]
    [InlineData("9223372036854775807", null, "which has 52 bytes")]
    [InlineData("4", "52", "declares 52 bytes of external data in 'weights.bin', its shape and type need 48")]
    [InlineData("4", "47", "declares 47 bytes")]
    [InlineData("-4", null, "external_data offset '-4', not a non-negative integer")]
    [InlineData("4", "1e3", "external_data length '1e3', not a non-negative integer")]
    public void OffsetOrLengthOutsideTheFileIsAFormatError(string offset, string? length, string expected)
    {
        var entries = new List<(string, string)> { ("location", "weights.bin"), ("offset", offset) };
        if (length != null) entries.Add(("length", length));
        Refusal.Load<OnnxFormatException>(Model([.. entries]), _modelDir, "initializer: tensor 'w'", expected);
    }

    [Fact]
    public void MissingFileIsAFormatError() =>
        Refusal.Load<OnnxFormatException>(Model(("location", "nope.bin")), _modelDir, "tensor 'w' has external data in 'nope.bin', which does not exist next to the model");

    [Fact]
    public void DirectoryInsteadOfFileIsAFormatError()
    {
        Directory.CreateDirectory(Path.Combine(_modelDir, "sub"));
        Refusal.Load<OnnxFormatException>(Model(("location", "sub")), _modelDir, "'sub', which does not exist");
    }

    [Theory]
    [InlineData("../outside.bin")]
    [InlineData("..\\outside.bin")]
    [InlineData("sub/../../outside.bin")]
    [InlineData("/etc/passwd")]
    [InlineData("\\\\server\\share\\w.bin")]
    public void PathOutsideTheModelFolderIsAFormatError(string location) =>
        Refusal.Load<OnnxFormatException>(Model(("location", location)), _modelDir, $"'{location}' outside the model's folder");

    [Fact]
    public void SymbolicLinksOutOfTheModelFolderAreRefusedAndLinksInsideItFollowed()
    {
        File.CreateSymbolicLink(Path.Combine(_modelDir, "escape.bin"), Path.Combine(_dir, "outside.bin"));
        Directory.CreateSymbolicLink(Path.Combine(_modelDir, "up"), _dir);
        File.CreateSymbolicLink(Path.Combine(_modelDir, "alias.bin"), Path.Combine(_modelDir, "weights.bin"));
        Refusal.Load<OnnxFormatException>(Model(("location", "escape.bin"), ("offset", "4")), _modelDir, "'escape.bin' that a symbolic link leads outside");
        Refusal.Load<OnnxFormatException>(Model(("location", "up/outside.bin"), ("offset", "4")), _modelDir, "'up/outside.bin' that a symbolic link leads outside");
        Assert.Equal(12, OnnxModel.Load(Model(("location", "alias.bin"), ("offset", "4")), Refusal.Source, _modelDir).ParameterCount);
    }

    [Fact]
    public void AbsolutePathToAnExistingFileIsRefused() =>
        Refusal.Load<OnnxFormatException>(Model(("location", Path.Combine(_modelDir, "weights.bin"))), _modelDir, "outside the model's folder");

    [Fact]
    public void NulCharacterInTheLocationIsAFormatError() =>
        Refusal.Load<OnnxFormatException>(Model(("location", "weights.bin\0.txt")), _modelDir, "NUL character");

    [Fact]
    public void MissingLocationOrUnknownKeyIsAFormatError()
    {
        Refusal.Load<OnnxFormatException>(Model(("offset", "4")), _modelDir, "external data without a location");
        Refusal.Load<OnnxFormatException>(Model(("location", "weights.bin"), ("compression", "zstd")), _modelDir, "unknown external_data key 'compression'");
    }

    [Fact]
    public void ExternalDataFromBytesWithoutAFolderIsAFormatError() =>
        Refusal.Load<OnnxFormatException>(Model(("location", "weights.bin")), null, "has external data ('weights.bin') but the model was not loaded from a file");

    [Fact]
    public void ExternalStringTensorIsAFormatError()
    {
        var model = ModelProto.Parser.ParseFrom(Model(("location", "weights.bin")));
        model.Graph.Initializer.Add(new TensorProto
        {
            Name = "s", DataType = (int)OnnxElementType.String, Dims = { 1 }, DataLocation = TensorProto.Types.DataLocation.External,
            ExternalData = { new StringStringEntryProto { Key = "location", Value = "weights.bin" } },
        });
        Refusal.Load<OnnxFormatException>(model.ToByteArray(), _modelDir, "tensor 's' is a string tensor with external data");
    }
}
