using System.Runtime.InteropServices;
using System.Text.Json;
using System.Text.Json.Nodes;
using NeuralSharp.Data;
using NeuralSharp.Nn;
using NeuralSharp.Serialization;
using NeuralSharp.Tests.Training;

namespace NeuralSharp.Tests.Models;

/// <summary>
/// <see cref="SavedModel"/> folders (config.json + model.safetensors): exact round trips, and errors that name
/// the file and the problem for every kind of damage.
/// </summary>
public sealed class SavedModelTests : IDisposable
{
    private readonly DirectoryInfo _root = Directory.CreateTempSubdirectory("neuralsharp-savedmodel-");

    public void Dispose() => _root.Delete(recursive: true);

    private string NewDir(string name) => Path.Combine(_root.FullName, name);

    private static readonly string[] Names = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"];

    private static Sequential CreateMlp(int hidden = 32, ulong seed = 1) =>
        Mlp.Create(64, [hidden, 16], 10, "gelu_tanh", dropout: 0.2f, random: new RandomSource(seed));

    /// <summary>Saves a small digits model with a standardizer and class names into a new folder and returns the folder.</summary>
    private string SaveDigitsModel(string name, Module? model = null)
    {
        string dir = NewDir(name);
        new SavedModel(model ?? CreateMlp(), [64], 10, DigitsData.Standardizer, Names) { Description = "test model", DataSource = "digits" }.Save(dir);
        return dir;
    }

    /// <summary>Preprocesses raw digits test features with <paramref name="model"/>'s preprocessor and runs its model in eval mode.</summary>
    private static float[] Predict(SavedModel model)
    {
        var (_, rawTest) = EmbeddedDatasets.DigitsTrainTest();
        var features = rawTest.Features.ToArray();
        model.Preprocessor?.TransformBatch(features, rawTest.Count);
        model.Model.Eval();
        using var noGrad = GradMode.NoGrad();
        using var scope = TensorScope.Begin();
        return model.Model.Forward(Tensor.FromArray(features, rawTest.Count, 64)).ToArray();
    }

    private static void AssertBitEqual(ReadOnlySpan<float> expected, ReadOnlySpan<float> actual, string what) =>
        Assert.True(MemoryMarshal.AsBytes(expected).SequenceEqual(MemoryMarshal.AsBytes(actual)), $"{what}: not bit-identical");

    [Fact]
    public void SaveThenLoadRestoresArchitectureWeightsPreprocessorAndNames()
    {
        var original = new SavedModel(CreateMlp(), [64], 10, DigitsData.Standardizer, Names) { Description = "test model", DataSource = "digits" };
        string dir = NewDir("full");
        original.Save(dir);
        Assert.True(File.Exists(Path.Combine(dir, SavedModel.ConfigFileName)));
        Assert.True(File.Exists(Path.Combine(dir, SavedModel.WeightsFileName)));
        Assert.Equal(2, Directory.GetFiles(dir).Length); // no temporary files left behind

        var loaded = SavedModel.Load(dir);
        Assert.Equal(original.Model.ToConfig().ToJsonString(), loaded.Model.ToConfig().ToJsonString());
        Assert.Equal(original.Model.ToString(), loaded.Model.ToString());
        Assert.False(loaded.Model.Training);
        Assert.Equal([64], loaded.InputShape);
        Assert.Equal(64, loaded.FeatureCount);
        Assert.Equal(10, loaded.ClassCount);
        Assert.Equal(Names, loaded.ClassNames);
        Assert.Equal("test model", loaded.Description);
        Assert.Equal("digits", loaded.DataSource);

        var standardizer = Assert.IsType<Standardizer>(loaded.Preprocessor);
        AssertBitEqual(DigitsData.Standardizer.Mean, standardizer.Mean, "standardizer mean");
        AssertBitEqual(DigitsData.Standardizer.Std, standardizer.Std, "standardizer std");

        var expectedState = original.Model.StateDict();
        var loadedState = loaded.Model.StateDict();
        Assert.Equal(expectedState.Keys.Order(StringComparer.Ordinal), loadedState.Keys.Order(StringComparer.Ordinal));
        foreach (var (key, tensor) in expectedState)
        {
            Assert.Equal(tensor.ShapeArray, loadedState[key].ShapeArray);
            AssertBitEqual(tensor.Data, loadedState[key].Data, key);
        }
        AssertBitEqual(Predict(original), Predict(loaded), "predictions on the raw test set");

        // The folder can also be named by either of its files.
        AssertBitEqual(Predict(original), Predict(SavedModel.Load(Path.Combine(dir, SavedModel.ConfigFileName))), "loaded via config.json");
        AssertBitEqual(Predict(original), Predict(SavedModel.Load(Path.Combine(dir, SavedModel.WeightsFileName))), "loaded via model.safetensors");
    }

