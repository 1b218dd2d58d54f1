namespace NeuralSharp.Onnx.Ops;

/// <summary>Shape arithmetic shared by the nn and reduction ops, with run-time errors that name the op.</summary>
internal static class NnShapes
{
    /// <summary>The product of <paramref name="shape"/>[<paramref name="from"/>..<paramref name="to"/>) (1 for an empty range).</summary>
    public static int Product(ReadOnlySpan<int> shape, int from, int to) =>
        (int)OnnxTensor.ElementCount(shape[from..to]);

    /// <summary>Normalises <paramref name="axis"/> in [-rank, rank) to [0, rank), else throws ArgumentException naming <paramref name="op"/>.</summary>
    public static int Axis(long axis, int rank, string op, ReadOnlySpan<int> shape)
    {
        if (axis < -rank || axis >= rank)
            throw new ArgumentException($"{op}: axis {axis} is out of range for input [{Dims(shape)}] (rank {rank})");
        return (int)(axis < 0 ? axis + rank : axis);
    }

    /// <summary>Checks an axis against a rank known at load (no check when the rank is unknown).</summary>
    public static void CheckAxis(OpContext ctx, long axis)
    {
        int rank = ctx.Input(0).Rank;
        if (rank >= 0) ctx.Axis(axis, rank);
    }

    /// <summary>The dimensions as "2, 3, 4".</summary>
    public static string Dims(ReadOnlySpan<int> shape) => string.Join(", ", shape.ToArray());
}
