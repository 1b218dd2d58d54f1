namespace NeuralSharp;

public sealed partial class Tensor
{
    /// <summary>An uninitialised tensor from the pool (contents undefined). Owned by the current scope.</summary>
    public static Tensor Empty(params int[] shape)
    {
        int size = ShapeUtil.SizeOf(shape, "Tensor.Empty");
        var array = TensorPool.Rent(size, out int offset);
        return new Tensor(new TensorStorage(array, pooled: true), offset, (int[])shape.Clone());
    }

    /// <summary>A tensor of zeros.</summary>
    public static Tensor Zeros(params int[] shape)
    {
        var t = Empty(shape);
        t.Data.Clear();
        return t;
    }

    /// <summary>A tensor of ones.</summary>
    public static Tensor Ones(params int[] shape) => Full(1f, shape);

    /// <summary>A tensor filled with <paramref name="value"/>.</summary>
    public static Tensor Full(float value, params int[] shape)
    {
        var t = Empty(shape);
        t.Data.Fill(value);
        return t;
    }

    /// <summary>A zero-dimensional tensor holding <paramref name="value"/>.</summary>
    public static Tensor Scalar(float value) => Full(value);

    /// <summary>A tensor of the given shape holding a copy of <paramref name="data"/> (row-major).</summary>
    /// <exception cref="ArgumentException">When the data length differs from the shape's element count.</exception>
    public static Tensor FromArray(ReadOnlySpan<float> data, params int[] shape)
    {
        int size = ShapeUtil.SizeOf(shape, "Tensor.FromArray");
        if (data.Length != size)
            throw new ArgumentException($"Tensor.FromArray: {data.Length} values given for shape {ShapeUtil.Format(shape)} ({size} elements).");
        var t = Empty(shape);
        data.CopyTo(t.Data);
        return t;
    }

    /// <summary>A 1-D tensor holding a copy of <paramref name="data"/>.</summary>
    public static Tensor FromArray(float[] data) => FromArray(data, data.Length);

    /// <summary>A 2-D tensor from a rectangular array.</summary>
    public static Tensor FromArray(float[,] data)
    {
        int rows = data.GetLength(0), cols = data.GetLength(1);
        var t = Empty(rows, cols);
        var d = t.Data;
        for (int i = 0; i < rows; i++)
            for (int j = 0; j < cols; j++)
                d[i * cols + j] = data[i, j];
        return t;
    }

    /// <summary>Values 0, 1, ..., n-1.</summary>
    public static Tensor Arange(int n)
    {
        var t = Empty(n);
        var d = t.Data;
        for (int i = 0; i < n; i++) d[i] = i;
        return t;
    }

    /// <summary>Uniform samples in [<paramref name="low"/>, <paramref name="high"/>).</summary>
    public static Tensor Uniform(RandomSource random, float low, float high, params int[] shape)
    {
        var t = Empty(shape);
        var d = t.Data;
        float range = high - low;
        for (int i = 0; i < d.Length; i++) d[i] = low + range * random.NextFloat();
        return t;
    }

    /// <summary>Normal samples with the given mean and standard deviation.</summary>
    public static Tensor Normal(RandomSource random, float mean, float std, params int[] shape)
    {
        var t = Empty(shape);
        var d = t.Data;
        for (int i = 0; i < d.Length; i++) d[i] = (float)(mean + std * random.NextGaussian());
        return t;
    }

    /// <summary>A copy of this tensor's values, detached from the graph.</summary>
    public Tensor Clone()
    {
        var t = Empty(_shape);
        Data.CopyTo(t.Data);
        return t;
    }

    /// <summary>Copies <paramref name="source"/>'s values into this tensor (same shape), outside autograd.</summary>
    /// <exception cref="ArgumentException">When the shapes differ.</exception>
    public void CopyFrom(Tensor source)
    {
        if (!ShapeUtil.SameShape(_shape, source._shape))
            throw new ArgumentException($"Tensor.CopyFrom: source shape {ShapeUtil.Format(source._shape)} differs from destination shape {ShapeUtil.Format(_shape)}.");
        source.Data.CopyTo(Data);
    }
}
