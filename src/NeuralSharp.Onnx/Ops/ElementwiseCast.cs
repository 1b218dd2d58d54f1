using System.Numerics;
using System.Numerics.Tensors;
using NeuralSharp.Onnx.Import;

namespace NeuralSharp.Onnx.Ops;

/// <summary>Cast between the numeric types and bool (and the conversions other operators use).</summary>
internal static partial class ElementwiseOps
{
    /// <summary>
    /// Cast to the type <c>to</c> (an integer since opset 6, a type name such as "FLOAT" before): floating-point to
    /// integer truncates toward zero (out-of-range values saturate, NaN gives 0; C leaves both undefined), integer
    /// to integer wraps, to float16 rounds to nearest even, to bool is x != 0 (NaN is true), bool is 0 or 1.
    /// </summary>
    private static OnnxOp CreateCast(OpContext ctx)
    {
        ctx.RequireArity(1, 1);
        ctx.RequireKnownAttributes("to");
        if (!ctx.HasAttribute("to")) throw ctx.Fail("attribute 'to' is required");
        var to = ctx.Opset < 6 ? CastTarget1(ctx) : (OnnxElementType)ctx.Int("to", 0);
        if (to is OnnxElementType.String or OnnxElementType.BFloat16)
            throw ctx.Unsupported($"unsupported data type {OnnxElementTypes.Name(to)} for the result (Cast to string and bfloat16 is not supported)");
        if (Array.IndexOf(Castable, to) < 0)
            throw ctx.Unsupported($"unsupported data type {OnnxElementTypes.Name(to)} for the result (supported: {string.Join(", ", Castable.Select(OnnxElementTypes.Name))})");
        ctx.RequireType(0, Castable);
        return new DelegateOp((ins, outs) => outs[0] = Convert(ins[0]!, to)) { Outputs = [new ValueInfo(to, ctx.Input(0).Shape)] };
    }

    /// <summary>Cast-1's <c>to</c>: a type name, or (as some exporters wrote it) already the integer code.</summary>
    private static OnnxElementType CastTarget1(OpContext ctx)
    {
        try
        {
            return TypeNamed(ctx, ctx.String("to", ""));
        }
        catch (OnnxFormatException) when (TryInt(ctx) != null)
        {
            return (OnnxElementType)TryInt(ctx)!.Value;
        }
    }

    private static long? TryInt(OpContext ctx)
    {
        try { return ctx.Int("to", 0); }
        catch (OnnxFormatException) { return null; }
    }

    /// <summary>The element type Cast-1's string <c>to</c> names (TensorProto.DataType names: "FLOAT", "INT64"...).</summary>
    private static OnnxElementType TypeNamed(OpContext ctx, string name) =>
        Enum.GetValues<OnnxElementType>().FirstOrDefault(t => t != OnnxElementType.Undefined && t.ToString().Equals(name, StringComparison.OrdinalIgnoreCase)) switch
        {
            OnnxElementType.Undefined => throw ctx.Fail($"attribute 'to' = '{name}' is not a tensor element type"),
            var t => t,
        };

    /// <summary>
    /// <paramref name="x"/> converted to <paramref name="to"/> (the same tensor reshaped when the type already is);
    /// numeric types and bool only.
    /// </summary>
    /// <exception cref="OnnxUnsupportedException">A string or bfloat16 operand or result.</exception>
    internal static OnnxTensor Convert(OnnxTensor x, OnnxElementType to)
    {
        if (x.ElementType == to) return x.Reshaped(x.ShapeArray);
        if (x.ElementType == OnnxElementType.BFloat16)
            throw new OnnxUnsupportedException("Cast: bfloat16 is not supported");
        Array data = x.Data switch
        {
            float[] a => From<float>(a.AsSpan(0, x.Length), to),
            double[] a => From<double>(a.AsSpan(0, x.Length), to),
            Half[] a => From<Half>(a.AsSpan(0, x.Length), to),
            sbyte[] a => From<sbyte>(a.AsSpan(0, x.Length), to),
            short[] a => From<short>(a.AsSpan(0, x.Length), to),
            int[] a => From<int>(a.AsSpan(0, x.Length), to),
            long[] a => From<long>(a.AsSpan(0, x.Length), to),
            byte[] a => From<byte>(a.AsSpan(0, x.Length), to),
            ushort[] a => From<ushort>(a.AsSpan(0, x.Length), to),
            uint[] a => From<uint>(a.AsSpan(0, x.Length), to),
            ulong[] a => From<ulong>(a.AsSpan(0, x.Length), to),
            bool[] a => From<byte>(a.AsSpan(0, x.Length).ToArray().Select(v => v ? (byte)1 : (byte)0).ToArray(), to),
            _ => throw new OnnxUnsupportedException($"Cast: unsupported data type {OnnxElementTypes.Name(x.ElementType)}"),
        };
        return new OnnxTensor(to, x.ShapeArray, data);
    }

    private static Array From<TF>(ReadOnlySpan<TF> s, OnnxElementType to) where TF : unmanaged, INumberBase<TF> => to switch
    {
        OnnxElementType.Float => To<TF, float>(s),
        OnnxElementType.Double => To<TF, double>(s),
        OnnxElementType.Float16 => To<TF, Half>(s),
        OnnxElementType.Int8 => To<TF, sbyte>(s),
        OnnxElementType.Int16 => To<TF, short>(s),
        OnnxElementType.Int32 => To<TF, int>(s),
        OnnxElementType.Int64 => To<TF, long>(s),
        OnnxElementType.UInt8 => To<TF, byte>(s),
        OnnxElementType.UInt16 => To<TF, ushort>(s),
        OnnxElementType.UInt32 => To<TF, uint>(s),
        OnnxElementType.UInt64 => To<TF, ulong>(s),
        OnnxElementType.Bool => ToBool(s),
        _ => throw new OnnxUnsupportedException($"Cast: unsupported data type {OnnxElementTypes.Name(to)}"),
    };

    private static TT[] To<TF, TT>(ReadOnlySpan<TF> s) where TF : unmanaged, INumberBase<TF> where TT : unmanaged, INumberBase<TT>
    {
        var d = new TT[s.Length];
        if (IsInteger<TT>() && !IsInteger<TF>())
        {
            // Floating-point to integer: truncate toward zero, saturating (TensorPrimitives' truncating conversion of
            // an out-of-range float is not specified to saturate).
            for (int i = 0; i < s.Length; i++) d[i] = TT.CreateSaturating(TF.IsNaN(s[i]) ? TF.Zero : s[i]);
            return d;
        }
        TensorPrimitives.ConvertTruncating(s, d);
        return d;
    }

    private static bool[] ToBool<TF>(ReadOnlySpan<TF> s) where TF : unmanaged, INumberBase<TF>
    {
        var d = new bool[s.Length];
        for (int i = 0; i < s.Length; i++) d[i] = !TF.IsZero(s[i]);
        return d;
    }
}
