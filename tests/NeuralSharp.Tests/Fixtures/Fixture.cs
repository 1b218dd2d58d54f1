using System.Text.Json;

namespace NeuralSharp.Tests.Fixtures;

/// <summary>
/// One PyTorch reference case from <c>tests/NeuralSharp.Tests/Fixtures/data/&lt;case&gt;.json</c>
/// (written by <c>make_fixtures.py</c>): an op name, scalar attributes and named tensors
/// (flat row-major data with a shape; dtype float32, float64 or int64).
/// </summary>
internal sealed class Fixture
{
    private const string DataRelativePath = "tests/NeuralSharp.Tests/Fixtures/data";

    // Found once: walking up from the test binaries to the checkout, so no csproj item is needed.
    private static readonly Lazy<string> DataDirectory = new(FindDataDirectory);

    private readonly JsonElement _attrs;
    private readonly JsonElement _tensors;

    private Fixture(string caseName, JsonElement root)
    {
        Case = caseName;
        Op = root.GetProperty("op").GetString() ?? throw Bad(caseName, "\"op\" is null");
        _attrs = root.GetProperty("attrs");
        _tensors = root.GetProperty("tensors");
    }

    /// <summary>The case name (the file name without <c>.json</c>).</summary>
    public string Case { get; }

    /// <summary>The op name, e.g. <c>linear</c>, <c>cross_entropy</c>, <c>adamw</c>.</summary>
    public string Op { get; }

    /// <summary>Names of all tensors in the file, in file order.</summary>
    public IReadOnlyList<string> TensorNames =>
        _tensors.EnumerateObject().Select(p => p.Name).ToArray();

    /// <summary>Full path of the fixture data folder.</summary>
    public static string DataPath => DataDirectory.Value;

    /// <summary>Loads <c>data/&lt;caseName&gt;.json</c>.</summary>
    /// <exception cref="FileNotFoundException">No such case.</exception>
    public static Fixture Load(string caseName)
    {
        string path = Path.Combine(DataDirectory.Value, caseName + ".json");
        if (!File.Exists(path))
            throw new FileNotFoundException($"Fixture '{caseName}' not found.", path);
        using JsonDocument doc = JsonDocument.Parse(File.ReadAllBytes(path));
        // Clone detaches the element from the pooled document so it can be disposed here.
        return new Fixture(caseName, doc.RootElement.Clone());
    }

    /// <summary>Case names starting with <paramref name="prefix"/> (ordinal), sorted.</summary>
    public static IEnumerable<string> Cases(string prefix) =>
        Directory.EnumerateFiles(DataDirectory.Value, "*.json")
            .Select(f => Path.GetFileNameWithoutExtension(f))
            .Where(n => n.StartsWith(prefix, StringComparison.Ordinal))
            .Order(StringComparer.Ordinal)
            .ToArray();

    /// <summary>True if the fixture holds a tensor called <paramref name="name"/>.</summary>
    public bool Has(string name) => _tensors.TryGetProperty(name, out _);

    /// <summary>True if the fixture has an attribute called <paramref name="name"/>.</summary>
    public bool HasAttr(string name) => _attrs.TryGetProperty(name, out _);

    /// <summary>The tensor's shape; empty for a scalar (which holds one value).</summary>
    public int[] Shape(string name) =>
        Tensor(name).GetProperty("shape").EnumerateArray().Select(e => e.GetInt32()).ToArray();

    /// <summary>The tensor's dtype: <c>float32</c>, <c>float64</c> or <c>int64</c>.</summary>
    public string DType(string name) =>
        Tensor(name).GetProperty("dtype").GetString() ?? throw Bad(Case, $"dtype of '{name}' is null");

    /// <summary>The tensor's data as float (float32 exactly; float64 and int64 converted).</summary>
    public float[] Floats(string name)
    {
        JsonElement data = Tensor(name).GetProperty("data");
        var result = new float[data.GetArrayLength()];
        bool exact = DType(name) == "float32";
        int i = 0;
        foreach (JsonElement e in data.EnumerateArray())
            result[i++] = exact ? e.GetSingle() : (float)e.GetDouble();
        return result;
    }

    /// <summary>The tensor's data as double (e.g. the float64 learning rates of lr_* cases).</summary>
    public double[] Doubles(string name) =>
        Tensor(name).GetProperty("data").EnumerateArray().Select(e => e.GetDouble()).ToArray();

    /// <summary>The data of an int64 tensor (e.g. class targets).</summary>
    /// <exception cref="InvalidOperationException">The tensor is not int64.</exception>
    public long[] Ints(string name)
    {
        if (DType(name) != "int64")
            throw Bad(Case, $"tensor '{name}' is {DType(name)}, not int64");
        return Tensor(name).GetProperty("data").EnumerateArray().Select(e => e.GetInt64()).ToArray();
    }

    /// <summary>A numeric attribute; JSON booleans read as 1 and 0.</summary>
    public double Attr(string name)
    {
        JsonElement a = Attribute(name);
        return a.ValueKind switch
        {
            JsonValueKind.Number => a.GetDouble(),
            JsonValueKind.True => 1.0,
            JsonValueKind.False => 0.0,
            _ => throw Bad(Case, $"attribute '{name}' is {a.ValueKind}, not a number"),
        };
    }

    /// <summary>An attribute as text: strings as they are, numbers and booleans as JSON text.</summary>
    public string AttrString(string name)
    {
        JsonElement a = Attribute(name);
        return a.ValueKind == JsonValueKind.String
            ? a.GetString() ?? ""
            : a.GetRawText();
    }

    /// <inheritdoc />
    public override string ToString() => Case;

    private JsonElement Tensor(string name) =>
        _tensors.TryGetProperty(name, out JsonElement t)
            ? t
            : throw Bad(Case, $"no tensor '{name}' (has: {string.Join(", ", TensorNames)})");

    private JsonElement Attribute(string name) =>
        _attrs.TryGetProperty(name, out JsonElement a)
            ? a
            : throw Bad(Case, $"no attribute '{name}'");

    private static InvalidOperationException Bad(string caseName, string message) =>
        new($"Fixture '{caseName}': {message}.");

    private static string FindDataDirectory()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            string candidate = Path.Combine(dir.FullName, DataRelativePath);
            if (Directory.Exists(candidate))
                return candidate;
        }
        throw new DirectoryNotFoundException(
            $"No '{DataRelativePath}' above '{AppContext.BaseDirectory}'.");
    }
}
