using System.Runtime.CompilerServices;
using System.Text;

namespace NeuralSharp;

/// <summary>
/// A dense, row-major float32 tensor with optional gradient tracking. Buffers come from
/// <see cref="TensorPool"/>; <see cref="Dispose"/> (or an enclosing <see cref="TensorScope"/>) gives
/// them back. Reshapes and row slices are views that share the buffer.
/// </summary>
public sealed partial class Tensor : IDisposable
{
    private readonly TensorStorage _storage;
    private readonly int _offset;
    private readonly int[] _shape;
    private TensorScope? _scope;

    internal Tensor(TensorStorage storage, int offset, int[] shape, bool scoped = true)
    {
        _storage = storage;
        _offset = offset;
        _shape = shape;
        Size = ShapeUtil.SizeOf(shape, "Tensor");
        if (scoped && TensorScope.Current is { } scope)
        {
            _scope = scope;
            TensorScope.Register(this);
        }
    }

    /// <summary>The dimensions, outermost first. Empty for a scalar.</summary>
    public ReadOnlySpan<int> Shape => _shape;

    /// <summary>A copy of the dimensions.</summary>
    public int[] ShapeArray => (int[])_shape.Clone();

    internal int[] ShapeRef => _shape;

    /// <summary>The number of dimensions.</summary>
    public int Rank => _shape.Length;

    /// <summary>The number of elements (the product of the dimensions; 1 for a scalar).</summary>
    public int Size { get; }

    /// <summary>True once the buffer has been disposed; the tensor can no longer be read.</summary>
    public bool IsDisposed => !_storage.IsAlive;

    /// <summary>The elements, row-major. Writing through it bypasses autograd.</summary>
    /// <exception cref="ObjectDisposedException">When the tensor has been disposed.</exception>
    public Span<float> Data
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => new(_storage.Array, _offset, Size);
    }

    /// <summary>Length of dimension <paramref name="axis"/>; negative axes count from the end.</summary>
    public int Dim(int axis) => _shape[ShapeUtil.NormalizeAxis(axis, Rank, "Tensor.Dim")];

    /// <summary>The value of a one-element tensor.</summary>
    /// <exception cref="InvalidOperationException">When the tensor has more than one element.</exception>
    public float Item()
    {
        if (Size != 1) throw new InvalidOperationException($"Tensor.Item: expected a tensor with one element, got shape {ShapeUtil.Format(_shape)}.");
        return Data[0];
    }

    /// <summary>Element at the given indices (one per dimension).</summary>
    [IndexerName("Element")]
    public float this[params int[] indices]
    {
        get => Data[FlatIndex(indices)];
        set => Data[FlatIndex(indices)] = value;
    }

    private int FlatIndex(int[] indices)
    {
        if (indices.Length != Rank) throw new ArgumentException($"Tensor indexer: {indices.Length} indices given for a tensor of shape {ShapeUtil.Format(_shape)}.");
        int flat = 0;
        for (int d = 0; d < Rank; d++)
        {
            if ((uint)indices[d] >= (uint)_shape[d]) throw new IndexOutOfRangeException($"Tensor indexer: index {indices[d]} out of range for dimension {d} of shape {ShapeUtil.Format(_shape)}.");
            flat = flat * _shape[d] + indices[d];
        }
        return flat;
    }

    /// <summary>A copy of the elements.</summary>
    public float[] ToArray() => Data.ToArray();

    /// <summary>Creates a view of the same buffer with another shape (no copy, no autograd).</summary>
    internal Tensor View(int offset, int[] shape)
    {
        _storage.AddReference();
        return new Tensor(_storage, _offset + offset, shape);
    }

    /// <summary>Returns the buffer to the pool now (when no other view shares it). Idempotent.</summary>
    public void Dispose()
    {
        if (_scope != null)
        {
            _scope.Detach(this, moveToOuter: false);
            _scope = null;
        }
        ReleaseStorage();
    }

    private int _released;

    private void ReleaseStorage()
    {
        if (Interlocked.Exchange(ref _released, 1) == 0) _storage.Release();
    }

    internal void ReleaseFromScope()
    {
        _scope = null;
        ReleaseStorage();
    }

    /// <summary>Hands this tensor to the enclosing scope (or to no scope at all when there is none),
    /// so that it outlives the current <see cref="TensorScope"/>.</summary>
    public Tensor MoveToOuterScope()
    {
        if (_scope != null) _scope = _scope.Detach(this, moveToOuter: true);
        return this;
    }

    /// <summary>Removes this tensor from every scope: only <see cref="Dispose"/> or the GC frees it.</summary>
    public Tensor ExcludeFromScope()
    {
        _scope?.Detach(this, moveToOuter: false);
        _scope = null;
        return this;
    }

    /// <inheritdoc/>
    public override string ToString()
    {
        var sb = new StringBuilder();
        sb.Append("Tensor").Append(ShapeUtil.Format(_shape));
        if (IsDisposed) return sb.Append(" (disposed)").ToString();
        sb.Append(' ');
        var data = Data;
        int shown = Math.Min(data.Length, 8);
        sb.Append('[');
        for (int i = 0; i < shown; i++)
        {
            if (i > 0) sb.Append(", ");
            sb.Append(data[i].ToString("G6", System.Globalization.CultureInfo.InvariantCulture));
        }
        if (data.Length > shown) sb.Append(", ...");
        sb.Append(']');
        if (RequiresGrad) sb.Append(GradFn != null ? $" grad_fn={GradFn.Name}" : " requires_grad");
        return sb.ToString();
    }
}
