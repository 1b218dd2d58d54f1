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
    /// <exception cref="InvalidDataException">When the config is malformed (the message names the file and what is wrong).</exception>
    public static SavedModel Load(string path)
    {
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
        try
        {
            if (config["format"]?.GetValue<string>() != FormatName)
                throw new InvalidDataException($"field 'format' must be \"{FormatName}\".");
            int version = config["version"]?.GetValue<int>() ?? 0;
            if (version != FormatVersion) throw new InvalidDataException($"unsupported version {version} (this build reads version {FormatVersion}).");
            var architecture = config["architecture"] as JsonObject ?? throw new InvalidDataException("missing 'architecture'.");
            model = ModuleRegistry.Create(architecture);
            inputShape = (config["input_shape"] as JsonArray ?? throw new InvalidDataException("missing 'input_shape'.")).Select(n => n!.GetValue<int>()).ToArray();
            classes = config["num_classes"]?.GetValue<int>() ?? throw new InvalidDataException("missing 'num_classes'.");
            names = (config["class_names"] as JsonArray)?.Select(n => n!.GetValue<string>()).ToArray();
            preprocessor = config["preprocessor"] is JsonObject p ? Preprocessors.FromJson(p) : null;
            weightsPath = Path.Combine(directory, config["weights"]?.GetValue<string>() ?? WeightsFileName);
        }
        catch (Exception ex) when (ex is FormatException or InvalidOperationException or InvalidDataException or ArgumentException)
        {
            throw new InvalidDataException($"{configPath}: {ex.Message}", ex);
        }
        if (!File.Exists(weightsPath)) throw new FileNotFoundException($"Model: weights file '{weightsPath}' named by {configPath} is missing.", weightsPath);
        var weights = SafeTensors.Load(weightsPath);
        try
        {
            model.LoadStateDict(weights.ToDictionary());
        }
        catch (ArgumentException ex)
        {
            throw new InvalidDataException($"{weightsPath} does not match the architecture in {configPath}: {ex.Message}", ex);
        }
        model.Eval();
        return new SavedModel(model, inputShape, classes, preprocessor, names)
        {
            Description = config["description"]?.GetValue<string>(),
            DataSource = config["data_source"]?.GetValue<string>(),
        };
    }

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
