namespace NeuralSharp;

/// <summary>Shape arithmetic shared by tensor ops: sizes, axes, broadcasting, formatting.</summary>
internal static class ShapeUtil
{
    public static int SizeOf(ReadOnlySpan<int> shape, string op)
    {
        long size = 1;
        foreach (int d in shape)
        {
            if (d < 0) throw new ArgumentException($"{op}: negative dimension in shape {Format(shape)}.");
            size *= d;
            if (size > Array.MaxLength) throw new ArgumentException($"{op}: shape {Format(shape)} has more than {Array.MaxLength} elements.");
        }
        return (int)size;
    }

    public static int NormalizeAxis(int axis, int rank, string op)
    {
        int a = axis < 0 ? axis + rank : axis;
        if ((uint)a >= (uint)Math.Max(rank, 1) || (rank == 0 && axis != 0 && axis != -1))
            throw new ArgumentOutOfRangeException(nameof(axis), $"{op}: axis {axis} is out of range for a tensor of rank {rank}.");
        return a;
    }

    public static string Format(ReadOnlySpan<int> shape) => "[" + string.Join(", ", shape.ToArray()) + "]";

    public static bool SameShape(ReadOnlySpan<int> a, ReadOnlySpan<int> b) => a.SequenceEqual(b);

    /// <summary>NumPy broadcasting: align trailing dimensions; each pair equal or one of them 1.</summary>
    public static int[] Broadcast(ReadOnlySpan<int> a, ReadOnlySpan<int> b, string op)
    {
        int rank = Math.Max(a.Length, b.Length);
        var result = new int[rank];
        for (int i = 0; i < rank; i++)
        {
            int da = i < rank - a.Length ? 1 : a[i - (rank - a.Length)];
            int db = i < rank - b.Length ? 1 : b[i - (rank - b.Length)];
            if (da != db && da != 1 && db != 1)
                throw new ArgumentException($"{op}: shapes {Format(a)} and {Format(b)} cannot be broadcast together (dimension {i}: {da} vs {db}).");
            result[i] = da == 1 ? db : da;
        }
        return result;
    }

    /// <summary>Product of dims [start, end).</summary>
    public static int Product(ReadOnlySpan<int> shape, int start, int end)
    {
        int p = 1;
        for (int i = start; i < end; i++) p *= shape[i];
        return p;
    }

    /// <summary>Resolves a reshape target with at most one -1.</summary>
    public static int[] ResolveReshape(ReadOnlySpan<int> from, int[] to, string op)
    {
        int size = SizeOf(from, op);
        int infer = -1;
        long known = 1;
        for (int i = 0; i < to.Length; i++)
        {
            if (to[i] == -1)
            {
                if (infer >= 0) throw new ArgumentException($"{op}: only one dimension may be -1 in {Format(to)}.");
                infer = i;
            }
            else if (to[i] < 0) throw new ArgumentException($"{op}: invalid dimension {to[i]} in {Format(to)}.");
            else known *= to[i];
        }
        var result = (int[])to.Clone();
        if (infer >= 0)
        {
            if (known == 0 || size % known != 0)
                throw new ArgumentException($"{op}: cannot reshape {Format(from)} ({size} elements) to {Format(to)}.");
            result[infer] = (int)(size / known);
        }
        else if (known != size)
            throw new ArgumentException($"{op}: cannot reshape {Format(from)} ({size} elements) to {Format(to)} ({known} elements).");
        return result;
    }
}
