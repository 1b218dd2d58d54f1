using System.Globalization;
using System.Text;

namespace NeuralSharp.Serialization;

/// <summary>
/// Writes the JSON header byte-for-byte as the reference implementation (Rust serde_json) does:
/// compact, "__metadata__" first, then each tensor as {"dtype","shape","data_offsets"}; strings
/// escape only '"', '\' and control characters (\b \t \n \f \r short forms, else \u00xx in lower-case
/// hex) and keep everything else as raw UTF-8; the result is padded with spaces to a multiple of 8.
/// Hand-written rather than Utf8JsonWriter because that one escapes differently (upper-case hex,
/// supplementary characters as surrogate pairs), and identical bytes make files diffable against Python's.
/// </summary>
internal static class SafeTensorsHeaderWriter
{
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    public static byte[] Build(IReadOnlyList<(string Name, int[] Shape, ulong Begin, ulong End)> tensors,
        IReadOnlyDictionary<string, string>? metadata, SafeTensorsDType dtype) =>
        Build(tensors.Select(t => (t.Name, dtype, t.Shape, t.Begin, t.End)).ToList(), metadata);

    /// <summary>The header for tensors of possibly different dtypes.</summary>
    public static byte[] Build(IReadOnlyList<(string Name, SafeTensorsDType DType, int[] Shape, ulong Begin, ulong End)> tensors,
        IReadOnlyDictionary<string, string>? metadata)
    {
        var json = new StringBuilder(64 + 80 * tensors.Count);
        json.Append('{');
        bool first = true;
        if (metadata != null)
        {
            json.Append("\"__metadata__\":{");
            bool firstPair = true;
            foreach (var (key, value) in metadata)
            {
                if (!firstPair) json.Append(',');
                firstPair = false;
                AppendString(json, key);
                json.Append(':');
                AppendString(json, value);
            }
            json.Append('}');
            first = false;
        }
        foreach (var (name, dtype, shape, begin, end) in tensors)
        {
            string dtypeName = SafeTensorsDTypeInfo.Name(dtype);
            if (!first) json.Append(',');
            first = false;
            AppendString(json, name);
            json.Append(":{\"dtype\":\"").Append(dtypeName).Append("\",\"shape\":[");
            for (int d = 0; d < shape.Length; d++)
            {
                if (d > 0) json.Append(',');
                json.Append(shape[d].ToString(CultureInfo.InvariantCulture));
            }
            json.Append("],\"data_offsets\":[").Append(begin.ToString(CultureInfo.InvariantCulture)).Append(',')
                .Append(end.ToString(CultureInfo.InvariantCulture)).Append("]}");
        }
        json.Append('}');
        byte[] text;
        try
        {
            text = StrictUtf8.GetBytes(json.ToString());
        }
        catch (EncoderFallbackException e)
        {
            throw new ArgumentException("SafeTensors.Save: a tensor name or metadata string holds an unpaired surrogate and cannot be encoded as UTF-8.", e);
        }
        int padding = (8 - text.Length % 8) % 8; // on the UTF-8 bytes, as the reference does
        var header = new byte[text.Length + padding];
        text.CopyTo(header, 0);
        header.AsSpan(text.Length).Fill((byte)' ');
        return header;
    }

    private static void AppendString(StringBuilder json, string value)
    {
        json.Append('"');
        foreach (char c in value)
        {
            switch (c)
            {
                case '"': json.Append("\\\""); break;
                case '\\': json.Append("\\\\"); break;
                case '\b': json.Append("\\b"); break;
                case '\t': json.Append("\\t"); break;
                case '\n': json.Append("\\n"); break;
                case '\f': json.Append("\\f"); break;
                case '\r': json.Append("\\r"); break;
                default:
                    if (c < 0x20) json.Append("\\u00").Append(((int)c).ToString("x2", CultureInfo.InvariantCulture));
                    else json.Append(c);
                    break;
            }
        }
        json.Append('"');
    }
}
