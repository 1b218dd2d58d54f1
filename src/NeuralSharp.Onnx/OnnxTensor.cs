
namespace NeuralSharp.Onnx;

/// <summary>
/// A dense tensor of any ONNX element type, row-major: the values that flow through an imported graph
/// (float activations, int64 shapes and indices, bool masks). Element <c>i</c> of a tensor of element type
/// <see cref="ElementType"/> lives in a .NET array of <see cref="OnnxElementTypes.ClrType"/>.
/// </summary>
public sealed class OnnxTensor
{
    private readonly int[] _shape;

    internal OnnxTensor(OnnxElementType type, int[] shape, Array data)
    {
        ArgumentNullException.ThrowIfNull(shape);
        ArgumentNullException.ThrowIfNull(data);
        long count = ElementCount(shape);
        if (count > data.Length)
            throw new ArgumentException($"OnnxTensor: shape [{string.Join(", ", shape)}] needs {count} elements, the data has {data.Length}");
        ElementType = type;
        _shape = shape;
        Length = (int)count;
        Data = data;
    }

    /// <summary>The element type.</summary>
    public OnnxElementType ElementType { get; }

    /// <summary>The dimensions (empty for a scalar).</summary>
    public ReadOnlySpan<int> Shape => _shape;

    /// <summary>A copy of the dimensions.</summary>
    public int[] ShapeArray => (int[])_shape.Clone();

    /// <summary>The number of dimensions.</summary>
    public int Rank => _shape.Length;

    /// <summary>The number of elements (the product of the dimensions; 1 for a scalar).</summary>
    public int Length { get; }

    /// <summary>The backing array; it may be longer than <see cref="Length"/> (pooled buffers, views).</summary>
    internal Array Data { get; }

    /// <summary>True when <see cref="Data"/> was rented by <see cref="Rent{T}"/>: the plan may return it to the pool.</summary>
    internal bool Pooled { get; set; }

    /// <summary>Below this many elements a fresh array is cheaper than a trip through the pool.</summary>
    private const int PoolThreshold = 4096;

    /// <summary>
    /// A tensor over an array rented from <see cref="System.Buffers.ArrayPool{T}.Shared"/>, NOT zeroed: the op must
    /// write every element. The execution plan returns the array after the value's last reader, so that the next
    /// layer or run reuses memory that is already mapped and in cache instead of fresh pages.
    /// </summary>
    internal static OnnxTensor Rent<T>(int[] shape)
    {
        long count = ElementCount(shape);
        if (count < PoolThreshold) return new OnnxTensor(OnnxElementTypes.Of<T>(), shape, new T[count]);
        return new OnnxTensor(OnnxElementTypes.Of<T>(), shape, System.Buffers.ArrayPool<T>.Shared.Rent((int)count)) { Pooled = true };
    }

    /// <summary>Gives a rented array back to its pool (the tensor must not be used afterwards).</summary>
    internal void ReturnToPool()
    {
        switch (Data)
        {
            case float[] a: System.Buffers.ArrayPool<float>.Shared.Return(a); break;
            case double[] a: System.Buffers.ArrayPool<double>.Shared.Return(a); break;
            case long[] a: System.Buffers.ArrayPool<long>.Shared.Return(a); break;
            case int[] a: System.Buffers.ArrayPool<int>.Shared.Return(a); break;
            case bool[] a: System.Buffers.ArrayPool<bool>.Shared.Return(a); break;
        }
    }

    /// <summary>A tensor that owns <paramref name="data"/> (not copied), with the given shape.</summary>
    /// <exception cref="ArgumentException">The shape needs more elements than <paramref name="data"/> has, a dimension is
    /// negative, or <typeparamref name="T"/> is not an ONNX element type.</exception>
    /// <exception cref="ArgumentNullException"><paramref name="data"/> or <paramref name="shape"/> is null.</exception>
    public static OnnxTensor FromArray<T>(T[] data, params int[] shape)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(shape);
        return new(OnnxElementTypes.Of<T>(), (int[])shape.Clone(), data);
    }

    /// <summary>A float tensor with a copy of <paramref name="tensor"/>'s values and shape.</summary>
    public static OnnxTensor FromTensor(Tensor tensor) => FromArray(tensor.ToArray(), tensor.ShapeArray);

    /// <summary>A zero-filled tensor of the given element type and shape.</summary>
    public static OnnxTensor Zeros(OnnxElementType type, params int[] shape)
    {
        long count = ElementCount(shape);
        return new OnnxTensor(type, (int[])shape.Clone(), OnnxElementTypes.NewArray(type, count));
    }

    /// <summary>The values as a span of <typeparamref name="T"/>, which must be the element type's .NET type.</summary>
    /// <exception cref="InvalidOperationException"><typeparamref name="T"/> does not hold this tensor's element type.</exception>
    public Span<T> AsSpan<T>()
    {
        if (Data is not T[] array)
            throw new InvalidOperationException(
                $"OnnxTensor: a {OnnxElementTypes.Name(ElementType)} tensor cannot be read as {typeof(T).Name}");
        return array.AsSpan(0, Length);
    }

    /// <summary>A copy of the values as a new array of <typeparamref name="T"/>.</summary>
    public T[] ToArray<T>() => AsSpan<T>().ToArray();

    /// <summary>A float32 <see cref="Tensor"/> with a copy of the values (float tensors only).</summary>
    public Tensor ToTensor() => Tensor.FromArray(AsSpan<float>(), _shape.Length == 0 ? [] : ShapeArray);

    /// <summary>This tensor's data under another shape with the same element count (no copy).</summary>
    internal OnnxTensor Reshaped(int[] shape) => new(ElementType, shape, Data);

    /// <summary>The number of elements of <paramref name="shape"/>, checked: dimensions must be non-negative and the product must fit an array.</summary>
    /// <exception cref="ArgumentException">A negative dimension, or a product above <see cref="Array.MaxLength"/>.</exception>
    public static long ElementCount(ReadOnlySpan<int> shape)
    {
        long count = 1;
        foreach (int d in shape)
        {
            if (d < 0)
                throw new ArgumentException($"OnnxTensor: negative dimension in shape [{string.Join(", ", shape.ToArray())}]");
            count *= d;
            if (count > Array.MaxLength)
                throw new ArgumentException($"OnnxTensor: shape [{string.Join(", ", shape.ToArray())}] has more elements than an array can hold");
        }
        return count;
    }

    /// <inheritdoc />
    public override string ToString() => $"{OnnxElementTypes.Name(ElementType)}[{string.Join(", ", _shape)}]";
}
