namespace NeuralSharp.Data;

/// <summary>
/// The content of an IDX file: its dimensions and its elements, row-major. Unsigned-byte files keep their raw
/// bytes in <see cref="Bytes"/> (a quarter of the memory of floats); every other type is converted to float
/// in <see cref="Values"/> (Int32 and Double values beyond float precision are rounded).
/// </summary>
public sealed class IdxArray
{
    private readonly int[] _dimensions;

    /// <summary>Creates an array; exactly one of <paramref name="bytes"/> (for <see cref="IdxDataType.UnsignedByte"/>)
    /// and <paramref name="values"/> (for the other types) is given, holding the product of the dimensions elements.</summary>
    /// <exception cref="ArgumentException">When the storage does not match the type or the dimensions.</exception>
    public IdxArray(IdxDataType dataType, int[] dimensions, byte[]? bytes, float[]? values)
    {
        ArgumentNullException.ThrowIfNull(dimensions);
        long count = 1;
        foreach (int d in dimensions)
        {
            if (d < 0) throw new ArgumentException($"IdxArray: negative dimension in [{string.Join(", ", dimensions)}].");
            count *= d;
            if (count > Array.MaxLength) throw new ArgumentException($"IdxArray: dimensions [{string.Join(", ", dimensions)}] hold too many elements.");
        }
        bool isBytes = dataType == IdxDataType.UnsignedByte;
        if (isBytes ? bytes is null || values is not null : values is null || bytes is not null)
            throw new ArgumentException($"IdxArray: {dataType} data is held in {(isBytes ? "bytes" : "values")} only.");
        long length = isBytes ? bytes!.Length : values!.Length;
        if (length != count) throw new ArgumentException($"IdxArray: {length} elements given for dimensions [{string.Join(", ", dimensions)}] ({count} elements).");
        DataType = dataType;
        _dimensions = (int[])dimensions.Clone();
        Count = (int)count;
        Bytes = bytes;
        Values = values;
    }

    /// <summary>The element type stored in the file.</summary>
    public IdxDataType DataType { get; }

    /// <summary>The dimensions, outermost first (a copy), e.g. [60000, 28, 28] for MNIST images.</summary>
    public int[] Dimensions => (int[])_dimensions.Clone();

    /// <summary>The number of dimensions.</summary>
    public int Rank => _dimensions.Length;

    /// <summary>Length of dimension <paramref name="axis"/>.</summary>
    public int Dim(int axis) => _dimensions[axis];

    /// <summary>The number of elements (the product of the dimensions).</summary>
    public int Count { get; }

    /// <summary>The raw elements of an <see cref="IdxDataType.UnsignedByte"/> file; null for other types.</summary>
    public byte[]? Bytes { get; }

    /// <summary>The elements converted to float, for every type except <see cref="IdxDataType.UnsignedByte"/>; null for it.</summary>
    public float[]? Values { get; }

    /// <summary>The elements as floats multiplied by <paramref name="scale"/> (a new array), whatever the type.</summary>
    public float[] ToSingleArray(float scale = 1f)
    {
        var result = new float[Count];
        if (Bytes != null)
            for (int i = 0; i < result.Length; i++) result[i] = Bytes[i] * scale;
        else if (scale == 1f)
            Values!.CopyTo(result, 0);
        else
            for (int i = 0; i < result.Length; i++) result[i] = Values![i] * scale;
        return result;
    }
}
