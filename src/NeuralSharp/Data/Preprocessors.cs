using System.Text.Json.Nodes;

namespace NeuralSharp.Data;

/// <summary>Creates preprocessors from their saved JSON form (an explicit switch on "type"; no reflection).</summary>
public static class Preprocessors
{
    /// <summary>
    /// Restores the preprocessor that <see cref="IPreprocessor.ToJson"/> wrote: "Standardizer" or "MinMaxScaler".
    /// </summary>
    /// <exception cref="FormatException">When "type" is missing or unknown, or the object is malformed.</exception>
    public static IPreprocessor FromJson(JsonObject json)
    {
        ArgumentNullException.ThrowIfNull(json);
        string? type = PreprocessorHelpers.TypeOf(json);
        return type switch
        {
            Standardizer.TypeName => Standardizer.FromJson(json),
            MinMaxScaler.TypeName => MinMaxScaler.FromJson(json),
            null => throw new FormatException("Preprocessors.FromJson: the JSON object has no string \"type\" field."),
            _ => throw new FormatException($"Preprocessors.FromJson: unknown preprocessor type \"{type}\" (known: {Standardizer.TypeName}, {MinMaxScaler.TypeName})."),
        };
    }
}
