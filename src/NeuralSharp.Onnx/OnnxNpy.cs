using NeuralSharp.Onnx.Import;
using NeuralSharp.Serialization;

namespace NeuralSharp.Onnx;

/// <summary>NumPy <c>.npy</c> files as <see cref="OnnxTensor"/>s: every NumPy type NeuralSharp reads maps to the ONNX type of the same name.</summary>
public static class OnnxNpy
{
    /// <summary>Reads a .npy file as a tensor of the matching element type.</summary>
    /// <exception cref="NpyFormatException">The file is not a valid .npy file (names the file and byte offset).</exception>
    public static OnnxTensor Read(string path) => FromNpy(Npy.Read(path));

    /// <summary>Writes <paramref name="tensor"/> as a .npy file (atomically).</summary>
    /// <exception cref="OnnxUnsupportedException">The element type has no NumPy counterpart here (bfloat16, string).</exception>
    public static void Write(string path, OnnxTensor tensor) => Npy.Write(path, ToNpy(tensor));

    /// <summary>The tensor holding <paramref name="array"/>'s values and shape (a copy).</summary>
    public static OnnxTensor FromNpy(NpyArray array)
    {
        var type = array.DType switch
        {
            NpyDType.Bool => OnnxElementType.Bool,
            NpyDType.Int8 => OnnxElementType.Int8,
            NpyDType.UInt8 => OnnxElementType.UInt8,
            NpyDType.Int16 => OnnxElementType.Int16,
            NpyDType.UInt16 => OnnxElementType.UInt16,
            NpyDType.Int32 => OnnxElementType.Int32,
            NpyDType.UInt32 => OnnxElementType.UInt32,
            NpyDType.Int64 => OnnxElementType.Int64,
            NpyDType.UInt64 => OnnxElementType.UInt64,
            NpyDType.Float16 => OnnxElementType.Float16,
            NpyDType.Float32 => OnnxElementType.Float,
            NpyDType.Float64 => OnnxElementType.Double,
            _ => throw new OnnxUnsupportedException($"unsupported NumPy type {array.DType}"),
        };
        var data = OnnxElementTypes.NewArray(type, array.Count);
        if (data is bool[] bools)
        {
            var bytes = array.Data;
            for (int i = 0; i < bools.Length; i++) bools[i] = bytes[i] != 0;
        }
        else array.Data.CopyTo(TensorProtoConverter.RawBytes(data));
        return new OnnxTensor(type, array.Shape, data);
    }

    /// <summary>The NumPy array holding <paramref name="tensor"/>'s values and shape (a copy).</summary>
    /// <exception cref="OnnxUnsupportedException">The element type has no NumPy counterpart here (bfloat16, string).</exception>
    public static NpyArray ToNpy(OnnxTensor tensor)
    {
        var dtype = tensor.ElementType switch
        {
            OnnxElementType.Bool => NpyDType.Bool,
            OnnxElementType.Int8 => NpyDType.Int8,
            OnnxElementType.UInt8 => NpyDType.UInt8,
            OnnxElementType.Int16 => NpyDType.Int16,
            OnnxElementType.UInt16 => NpyDType.UInt16,
            OnnxElementType.Int32 => NpyDType.Int32,
            OnnxElementType.UInt32 => NpyDType.UInt32,
            OnnxElementType.Int64 => NpyDType.Int64,
            OnnxElementType.UInt64 => NpyDType.UInt64,
            OnnxElementType.Float16 => NpyDType.Float16,
            OnnxElementType.Float => NpyDType.Float32,
            OnnxElementType.Double => NpyDType.Float64,
            _ => throw new OnnxUnsupportedException($"a {OnnxElementTypes.Name(tensor.ElementType)} tensor cannot be written as .npy"),
        };
        byte[] bytes;
        if (tensor.Data is bool[] bools)
        {
            bytes = new byte[tensor.Length];
            for (int i = 0; i < bytes.Length; i++) bytes[i] = bools[i] ? (byte)1 : (byte)0;
        }
        else bytes = TensorProtoConverter.RawBytes(tensor.Data)[..(tensor.Length * OnnxElementTypes.Size(tensor.ElementType))].ToArray();
        return new NpyArray(dtype, tensor.ShapeArray, bytes);
    }
}