    [Fact]
    public void RoundTripOfEveryLayerTypeWithoutOptionalParts()
    {
        var model = new Sequential(
            new Flatten(), new LayerNorm(64), new Linear(64, 24, random: new RandomSource(2)), new SiLU(), new Dropout(0.5f),
            new Linear(24, 24, bias: false, random: new RandomSource(3)), new LeakyReLU(0.3f), new RMSNorm(24, 1e-5f),
            new Sequential(new Linear(24, 16, random: new RandomSource(4)), new Softplus(1.5f), new Tanh(), new Sigmoid(), new GELU(), new ReLU()),
            new LayerNorm(16, elementwiseAffine: false), new Linear(16, 10, random: new RandomSource(5)), new LogSoftmax());
        var random = new RandomSource(6);
        foreach (var p in model.Parameters())
            for (int i = 0; i < p.Size; i++) p.Data[i] = 2f * random.NextFloat() - 1f;
        var original = new SavedModel(model, [8, 8], 10);
        string dir = NewDir("layers");
        original.Save(dir);

        var loaded = SavedModel.Load(dir);
        Assert.Equal(model.ToConfig().ToJsonString(), loaded.Model.ToConfig().ToJsonString());
        Assert.Equal([8, 8], loaded.InputShape);
        Assert.Null(loaded.Preprocessor);
        Assert.Null(loaded.ClassNames);
        Assert.Null(loaded.Description);
        Assert.Null(loaded.DataSource);
        var x = Tensor.Uniform(new RandomSource(7), -3f, 3f, 5, 8, 8);
        model.Eval();
        using (GradMode.NoGrad()) AssertBitEqual(model.Forward(x).Data, loaded.Model.Forward(x).Data, "outputs");
    }

    [Fact]
    public void MinMaxScalerIsRestored()
    {
        var scaler = new MinMaxScaler();
        scaler.Fit(EmbeddedDatasets.DigitsTrainTest().Train);
        string dir = NewDir("minmax");
        var original = new SavedModel(CreateMlp(), [64], 10, scaler);
        original.Save(dir);
        var loaded = SavedModel.Load(dir);
        Assert.IsType<MinMaxScaler>(loaded.Preprocessor);
        Assert.Equal(scaler.ToJson().ToJsonString(), loaded.Preprocessor!.ToJson().ToJsonString());
        AssertBitEqual(Predict(original), Predict(loaded), "predictions");
    }

    [Fact]
    public void SavingAgainReplacesTheModel()
    {
        string dir = SaveDigitsModel("replace", CreateMlp(hidden: 32));
        var second = new SavedModel(CreateMlp(hidden: 8, seed: 9), [64], 10);
        second.Save(dir);
        var loaded = SavedModel.Load(dir);
        Assert.Equal(second.Model.ToConfig().ToJsonString(), loaded.Model.ToConfig().ToJsonString());
        Assert.Null(loaded.Preprocessor);
        AssertBitEqual(Predict(second), Predict(loaded), "predictions of the second model");
    }

    [Fact]
    public void FolderWithoutConfigThrowsFileNotFoundNamingThePath()
    {
        string dir = NewDir("empty");
        Directory.CreateDirectory(dir);
        var ex = Assert.Throws<FileNotFoundException>(() => SavedModel.Load(dir));
        Assert.Equal(Path.Combine(dir, SavedModel.ConfigFileName), ex.FileName);
        Assert.Contains(dir, ex.Message);
        Assert.Contains(SavedModel.ConfigFileName, ex.Message);

        // Weights alone are not enough either.
        string weightsOnly = SaveDigitsModel("weights-only");
        File.Delete(Path.Combine(weightsOnly, SavedModel.ConfigFileName));
        Assert.Contains(weightsOnly, Assert.Throws<FileNotFoundException>(() => SavedModel.Load(weightsOnly)).Message);
    }

    [Fact]
    public void MissingFolderThrowsFileNotFoundNamingTheFolder()
    {
        string dir = NewDir("does-not-exist");
        var ex = Assert.Throws<FileNotFoundException>(() => SavedModel.Load(dir));
        Assert.Contains(dir, ex.Message);
    }

