using System.Text.Json;
using System.Text.Json.Nodes;
using NeuralSharp.Data;
using NeuralSharp.Nn;

namespace NeuralSharp.Serialization;

/// <summary>
/// A trained model on disk, as a folder in the Hugging Face style: <c>config.json</c> (architecture,
/// input shape, classes, preprocessing) and <c>model.safetensors</c> (weights under PyTorch state-dict
/// names). <see cref="Load"/> rebuilds the model without being told its shape.
/// </summary>
public sealed class SavedModel
{
    /// <summary>The config file's name inside the model folder.</summary>
    public const string ConfigFileName = "config.json";

    /// <summary>The weights file's name inside the model folder.</summary>
    public const string WeightsFileName = "model.safetensors";

    private const string FormatName = "neuralsharp-model";
    private const int FormatVersion = 1;

    /// <summary>Bundles a model with what is needed to run it.</summary>
    /// <param name="model">The module (its <see cref="Module.ToConfig"/> must be rebuildable by <see cref="ModuleRegistry"/>).</param>
    /// <param name="inputShape">The shape of one sample, e.g. [64].</param>
    /// <param name="classCount">Output classes.</param>
    /// <param name="preprocessor">Input preprocessing fitted on the training data, or null.</param>
    /// <param name="classNames">Names of the classes, or null to use their indices.</param>
    public SavedModel(Module model, int[] inputShape, int classCount, IPreprocessor? preprocessor = null, IReadOnlyList<string>? classNames = null)
    {
        Model = model;
        InputShape = (int[])inputShape.Clone();
        ClassCount = classCount;
        Preprocessor = preprocessor;
        ClassNames = classNames;
    }

    /// <summary>The model.</summary>
    public Module Model { get; }

    /// <summary>The shape of one input sample.</summary>
    public int[] InputShape { get; }

    /// <summary>Elements per input sample.</summary>
    public int FeatureCount => InputShape.Aggregate(1, (a, b) => a * b);

    /// <summary>Number of output classes.</summary>
    public int ClassCount { get; }

    /// <summary>Input preprocessing to apply before the model, or null.</summary>
    public IPreprocessor? Preprocessor { get; }

    /// <summary>Class names, or null.</summary>
    public IReadOnlyList<string>? ClassNames { get; }

    /// <summary>Free text saved with the model.</summary>
    public string? Description { get; init; }

    /// <summary>Where the training data came from (a path, or null for the embedded digits set).</summary>
    public string? DataSource { get; init; }

