using System.Buffers;
using System.Text;
using System.Text.Json;
using System.Text.Unicode;

namespace NeuralSharp.Serialization;

/// <summary>One tensor's header entry. Offsets are relative to the start of the data buffer.</summary>
internal sealed class SafeTensorsEntry(string name, SafeTensorsDType dtype, ulong[] shape, ulong begin, ulong end, long headerOffset)
{
    public string Name { get; } = name;
    public SafeTensorsDType DType { get; } = dtype;
    public ulong[] Shape { get; } = shape;
    public ulong Begin { get; } = begin;
    public ulong End { get; } = end;
    /// <summary>File offset of the entry's key in the JSON header (where errors about it point).</summary>
    public long HeaderOffset { get; } = headerOffset;
    /// <summary>The shape as ints; set by validation.</summary>
    public int[] Dims { get; set; } = [];
}

/// <summary>The parsed and validated JSON header of a safetensors file.</summary>
internal sealed class SafeTensorsHeader(Dictionary<string, string> metadata, List<SafeTensorsEntry> entries)
{
    public Dictionary<string, string> Metadata { get; } = metadata;
    /// <summary>Entries in the order they appear in the header.</summary>
    public List<SafeTensorsEntry> Entries { get; } = entries;
}

/// <summary>
/// Parses the JSON header with <see cref="Utf8JsonReader"/> (no reflection) and validates it against
/// the data buffer as the reference implementation does: every dtype/shape/offset is well-formed, each
/// tensor's byte length is elements * dtype size, and the tensors, sorted by offset, cover the buffer
/// exactly, without overlaps or holes. Stricter than the reference on duplicate keys (it keeps the last).
/// </summary>
internal static class SafeTensorsHeaderReader
{
    private const long HeaderStart = 8;
    private const string MetadataKey = "__metadata__";