    [Fact]
    public void MissingWeightsFileThrowsFileNotFoundNamingIt()
    {
        string dir = SaveDigitsModel("no-weights");
        string weights = Path.Combine(dir, SavedModel.WeightsFileName);
        File.Delete(weights);
        var ex = Assert.Throws<FileNotFoundException>(() => SavedModel.Load(dir));
        Assert.Equal(weights, ex.FileName);
        Assert.Contains(weights, ex.Message);
        Assert.Contains(SavedModel.ConfigFileName, ex.Message);
    }

    public static TheoryData<string, string> BrokenConfigTexts() => new()
    {
        { "{ \"format\": \"neuralsharp-model\", ", "invalid JSON" },
        { "not json at all", "invalid JSON" },
        { "", "invalid JSON" },
        { "[1, 2, 3]", "expected a JSON object" },
    };

    [Theory]
    [MemberData(nameof(BrokenConfigTexts))]
    public void InvalidJsonThrowsInvalidDataNamingConfigJson(string text, string problem)
    {
        string dir = SaveDigitsModel("invalid-json");
        string config = Path.Combine(dir, SavedModel.ConfigFileName);
        File.WriteAllText(config, text);
        var ex = Assert.Throws<InvalidDataException>(() => SavedModel.Load(dir));
        Assert.Contains(config, ex.Message);
        Assert.Contains(problem, ex.Message);
    }

    /// <summary>Damage done to a valid config, and a fragment the error message must contain.</summary>
    private static readonly Dictionary<string, (Action<JsonObject> Damage, string Problem)> ConfigDamage = new()
    {
        ["unknown module type"] = (c => c["architecture"]!["layers"]![0]!["type"] = "Conv9", "unknown module type 'Conv9'"),
        ["unknown top-level type"] = (c => c["architecture"]!["type"] = "Transformer", "unknown module type 'Transformer'"),
        ["missing architecture"] = (c => c.Remove("architecture"), "'architecture'"),
        ["missing num_classes"] = (c => c.Remove("num_classes"), "'num_classes'"),
        ["missing input_shape"] = (c => c.Remove("input_shape"), "'input_shape'"),
        ["missing in_features"] = (c => c["architecture"]!["layers"]!.AsArray()[0]!.AsObject().Remove("in_features"), "'in_features'"),
        ["missing layers"] = (c => c["architecture"]!.AsObject().Remove("layers"), "'layers'"),
        ["missing type"] = (c => c["architecture"]!.AsObject().Remove("type"), "'type'"),
        ["wrong format"] = (c => c["format"] = "onnx", "'format'"),
        ["missing format"] = (c => c.Remove("format"), "'format'"),
        ["future version"] = (c => c["version"] = 2, "unsupported version 2"),
        ["bad width"] = (c => c["architecture"]!["layers"]![0]!["out_features"] = 0, "outFeatures"),
        ["width as text"] = (c => c["architecture"]!["layers"]![0]!["out_features"] = "32", "'out_features'"),
        ["dropout p out of range"] = (c => c["architecture"]!["layers"]![2]!["p"] = 1.5, "Dropout"),
        ["unknown preprocessor"] = (c => c["preprocessor"] = new JsonObject { ["type"] = "PCA" }, "PCA"),
        ["standardizer without std"] = (c => c["preprocessor"]!.AsObject().Remove("std"), "std"),
    };

    public static TheoryData<string> ConfigDamageNames()
    {
        var data = new TheoryData<string>();
        foreach (var name in ConfigDamage.Keys) data.Add(name);
        return data;
    }

    [Theory]
    [MemberData(nameof(ConfigDamageNames))]
    public void DamagedConfigThrowsInvalidDataNamingConfigJsonAndTheProblem(string damage)
    {
        string dir = SaveDigitsModel("damaged");
        string config = Path.Combine(dir, SavedModel.ConfigFileName);
        var json = JsonNode.Parse(File.ReadAllText(config))!.AsObject();
        var (apply, problem) = ConfigDamage[damage];
        apply(json);
        File.WriteAllText(config, json.ToJsonString());
        var ex = Assert.Throws<InvalidDataException>(() => SavedModel.Load(dir));
        Assert.Contains(config, ex.Message);
        Assert.Contains(problem, ex.Message);
    }

