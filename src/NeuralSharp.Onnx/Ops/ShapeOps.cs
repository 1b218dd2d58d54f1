using NeuralSharp.Onnx.Import;

namespace NeuralSharp.Onnx.Ops;

/// <summary>
/// Registers the shape and data-movement operators. They move elements without looking at them, so each works for
/// every element type the runtime holds (see <see cref="TensorData"/>). Each factory infers the output shape at load
/// as far as the input shapes and constant inputs allow (-1 for an unknown dimension, null for an unknown rank).
/// </summary>
internal static partial class ShapeOps
{
    public static void Register(OperatorRegistry registry)
    {
        registry.Add("Identity", 1, CreateIdentity);
        registry.Add("Dropout", 1, CreateDropout);
        registry.Add("Flatten", 1, CreateFlatten);
        registry.Add("Reshape", 1, CreateReshape);
        registry.Add("Squeeze", 1, CreateSqueeze);
        registry.Add("Unsqueeze", 1, CreateUnsqueeze);
        registry.Add("Constant", 1, CreateConstant);
        registry.Add("ConstantOfShape", 9, CreateConstantOfShape);
        registry.Add("Shape", 1, CreateShape);
        registry.Add("Size", 1, CreateSize);
        registry.Add("Range", 11, CreateRange);
        registry.Add("Transpose", 1, CreateTranspose);
        registry.Add("Concat", 1, CreateConcat);
        registry.Add("Split", 1, CreateSplit);
        registry.Add("Slice", 1, CreateSlice);
        registry.Add("Gather", 1, CreateGather);
        registry.Add("GatherElements", 11, CreateGatherElements);
        registry.Add("GatherND", 11, CreateGatherND);
        registry.Add("OneHot", 9, CreateOneHot);
        registry.Add("Expand", 8, CreateExpand);
        registry.Add("Tile", 6, CreateTile);
        registry.Add("Pad", 2, CreatePad);
        registry.Add("Trilu", 14, CreateTrilu);
    }

    /// <summary>An error for a run-time shape or value problem, naming the op.</summary>
    private static ArgumentException RunError(string op, string message) => new($"{op}: {message}");

    /// <summary>The element type of input <paramref name="i"/>, which may be any type the runtime holds.</summary>
    private static OnnxElementType AnyType(OpContext ctx, int i) => ctx.RequireType(i, TensorData.AllTypes);

    /// <summary>Input <paramref name="i"/> (int64/int32) as longs when it is a constant, else null.</summary>
    private static long[]? ConstantLongs(OpContext ctx, int i)
    {
        var c = ctx.Constant(i);
        if (c == null) return null;
        try
        {
            return TensorData.Longs(c, $"input {i}");
        }
        catch (ArgumentException e)
        {
            throw ctx.Fail(e.Message);
        }
    }

    /// <summary>The number of elements of a 1-D input (shape, axes...) when its shape says, else -1.</summary>
    private static int KnownLength(OpContext ctx, int i)
    {
        var shape = ctx.Input(i).Shape;
        return shape is [var n] ? n : shape is [] ? 1 : -1;
    }

    /// <summary>An all-unknown shape of <paramref name="rank"/> dimensions, or null when the rank is unknown (&lt; 0).</summary>
    private static int[]? UnknownDims(int rank) => rank < 0 ? null : Enumerable.Repeat(-1, rank).ToArray();

    /// <summary>Sorted, normalised, distinct axes, or a load error naming the node.</summary>
    private static int[] NormalizeAxes(OpContext ctx, long[] axes, int rank, string what = "axes")
    {
        var result = axes.Select(a => ctx.Axis(a, rank, what == "axes" ? "axis" : what)).ToArray();
        if (result.Distinct().Count() != result.Length) throw ctx.Fail($"{what} {TensorData.Text(axes)} repeat an axis");
        Array.Sort(result);
        return result;
    }

    /// <summary>Run-time version of the load-time NormalizeAxes: errors are <see cref="ArgumentException"/>s.</summary>
    private static int[] NormalizeAxes(string op, long[] axes, int rank)
    {
        var result = new int[axes.Length];
        for (int i = 0; i < axes.Length; i++)
        {
            long a = axes[i];
            if (a < -rank || a >= rank) throw RunError(op, $"axis {a} is out of range for rank {rank}");
            result[i] = (int)(a < 0 ? a + rank : a);
        }
        if (result.Distinct().Count() != result.Length) throw RunError(op, $"axes {TensorData.Text(axes)} repeat an axis");
        Array.Sort(result);
        return result;
    }

    /// <summary>An op whose single output is described by <paramref name="output"/>.</summary>
    private static DelegateOp Op(ValueInfo output, Action<OnnxTensor?[], OnnxTensor?[]> run) => new(run) { Outputs = [output] };
}
