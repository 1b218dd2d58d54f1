namespace NeuralSharp.Serialization;

/// <summary>
/// Element types of NumPy <c>.npy</c> arrays that NeuralSharp reads and writes (NumPy's <c>descr</c>
/// codes in parentheses: <c>b1 i1 u1 i2 u2 i4 u4 i8 u8 f2 f4 f8</c>, little- or big-endian).
/// </summary>
public enum NpyDType
{
    /// <summary>Boolean, one byte (<c>|b1</c>; 0 = false, anything else = true).</summary>
    Bool,
    /// <summary>Signed 8-bit integer (<c>|i1</c>).</summary>
    Int8,
    /// <summary>Unsigned 8-bit integer (<c>|u1</c>).</summary>
    UInt8,
    /// <summary>Signed 16-bit integer (<c>&lt;i2</c>).</summary>
    Int16,
    /// <summary>Unsigned 16-bit integer (<c>&lt;u2</c>).</summary>
    UInt16,
    /// <summary>Signed 32-bit integer (<c>&lt;i4</c>).</summary>
    Int32,
    /// <summary>Unsigned 32-bit integer (<c>&lt;u4</c>).</summary>
    UInt32,
    /// <summary>Signed 64-bit integer (<c>&lt;i8</c>).</summary>
    Int64,
    /// <summary>Unsigned 64-bit integer (<c>&lt;u8</c>).</summary>
    UInt64,
    /// <summary>IEEE 754 half precision (<c>&lt;f2</c>).</summary>
    Float16,
    /// <summary>IEEE 754 single precision (<c>&lt;f4</c>).</summary>
    Float32,
    /// <summary>IEEE 754 double precision (<c>&lt;f8</c>).</summary>
    Float64,
}

/// <summary>Sizes and descr spellings of <see cref="NpyDType"/> (explicit tables, no reflection).</summary>
internal static class NpyDTypeInfo
{
    public static int SizeOf(NpyDType dtype) => dtype switch
    {
        NpyDType.Bool or NpyDType.Int8 or NpyDType.UInt8 => 1,
        NpyDType.Int16 or NpyDType.UInt16 or NpyDType.Float16 => 2,
        NpyDType.Int32 or NpyDType.UInt32 or NpyDType.Float32 => 4,
        NpyDType.Int64 or NpyDType.UInt64 or NpyDType.Float64 => 8,
        _ => throw new ArgumentOutOfRangeException(nameof(dtype), dtype, "Unknown NpyDType."),
    };

    /// <summary>The little-endian descr NumPy writes, e.g. "&lt;f4" or "|u1".</summary>
    public static string Descr(NpyDType dtype) => dtype switch
    {
        NpyDType.Bool => "|b1",
        NpyDType.Int8 => "|i1",
        NpyDType.UInt8 => "|u1",
        NpyDType.Int16 => "<i2",
        NpyDType.UInt16 => "<u2",
        NpyDType.Int32 => "<i4",
        NpyDType.UInt32 => "<u4",
        NpyDType.Int64 => "<i8",
        NpyDType.UInt64 => "<u8",
        NpyDType.Float16 => "<f2",
        NpyDType.Float32 => "<f4",
        NpyDType.Float64 => "<f8",
        _ => throw new ArgumentOutOfRangeException(nameof(dtype), dtype, "Unknown NpyDType."),
    };

    public static bool IsFloat(NpyDType dtype) => dtype is NpyDType.Float16 or NpyDType.Float32 or NpyDType.Float64;

    /// <summary>Parses a descr such as "&lt;f4", "&gt;i8" or "|b1"; null and a reason when unsupported.</summary>
    public static NpyDType? TryParse(string descr, out bool bigEndian, out string? reason)
    {
        bigEndian = false;
        reason = null;
        if (descr.Length != 3)
        {
            reason = $"unsupported dtype '{descr}' (supported: {Supported})";
            return null;
        }
        char order = descr[0];
        NpyDType? dtype = descr.AsSpan(1) switch
        {
            "b1" => NpyDType.Bool,
            "i1" => NpyDType.Int8,
            "u1" => NpyDType.UInt8,
            "i2" => NpyDType.Int16,
            "u2" => NpyDType.UInt16,
            "i4" => NpyDType.Int32,
            "u4" => NpyDType.UInt32,
            "i8" => NpyDType.Int64,
            "u8" => NpyDType.UInt64,
            "f2" => NpyDType.Float16,
            "f4" => NpyDType.Float32,
            "f8" => NpyDType.Float64,
            _ => null,
        };
        if (dtype == null)
        {
            reason = $"unsupported dtype '{descr}' (supported: {Supported})";
            return null;
        }
        bool oneByte = SizeOf(dtype.Value) == 1;
        switch (order)
        {
            case '<': break;
            case '>': bigEndian = !oneByte; break;
            case '|' when oneByte: break;
            case '|':
                reason = $"dtype '{descr}': byte order '|' (not applicable) is only valid for one-byte types; expected '<' or '>'";
                return null;
            default:
                reason = $"dtype '{descr}': unknown byte order '{order}' (expected '<', '>' or '|')";
                return null;
        }
        return dtype;
    }

    private const string Supported = "b1, i1, u1, i2, u2, i4, u4, i8, u8, f2, f4, f8, each with byte order '<' or '>' ('|' for one-byte types)";
}
