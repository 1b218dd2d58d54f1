using System.Buffers.Binary;
using System.Runtime.InteropServices;

namespace NeuralSharp.Serialization;

/// <summary>
/// Element conversions between safetensors byte layouts (little-endian) and float32.
/// Reading converts every dtype to float32 (exact for F16, BF16, F8, 8/16-bit integers and BOOL;
/// rounded to nearest for F64 and for 32/64-bit integers beyond 2^24). Writing rounds float32 to
/// nearest, ties to even.
/// </summary>
internal static class SafeTensorsConvert
{
    /// <summary>Decodes <paramref name="source"/> (dst.Length elements of <paramref name="dtype"/>) into <paramref name="destination"/>.</summary>
    public static void Decode(SafeTensorsDType dtype, ReadOnlySpan<byte> source, Span<float> destination)
    {
        switch (dtype)
        {
            case SafeTensorsDType.F32:
                if (BitConverter.IsLittleEndian) source.CopyTo(MemoryMarshal.AsBytes(destination));
                else for (int i = 0; i < destination.Length; i++) destination[i] = BinaryPrimitives.ReadSingleLittleEndian(source[(4 * i)..]);
                break;
            case SafeTensorsDType.F64:
                for (int i = 0; i < destination.Length; i++) destination[i] = (float)BinaryPrimitives.ReadDoubleLittleEndian(source[(8 * i)..]);
                break;
            case SafeTensorsDType.F16:
                for (int i = 0; i < destination.Length; i++) destination[i] = (float)BinaryPrimitives.ReadHalfLittleEndian(source[(2 * i)..]);
                break;
            case SafeTensorsDType.BF16:
                for (int i = 0; i < destination.Length; i++) destination[i] = BFloat16ToSingle(BinaryPrimitives.ReadUInt16LittleEndian(source[(2 * i)..]));
                break;
            case SafeTensorsDType.F8E5M2:
                for (int i = 0; i < destination.Length; i++) destination[i] = (float)BitConverter.UInt16BitsToHalf((ushort)(source[i] << 8));
                break;
            case SafeTensorsDType.F8E4M3:
                for (int i = 0; i < destination.Length; i++) destination[i] = Float8E4M3ToSingle(source[i]);
                break;
            case SafeTensorsDType.BOOL:
                for (int i = 0; i < destination.Length; i++) destination[i] = source[i] != 0 ? 1f : 0f;
                break;
            case SafeTensorsDType.U8:
                for (int i = 0; i < destination.Length; i++) destination[i] = source[i];
                break;
            case SafeTensorsDType.I8:
                for (int i = 0; i < destination.Length; i++) destination[i] = (sbyte)source[i];
                break;
            case SafeTensorsDType.I16:
                for (int i = 0; i < destination.Length; i++) destination[i] = BinaryPrimitives.ReadInt16LittleEndian(source[(2 * i)..]);
                break;
            case SafeTensorsDType.U16:
                for (int i = 0; i < destination.Length; i++) destination[i] = BinaryPrimitives.ReadUInt16LittleEndian(source[(2 * i)..]);
                break;
            case SafeTensorsDType.I32:
                for (int i = 0; i < destination.Length; i++) destination[i] = BinaryPrimitives.ReadInt32LittleEndian(source[(4 * i)..]);
                break;
            case SafeTensorsDType.U32:
                for (int i = 0; i < destination.Length; i++) destination[i] = BinaryPrimitives.ReadUInt32LittleEndian(source[(4 * i)..]);
                break;
            case SafeTensorsDType.I64:
                for (int i = 0; i < destination.Length; i++) destination[i] = BinaryPrimitives.ReadInt64LittleEndian(source[(8 * i)..]);
                break;
            case SafeTensorsDType.U64:
                for (int i = 0; i < destination.Length; i++) destination[i] = BinaryPrimitives.ReadUInt64LittleEndian(source[(8 * i)..]);
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(dtype), dtype, "Unknown safetensors dtype.");
        }
    }

    /// <summary>Encodes <paramref name="source"/> as <paramref name="dtype"/> (F32, F64, F16 or BF16) into <paramref name="destination"/>.</summary>
    public static void Encode(SafeTensorsDType dtype, ReadOnlySpan<float> source, Span<byte> destination)
    {
        switch (dtype)
        {
            case SafeTensorsDType.F32:
                if (BitConverter.IsLittleEndian) MemoryMarshal.AsBytes(source).CopyTo(destination);
                else for (int i = 0; i < source.Length; i++) BinaryPrimitives.WriteSingleLittleEndian(destination[(4 * i)..], source[i]);
                break;
            case SafeTensorsDType.F64:
                for (int i = 0; i < source.Length; i++) BinaryPrimitives.WriteDoubleLittleEndian(destination[(8 * i)..], source[i]);
                break;
            case SafeTensorsDType.F16:
                // .NET's float -> Half conversion is IEEE round-to-nearest-even (overflow -> infinity).
                for (int i = 0; i < source.Length; i++) BinaryPrimitives.WriteHalfLittleEndian(destination[(2 * i)..], (Half)source[i]);
                break;
            case SafeTensorsDType.BF16:
                for (int i = 0; i < source.Length; i++) BinaryPrimitives.WriteUInt16LittleEndian(destination[(2 * i)..], SingleToBFloat16(source[i]));
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(dtype), dtype, "NeuralSharp writes safetensors as F32, F64, F16 or BF16 only.");
        }
    }

    /// <summary>bfloat16 bits -> float32: the bits are the float's upper half (exact).</summary>
    public static float BFloat16ToSingle(ushort bits) => BitConverter.Int32BitsToSingle(bits << 16);

    /// <summary>float32 -> bfloat16 bits, round to nearest, ties to even; NaN stays a (quiet) NaN.</summary>
    public static ushort SingleToBFloat16(float value)
    {
        uint bits = BitConverter.SingleToUInt32Bits(value);
        // Rounding a NaN could carry into the exponent and make it infinity; keep the sign and payload top, force quiet.
        if (float.IsNaN(value)) return (ushort)((bits >> 16) | 0x0040);
        uint roundingBias = 0x7FFFu + ((bits >> 16) & 1u);
        return (ushort)((bits + roundingBias) >> 16);
    }

    /// <summary>F8_E4M3 ("fn": bias 7, no infinities, S.1111.111 is NaN) -> float32 (exact).</summary>
    public static float Float8E4M3ToSingle(byte bits)
    {
        int exponent = (bits >> 3) & 0xF, mantissa = bits & 7;
        if (exponent == 15 && mantissa == 7) return float.NaN;
        // Subnormal: mantissa/8 * 2^-6; normal: (1 + mantissa/8) * 2^(exponent-7).
        float magnitude = exponent == 0 ? MathF.ScaleB(mantissa, -9) : MathF.ScaleB(8 + mantissa, exponent - 10);
        return (bits & 0x80) != 0 ? -magnitude : magnitude;
    }
}
