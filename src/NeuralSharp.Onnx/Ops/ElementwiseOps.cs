using System.Numerics;

namespace NeuralSharp.Onnx.Ops;

/// <summary>
/// Registers the elementwise operators: arithmetic (ElementwiseArithmetic.cs), unary math and activations
/// (ElementwiseUnary.cs), comparisons, logic and Where (ElementwiseLogic.cs), and Cast (ElementwiseCast.cs).
/// float32 runs on NeuralSharp's SIMD kernels or TensorPrimitives; the other numeric types the runtime holds
/// go through generic math; bfloat16 and strings are refused.
/// </summary>
internal static partial class ElementwiseOps
{
    public static void Register(OperatorRegistry registry)
    {
        RegisterArithmetic(registry);
        RegisterUnary(registry);
        RegisterLogic(registry);
        registry.Add("Cast", 1, CreateCast);
    }

    /// <summary>Every numeric type the runtime computes in (not bool, string or bfloat16).</summary>
    internal static readonly OnnxElementType[] Numeric =
    [
        OnnxElementType.Float, OnnxElementType.Double, OnnxElementType.Float16,
        OnnxElementType.Int8, OnnxElementType.Int16, OnnxElementType.Int32, OnnxElementType.Int64,
        OnnxElementType.UInt8, OnnxElementType.UInt16, OnnxElementType.UInt32, OnnxElementType.UInt64,
    ];

    /// <summary>The signed numeric types (for Neg).</summary>
    internal static readonly OnnxElementType[] Signed =
    [
        OnnxElementType.Float, OnnxElementType.Double, OnnxElementType.Float16,
        OnnxElementType.Int8, OnnxElementType.Int16, OnnxElementType.Int32, OnnxElementType.Int64,
    ];

    /// <summary>The floating-point types the runtime computes in.</summary>
    internal static readonly OnnxElementType[] Floats = [OnnxElementType.Float, OnnxElementType.Double, OnnxElementType.Float16];

    /// <summary>The types Cast converts between: the numeric types and bool (not string or bfloat16).</summary>
    private static readonly OnnxElementType[] Castable = [.. Numeric, OnnxElementType.Bool];

    /// <summary>The types Where selects between.</summary>
    private static readonly OnnxElementType[] Selectable = [.. Numeric, OnnxElementType.Bool, OnnxElementType.String];

    /// <summary>
    /// <paramref name="known"/> plus the legacy attributes an opset allows: <c>consumed_inputs</c> (an in-place
    /// hint without effect on the values, dropped at opset 6) and, with <paramref name="legacyBroadcast"/>, the
    /// <c>broadcast</c>/<c>axis</c> pair of binary operators before opset 7.
    /// </summary>
    internal static string[] Attributes(OpContext ctx, bool legacyBroadcast, params string[] known)
    {
        var list = new List<string>(known);
        if (ctx.Opset < 6) list.Add("consumed_inputs");
        if (legacyBroadcast && ctx.Opset < 7) list.AddRange(["broadcast", "axis"]);
        return list.ToArray();
    }

    /// <summary>Calls <paramref name="factory"/> with the .NET type of numeric <paramref name="type"/>.</summary>
    /// <exception cref="OnnxUnsupportedException">The type is not numeric.</exception>
    internal static TResult Dispatch<TResult, TFactory>(OnnxElementType type, TFactory factory)
        where TFactory : INumericFactory<TResult> => type switch
    {
        OnnxElementType.Float => factory.Create<float>(),
        OnnxElementType.Double => factory.Create<double>(),
        OnnxElementType.Float16 => factory.Create<Half>(),
        OnnxElementType.Int8 => factory.Create<sbyte>(),
        OnnxElementType.Int16 => factory.Create<short>(),
        OnnxElementType.Int32 => factory.Create<int>(),
        OnnxElementType.Int64 => factory.Create<long>(),
        OnnxElementType.UInt8 => factory.Create<byte>(),
        OnnxElementType.UInt16 => factory.Create<ushort>(),
        OnnxElementType.UInt32 => factory.Create<uint>(),
        OnnxElementType.UInt64 => factory.Create<ulong>(),
        _ => throw new OnnxUnsupportedException($"unsupported data type {OnnxElementTypes.Name(type)}"),
    };

    /// <summary>True for the integer element types.</summary>
    internal static bool IsInteger<T>() =>
        typeof(T) == typeof(sbyte) || typeof(T) == typeof(short) || typeof(T) == typeof(int) || typeof(T) == typeof(long) ||
        typeof(T) == typeof(byte) || typeof(T) == typeof(ushort) || typeof(T) == typeof(uint) || typeof(T) == typeof(ulong);

    internal static string Dims(ReadOnlySpan<int> shape) => string.Join(", ", shape.ToArray());
}

/// <summary>Makes something for one numeric element type (see <see cref="ElementwiseOps.Dispatch{TResult, TFactory}"/>).</summary>
internal interface INumericFactory<TResult>
{
    /// <summary>The result for element type <typeparamref name="T"/>.</summary>
    TResult Create<T>() where T : unmanaged, INumber<T>, IMinMaxValue<T>;
}
