namespace NeuralSharp.Serialization;

/// <summary>Sizes and header spellings of <see cref="SafeTensorsDType"/> (explicit tables, no reflection).</summary>
internal static class SafeTensorsDTypeInfo
{
    public static int SizeOf(SafeTensorsDType dtype) => dtype switch
    {
        SafeTensorsDType.BOOL or SafeTensorsDType.U8 or SafeTensorsDType.I8
            or SafeTensorsDType.F8E5M2 or SafeTensorsDType.F8E4M3 => 1,
        SafeTensorsDType.I16 or SafeTensorsDType.U16 or SafeTensorsDType.F16 or SafeTensorsDType.BF16 => 2,
        SafeTensorsDType.I32 or SafeTensorsDType.U32 or SafeTensorsDType.F32 => 4,
        SafeTensorsDType.F64 or SafeTensorsDType.I64 or SafeTensorsDType.U64 => 8,
        _ => throw new ArgumentOutOfRangeException(nameof(dtype), dtype, "Unknown safetensors dtype."),
    };

    public static string Name(SafeTensorsDType dtype) => dtype switch
    {
        SafeTensorsDType.BOOL => "BOOL",
        SafeTensorsDType.U8 => "U8",
        SafeTensorsDType.I8 => "I8",
        SafeTensorsDType.F8E5M2 => "F8_E5M2",
        SafeTensorsDType.F8E4M3 => "F8_E4M3",
        SafeTensorsDType.I16 => "I16",
        SafeTensorsDType.U16 => "U16",
        SafeTensorsDType.F16 => "F16",
        SafeTensorsDType.BF16 => "BF16",
        SafeTensorsDType.I32 => "I32",
        SafeTensorsDType.U32 => "U32",
        SafeTensorsDType.F32 => "F32",
        SafeTensorsDType.F64 => "F64",
        SafeTensorsDType.I64 => "I64",
        SafeTensorsDType.U64 => "U64",
        _ => throw new ArgumentOutOfRangeException(nameof(dtype), dtype, "Unknown safetensors dtype."),
    };

    /// <summary>Parses a header spelling (case-sensitive, exactly as the reference writes it).</summary>
    public static bool TryParse(string name, out SafeTensorsDType dtype)
    {
        SafeTensorsDType? parsed = name switch
        {
            "BOOL" => SafeTensorsDType.BOOL,
            "U8" => SafeTensorsDType.U8,
            "I8" => SafeTensorsDType.I8,
            "F8_E5M2" => SafeTensorsDType.F8E5M2,
            "F8_E4M3" => SafeTensorsDType.F8E4M3,
            "I16" => SafeTensorsDType.I16,
            "U16" => SafeTensorsDType.U16,
            "F16" => SafeTensorsDType.F16,
            "BF16" => SafeTensorsDType.BF16,
            "I32" => SafeTensorsDType.I32,
            "U32" => SafeTensorsDType.U32,
            "F32" => SafeTensorsDType.F32,
            "F64" => SafeTensorsDType.F64,
            "I64" => SafeTensorsDType.I64,
            "U64" => SafeTensorsDType.U64,
            _ => null,
        };
        dtype = parsed.GetValueOrDefault();
        return parsed.HasValue;
    }

    /// <summary>The dtypes <see cref="SafeTensors.Save(Stream, IEnumerable{KeyValuePair{string, Tensor}}, IReadOnlyDictionary{string, string}?, SafeTensorsDType)"/> can write.</summary>
    public static bool IsWritable(SafeTensorsDType dtype) =>
        dtype is SafeTensorsDType.F32 or SafeTensorsDType.F64 or SafeTensorsDType.F16 or SafeTensorsDType.BF16;
}