    public static SafeTensorsHeader Parse(ReadOnlySpan<byte> header, string? file, ulong bufferLength)
    {
        CheckUtf8(header, file);
        if (header.Length == 0 || header[0] != (byte)'{')
            throw new SafeTensorsFormatException(file, HeaderStart, "the JSON header must start with '{'.");

        var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
        var entries = new List<SafeTensorsEntry>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var reader = new Utf8JsonReader(header, new JsonReaderOptions { CommentHandling = JsonCommentHandling.Disallow, MaxDepth = 64 });
        try
        {
            reader.Read(); // '{' (checked above)
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                long keyOffset = Offset(ref reader);
                string name = GetString(ref reader, file);
                if (!seen.Add(name))
                    throw new SafeTensorsFormatException(file, keyOffset, $"the key '{name}' appears twice in the header.");
                reader.Read();
                if (name == MetadataKey) ReadMetadata(ref reader, metadata, file);
                else entries.Add(ReadEntry(ref reader, name, keyOffset, file));
            }
            // Anything but whitespace after the root object makes the reader throw.
            if (reader.Read())
                throw new SafeTensorsFormatException(file, Offset(ref reader), "unexpected data after the header's JSON object.");
        }
        catch (JsonException e)
        {
            throw new SafeTensorsFormatException(file, HeaderStart + reader.BytesConsumed, $"the header is not valid JSON: {e.Message}", e);
        }
        Validate(entries, file, HeaderStart + header.Length, bufferLength);
        return new SafeTensorsHeader(metadata, entries);
    }

    private static long Offset(ref Utf8JsonReader reader) => HeaderStart + reader.TokenStartIndex;

    private static void CheckUtf8(ReadOnlySpan<byte> header, string? file)
    {
        if (Utf8.IsValid(header)) return;
        int index = 0;
        while (index < header.Length && Rune.DecodeFromUtf8(header[index..], out _, out int consumed) == OperationStatus.Done)
            index += consumed;
        throw new SafeTensorsFormatException(file, HeaderStart + index, "the header is not valid UTF-8.");
    }

    private static string GetString(ref Utf8JsonReader reader, string? file)
    {
        try
        {
            return reader.GetString()!;
        }
        catch (InvalidOperationException e)
        {
            // Escapes such as a lone "\ud800" are valid JSON syntax but no valid string.
            throw new SafeTensorsFormatException(file, Offset(ref reader), "the header holds a string that is not valid Unicode.", e);
        }
    }

    private static void ReadMetadata(ref Utf8JsonReader reader, Dictionary<string, string> metadata, string? file)
    {
        if (reader.TokenType == JsonTokenType.Null) return;
        if (reader.TokenType != JsonTokenType.StartObject)
            throw new SafeTensorsFormatException(file, Offset(ref reader), "'__metadata__' must be an object mapping strings to strings.");
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            long keyOffset = Offset(ref reader);
            string key = GetString(ref reader, file);
            reader.Read();
            if (reader.TokenType != JsonTokenType.String)
                throw new SafeTensorsFormatException(file, Offset(ref reader), $"metadata value of '{key}' must be a string, found {reader.TokenType}.");
            if (!metadata.TryAdd(key, GetString(ref reader, file)))
                throw new SafeTensorsFormatException(file, keyOffset, $"metadata key '{key}' appears twice.");
        }
    }

    private static SafeTensorsEntry ReadEntry(ref Utf8JsonReader reader, string name, long keyOffset, string? file)
    {
        if (reader.TokenType != JsonTokenType.StartObject)
            throw new SafeTensorsFormatException(file, Offset(ref reader), $"tensor '{name}' must be an object with 'dtype', 'shape' and 'data_offsets', found {reader.TokenType}.");
        SafeTensorsDType? dtype = null;
        ulong[]? shape = null, offsets = null;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            long fieldOffset = Offset(ref reader);
            string field = GetString(ref reader, file);
            reader.Read();
            switch (field)
            {
                case "dtype":
                    if (dtype != null) throw Duplicate(file, fieldOffset, name, field);
                    dtype = ReadDType(ref reader, name, file);
                    break;
                case "shape":
                    if (shape != null) throw Duplicate(file, fieldOffset, name, field);
                    shape = ReadIntegers(ref reader, name, field, file);
                    break;
                case "data_offsets":
                    if (offsets != null) throw Duplicate(file, fieldOffset, name, field);
                    long arrayOffset = Offset(ref reader);
                    offsets = ReadIntegers(ref reader, name, field, file);
                    if (offsets.Length != 2)
                        throw new SafeTensorsFormatException(file, arrayOffset, $"tensor '{name}': 'data_offsets' must hold exactly two integers [begin, end], found {offsets.Length}.");
                    break;
                default:
                    reader.Skip(); // unknown fields are ignored, as by the reference implementation
                    break;
            }
        }
        if (dtype == null) throw Missing(file, keyOffset, name, "dtype");
        if (shape == null) throw Missing(file, keyOffset, name, "shape");
        if (offsets == null) throw Missing(file, keyOffset, name, "data_offsets");
        return new SafeTensorsEntry(name, dtype.Value, shape, offsets[0], offsets[1], keyOffset);
    }

    private static SafeTensorsFormatException Duplicate(string? file, long offset, string name, string field) =>
        new(file, offset, $"tensor '{name}' has '{field}' twice.");

    private static SafeTensorsFormatException Missing(string? file, long offset, string name, string field) =>
        new(file, offset, $"tensor '{name}' has no '{field}'.");

    private static SafeTensorsDType ReadDType(ref Utf8JsonReader reader, string name, string? file)
    {
        if (reader.TokenType != JsonTokenType.String)
            throw new SafeTensorsFormatException(file, Offset(ref reader), $"tensor '{name}': 'dtype' must be a string, found {reader.TokenType}.");
        string text = GetString(ref reader, file);
        if (!SafeTensorsDTypeInfo.TryParse(text, out var dtype))
            throw new SafeTensorsFormatException(file, Offset(ref reader), $"tensor '{name}': unknown dtype '{text}' (expected one of BOOL, U8, I8, F8_E5M2, F8_E4M3, I16, U16, F16, BF16, I32, U32, F32, F64, I64, U64).");
        return dtype;
    }

    private static ulong[] ReadIntegers(ref Utf8JsonReader reader, string name, string field, string? file)
    {
        if (reader.TokenType != JsonTokenType.StartArray)
            throw new SafeTensorsFormatException(file, Offset(ref reader), $"tensor '{name}': '{field}' must be an array of non-negative integers, found {reader.TokenType}.");
        var values = new List<ulong>();
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            if (reader.TokenType != JsonTokenType.Number)
                throw new SafeTensorsFormatException(file, Offset(ref reader), $"tensor '{name}': '{field}' must hold non-negative integers, found {reader.TokenType}.");
            if (!reader.TryGetUInt64(out ulong value))
            {
                string text = Encoding.UTF8.GetString(reader.ValueSpan);
                string why = text.StartsWith('-') ? "is negative" : "is not an integer in [0, 2^64)";
                throw new SafeTensorsFormatException(file, Offset(ref reader), $"tensor '{name}': '{field}' value {text} {why}.");
            }
            values.Add(value);
        }
        return values.ToArray();
    }

    /// <summary>Checks sizes and the exact, hole-free coverage of the buffer; fills <see cref="SafeTensorsEntry.Dims"/>.</summary>
    private static void Validate(List<SafeTensorsEntry> entries, string? file, long dataStart, ulong bufferLength)
    {
        foreach (var e in entries)
        {
            // Same order of checks as the reference: overflow is an error even when a later dimension is 0.
            ulong elements = 1;
            bool overflow = false;
            foreach (ulong d in e.Shape)
            {
                if (d != 0 && elements > ulong.MaxValue / d) { overflow = true; break; }
                elements *= d;
            }
            int size = SafeTensorsDTypeInfo.SizeOf(e.DType);
            if (overflow || elements > ulong.MaxValue / (ulong)size)
                throw new SafeTensorsFormatException(file, e.HeaderOffset, $"tensor '{e.Name}': the byte size of shape {FormatShape(e.Shape)} overflows 64 bits.");
            ulong bytes = elements * (ulong)size;
            if (e.End < e.Begin)
                throw new SafeTensorsFormatException(file, e.HeaderOffset, $"tensor '{e.Name}': data_offsets [{e.Begin}, {e.End}] end before they begin.");
            if (e.End > bufferLength)
                throw new SafeTensorsFormatException(file, e.HeaderOffset, $"tensor '{e.Name}': data_offsets [{e.Begin}, {e.End}] run past the end of the {bufferLength}-byte data buffer.");
            if (e.End - e.Begin != bytes)
                throw new SafeTensorsFormatException(file, e.HeaderOffset, $"tensor '{e.Name}': data_offsets [{e.Begin}, {e.End}] span {e.End - e.Begin} bytes but {SafeTensorsDTypeInfo.Name(e.DType)} with shape {FormatShape(e.Shape)} takes {bytes} bytes.");
            if (elements > (ulong)Array.MaxLength || e.Shape.Any(d => d > int.MaxValue))
                throw new SafeTensorsFormatException(file, e.HeaderOffset, $"tensor '{e.Name}': shape {FormatShape(e.Shape)} exceeds what a NeuralSharp tensor can hold ({Array.MaxLength} elements, dimensions up to {int.MaxValue}).");
            e.Dims = e.Shape.Select(d => (int)d).ToArray();
        }

        ulong cursor = 0;
        SafeTensorsEntry? previous = null;
        foreach (var e in SortedByOffset(entries))
        {
            if (e.Begin < cursor)
                throw new SafeTensorsFormatException(file, e.HeaderOffset, $"tensor '{e.Name}' (data_offsets [{e.Begin}, {e.End}]) overlaps tensor '{previous!.Name}' (data_offsets [{previous.Begin}, {previous.End}]).");
            if (e.Begin > cursor)
                throw new SafeTensorsFormatException(file, e.HeaderOffset, $"bytes [{cursor}, {e.Begin}) of the data buffer belong to no tensor (a hole before tensor '{e.Name}'); the tensors must cover the buffer contiguously.");
            cursor = e.End;
            previous = e;
        }
        if (cursor != bufferLength)
            throw new SafeTensorsFormatException(file, dataStart + (long)cursor, $"the data buffer has {bufferLength} bytes but the tensors cover only the first {cursor}; a safetensors file must end with its last tensor.");
    }

    /// <summary>Entries sorted by (begin, end), stable, as the reference validates them.</summary>
    public static List<SafeTensorsEntry> SortedByOffset(List<SafeTensorsEntry> entries) =>
        entries.OrderBy(e => e.Begin).ThenBy(e => e.End).ToList();

    public static string FormatShape(IEnumerable<ulong> shape) => "[" + string.Join(", ", shape) + "]";
}