    /// <summary>Writes <c>config.json</c> and <c>model.safetensors</c> into <paramref name="directory"/> (created if missing), each atomically.</summary>
    public void Save(string directory)
    {
        Directory.CreateDirectory(directory);
        SafeTensors.Save(Path.Combine(directory, WeightsFileName), Model.StateDict(),
            new Dictionary<string, string> { ["format"] = "pt", ["producer"] = "NeuralSharp" });
        var config = new JsonObject
        {
            ["format"] = FormatName,
            ["version"] = FormatVersion,
            ["architecture"] = Model.ToConfig(),
            ["input_shape"] = new JsonArray(InputShape.Select(d => (JsonNode)d).ToArray()),
            ["num_classes"] = ClassCount,
            ["class_names"] = ClassNames == null ? null : new JsonArray(ClassNames.Select(n => (JsonNode)n).ToArray()),
            ["preprocessor"] = Preprocessor?.ToJson(),
            ["description"] = Description,
            ["data_source"] = DataSource,
            ["weights"] = WeightsFileName,
        };
        AtomicFile.WriteAllText(Path.Combine(directory, ConfigFileName), config.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
    }

    /// <summary>Loads a model folder (or the path of its config.json or model.safetensors).</summary>
    /// <exception cref="FileNotFoundException">When the folder or one of its files is missing.</exception>
    /// <exception cref="InvalidDataException">When the config is malformed (the message names the file and the field) or the weights do not fit it.</exception>
    /// <exception cref="SafeTensorsFormatException">When the weights file is corrupt.</exception>
    public static SavedModel Load(string path)
    {
        if (!Directory.Exists(path) && !File.Exists(path))
            throw new FileNotFoundException($"Model: '{path}' does not exist (expected a folder written by SavedModel.Save or 'neuralsharp train').", path);
        string directory = Directory.Exists(path) ? path : Path.GetDirectoryName(Path.GetFullPath(path)) ?? ".";
        string configPath = Path.Combine(directory, ConfigFileName);
        if (!File.Exists(configPath))
            throw new FileNotFoundException($"Model: no {ConfigFileName} in '{directory}' (expected a folder written by SavedModel.Save or 'neuralsharp train').", configPath);
        JsonObject config;
        try
        {
            config = JsonNode.Parse(File.ReadAllText(configPath)) as JsonObject ?? throw new InvalidDataException($"{configPath}: expected a JSON object.");
        }
        catch (JsonException ex)
        {
            throw new InvalidDataException($"{configPath}: invalid JSON at line {ex.LineNumber + 1}, byte {ex.BytePositionInLine}: {ex.Message}", ex);
        }
        Module model;
        int[] inputShape;
        int classes;
        string[]? names;
        IPreprocessor? preprocessor;
        string weightsPath;
        string? description, dataSource;
        try
        {
            if (OptionalString(config, "format") != FormatName)
                throw new InvalidDataException($"field 'format' must be \"{FormatName}\".");
            int version = RequiredInt(config, "version");
            if (version != FormatVersion) throw new InvalidDataException($"unsupported version {version} (this build reads version {FormatVersion}).");
            var architecture = config["architecture"] as JsonObject ?? throw Field("architecture", "an object", config["architecture"]);
            model = ModuleRegistry.Create(architecture);
            inputShape = Array(config, "input_shape", required: true)!.Select(n => Int(n, "input_shape")).ToArray();
            classes = RequiredInt(config, "num_classes");
            names = Array(config, "class_names", required: false)?.Select(n => Str(n, "class_names")).ToArray();
            preprocessor = config["preprocessor"] switch
            {
                null => null,
                JsonObject p => Preprocessors.FromJson(p),
                var other => throw Field("preprocessor", "an object or null", other),
            };
            weightsPath = Path.Combine(directory, OptionalString(config, "weights") ?? WeightsFileName);
            description = OptionalString(config, "description");
            dataSource = OptionalString(config, "data_source");
        }
        catch (Exception ex) when (ex is FormatException or InvalidOperationException or InvalidDataException or ArgumentException)
        {
            throw new InvalidDataException($"{configPath}: {ex.Message}", ex);
        }
        if (!File.Exists(weightsPath)) throw new FileNotFoundException($"Model: weights file '{weightsPath}' named by {configPath} is missing.", weightsPath);
        using var weights = SafeTensors.Load(weightsPath);
        try
        {
            model.LoadStateDict(weights.ToDictionary());
        }
        catch (ArgumentException ex)
        {
            throw new InvalidDataException($"{weightsPath} does not match the architecture in {configPath}: {ex.Message}", ex);
        }
        model.Eval();
        return new SavedModel(model, inputShape, classes, preprocessor, names) { Description = description, DataSource = dataSource };
    }

    private static InvalidDataException Field(string field, string expected, JsonNode? got) =>
        new($"field '{field}' must be {expected}; got {got?.ToJsonString() ?? "nothing"}.");

    private static int Int(JsonNode? node, string field) =>
        node is JsonValue v && v.TryGetValue(out int i) ? i : throw Field(field, "integers", node);

    private static string Str(JsonNode? node, string field) =>
        node is JsonValue v && v.TryGetValue(out string? s) ? s : throw Field(field, "strings", node);

    private static int RequiredInt(JsonObject config, string field) =>
        config[field] is JsonValue v && v.TryGetValue(out int i) ? i : throw Field(field, "an integer", config[field]);

    private static string? OptionalString(JsonObject config, string field) => config[field] switch
    {
        null => null,
        JsonValue v when v.TryGetValue(out string? s) => s,
        var other => throw Field(field, "a string", other),
    };

    private static JsonArray? Array(JsonObject config, string field, bool required) => config[field] switch
    {
        JsonArray a => a,
        null when !required => null,
        var other => throw Field(field, "an array", other),
    };

    /// <summary>Checks that a labelled dataset fits the model's input and classes.</summary>
    /// <exception cref="ArgumentException">Naming both feature counts or class counts when they differ.</exception>
    public void CheckCompatible(IDataset data)
    {
        if (data.FeatureCount != FeatureCount)
            throw new ArgumentException($"The data has {data.FeatureCount} features per sample but the model expects {FeatureCount} (input shape [{string.Join(", ", InputShape)}]).");
        if (data.ClassCount > ClassCount)
            throw new ArgumentException($"The data has {data.ClassCount} classes but the model predicts {ClassCount}.");
    }
}