    [Theory]
    [InlineData("num_classes as text")]
    [InlineData("null in input_shape")]
    [InlineData("null class name")]
    [InlineData("description as number")]
    public void WronglyTypedFieldsThrowInvalidDataNamingTheField(string damage)
    {
        string dir = SaveDigitsModel("wrong-type");
        string config = Path.Combine(dir, SavedModel.ConfigFileName);
        var json = JsonNode.Parse(File.ReadAllText(config))!.AsObject();
        string field;
        switch (damage)
        {
            case "num_classes as text": json["num_classes"] = "ten"; field = "num_classes"; break;
            case "null in input_shape": json["input_shape"] = new JsonArray(64, null); field = "input_shape"; break;
            case "null class name": json["class_names"]!.AsArray()[3] = null; field = "class_names"; break;
            default: json["description"] = 42; field = "description"; break;
        }
        File.WriteAllText(config, json.ToJsonString());
        var ex = Assert.Throws<InvalidDataException>(() => SavedModel.Load(dir));
        Assert.Contains(config, ex.Message);
        Assert.Contains(field, ex.Message);
    }

    [Fact]
    public void WeightsOfAnotherArchitectureThrowInvalidDataNamingBothFilesAndTheKey()
    {
        string dir = SaveDigitsModel("mismatch", CreateMlp(hidden: 32));
        string other = SaveDigitsModel("other", CreateMlp(hidden: 20));
        string weights = Path.Combine(dir, SavedModel.WeightsFileName);
        File.Copy(Path.Combine(other, SavedModel.WeightsFileName), weights, overwrite: true);
        var ex = Assert.Throws<InvalidDataException>(() => SavedModel.Load(dir));
        Assert.Contains(weights, ex.Message);
        Assert.Contains(Path.Combine(dir, SavedModel.ConfigFileName), ex.Message);
        Assert.Contains("'0.weight'", ex.Message);
        Assert.Contains("[20, 64]", ex.Message);
        Assert.Contains("[32, 64]", ex.Message);
    }

    [Fact]
    public void WeightsWithMissingOrExtraTensorsThrowInvalidDataListingTheKeys()
    {
        string dir = SaveDigitsModel("missing-keys");
        string weights = Path.Combine(dir, SavedModel.WeightsFileName);
        var state = CreateMlp().StateDict();
        var partial = state.Where(kv => kv.Key != "3.bias").Append(new("extra", Tensor.Zeros(2))).ToList();
        SafeTensors.Save(weights, partial);
        var ex = Assert.Throws<InvalidDataException>(() => SavedModel.Load(dir));
        Assert.Contains(weights, ex.Message);
        Assert.Contains(SavedModel.ConfigFileName, ex.Message);
        Assert.Contains("missing keys [3.bias]", ex.Message);
        Assert.Contains("unexpected keys [extra]", ex.Message);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(5)]
    [InlineData(8)]
    [InlineData(40)]
    [InlineData(-4)] // all but the last 4 bytes of the data
    public void TruncatedWeightsThrowSafeTensorsFormatExceptionNamingTheFile(int keep)
    {
        string dir = SaveDigitsModel("truncated");
        string weights = Path.Combine(dir, SavedModel.WeightsFileName);
        var bytes = File.ReadAllBytes(weights);
        File.WriteAllBytes(weights, bytes[..(keep >= 0 ? keep : bytes.Length + keep)]);
        var ex = Assert.Throws<SafeTensorsFormatException>(() => SavedModel.Load(dir));
        Assert.Equal(weights, ex.FilePath);
        Assert.Contains(weights, ex.Message);
    }

    [Fact]
    public void ConfigJsonIsReadableAndNamesTheWeights()
    {
        string dir = SaveDigitsModel("readable");
        using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(dir, SavedModel.ConfigFileName)));
        var root = doc.RootElement;
        Assert.Equal("neuralsharp-model", root.GetProperty("format").GetString());
        Assert.Equal(1, root.GetProperty("version").GetInt32());
        Assert.Equal(SavedModel.WeightsFileName, root.GetProperty("weights").GetString());
        Assert.Equal("Sequential", root.GetProperty("architecture").GetProperty("type").GetString());
        Assert.Equal(10, root.GetProperty("num_classes").GetInt32());
        Assert.Equal("Standardizer", root.GetProperty("preprocessor").GetProperty("type").GetString());
        using var weights = SafeTensors.Load(Path.Combine(dir, SavedModel.WeightsFileName));
        Assert.Equal(new[] { "0.bias", "0.weight", "3.bias", "3.weight", "6.bias", "6.weight" }, weights.Names.Order(StringComparer.Ordinal));
    }
}
