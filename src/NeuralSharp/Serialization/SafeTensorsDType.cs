namespace NeuralSharp.Serialization;

/// <summary>
/// Element types of the safetensors format, in the reference implementation's order (increasing
/// alignment), which is also the order its Python writer uses to sort tensors (largest first).
/// The header spells them as the member names, except <see cref="F8E5M2"/> ("F8_E5M2") and
/// <see cref="F8E4M3"/> ("F8_E4M3"). All multi-byte types are little-endian.
/// </summary>
public enum SafeTensorsDType
{
    /// <summary>Boolean, one byte (0 = false, anything else = true).</summary>
    BOOL,
    /// <summary>Unsigned 8-bit integer.</summary>
    U8,
    /// <summary>Signed 8-bit integer.</summary>
    I8,
    /// <summary>8-bit float, 5 exponent and 2 mantissa bits (IEEE-like, with infinities); "F8_E5M2".</summary>
    F8E5M2,
    /// <summary>8-bit float, 4 exponent and 3 mantissa bits, bias 7, no infinities (the "fn" variant); "F8_E4M3".</summary>
    F8E4M3,
    /// <summary>Signed 16-bit integer.</summary>
    I16,
    /// <summary>Unsigned 16-bit integer.</summary>
    U16,
    /// <summary>IEEE 754 half precision (binary16).</summary>
    F16,
    /// <summary>bfloat16: the upper 16 bits of a float32.</summary>
    BF16,
    /// <summary>Signed 32-bit integer.</summary>
    I32,
    /// <summary>Unsigned 32-bit integer.</summary>
    U32,
    /// <summary>IEEE 754 single precision (binary32).</summary>
    F32,
    /// <summary>IEEE 754 double precision (binary64).</summary>
    F64,
    /// <summary>Signed 64-bit integer.</summary>
    I64,
    /// <summary>Unsigned 64-bit integer.</summary>
    U64,
}
