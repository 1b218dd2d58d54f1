using System.Text.Json.Nodes;

namespace NeuralSharp.Data;

/// <summary>
/// Where a <see cref="DataLoader"/> is, for checkpoints: restoring it with <see cref="DataLoader.SetState"/>
/// continues with exactly the batches that would have come next.
/// </summary>
/// <param name="Epoch">The number of epochs all of whose batches have been handed out.</param>
/// <param name="BatchIndex">The number of batches of epoch <paramref name="Epoch"/> already handed out
/// (0 at an epoch boundary).</param>
/// <param name="Random">The shuffling generator's state at the start of epoch <paramref name="Epoch"/>,
/// before its order was drawn.</param>
public readonly record struct DataLoaderState(int Epoch, int BatchIndex, RandomSourceState Random)
{
    /// <summary>The state as JSON: {"epoch", "batchIndex", "random": {"s0".."s3", "hasSpare", "spare"}}.</summary>
    public JsonObject ToJson() => new()
    {
        ["epoch"] = Epoch,
        ["batchIndex"] = BatchIndex,
        ["random"] = new JsonObject
        {
            ["s0"] = Random.S0,
            ["s1"] = Random.S1,
            ["s2"] = Random.S2,
            ["s3"] = Random.S3,
            ["hasSpare"] = Random.HasSpare,
            ["spare"] = Random.Spare,
        },
    };

    /// <summary>Reads a state written by <see cref="ToJson"/>.</summary>
    /// <exception cref="FormatException">When a field is missing or has the wrong type.</exception>
    public static DataLoaderState FromJson(JsonObject json)
    {
        ArgumentNullException.ThrowIfNull(json);
        try
        {
            var r = json["random"]?.AsObject() ?? throw new FormatException("DataLoaderState.FromJson: no \"random\" object.");
            var random = new RandomSourceState(Get<uint>(r, "s0"), Get<uint>(r, "s1"), Get<uint>(r, "s2"), Get<uint>(r, "s3"),
                Get<bool>(r, "hasSpare"), Get<double>(r, "spare"));
            return new DataLoaderState(Get<int>(json, "epoch"), Get<int>(json, "batchIndex"), random);
        }
        catch (Exception e) when (e is InvalidOperationException)
        {
            throw new FormatException($"DataLoaderState.FromJson: {e.Message}", e);
        }
    }

    private static T Get<T>(JsonObject json, string name) =>
        json[name] is JsonValue v && v.TryGetValue(out T? value) && value is not null
            ? value
            : throw new FormatException($"DataLoaderState.FromJson: \"{name}\" is missing or not a {typeof(T).Name}.");
}
