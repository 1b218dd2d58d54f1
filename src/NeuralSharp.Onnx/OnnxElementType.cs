namespace NeuralSharp.Onnx;

/// <summary>Element types of ONNX tensors, numbered as <c>TensorProto.DataType</c> in onnx.proto.</summary>
public enum OnnxElementType
{
    /// <summary>Not set (invalid in a tensor).</summary>
    Undefined = 0,
    /// <summary>IEEE 754 single precision (<see cref="float"/>).</summary>
    Float = 1,
    /// <summary>Unsigned 8-bit integer (<see cref="byte"/>).</summary>
    UInt8 = 2,
    /// <summary>Signed 8-bit integer (<see cref="sbyte"/>).</summary>
    Int8 = 3,
    /// <summary>Unsigned 16-bit integer (<see cref="ushort"/>).</summary>
    UInt16 = 4,
    /// <summary>Signed 16-bit integer (<see cref="short"/>).</summary>
    Int16 = 5,
    /// <summary>Signed 32-bit integer (<see cref="int"/>).</summary>
    Int32 = 6,
    /// <summary>Signed 64-bit integer (<see cref="long"/>).</summary>
    Int64 = 7,
    /// <summary>UTF-8 string (<see cref="string"/>).</summary>
    String = 8,
    /// <summary>Boolean (<see cref="bool"/>).</summary>
    Bool = 9,
    /// <summary>IEEE 754 half precision (<see cref="Half"/>).</summary>
    Float16 = 10,
    /// <summary>IEEE 754 double precision (<see cref="double"/>).</summary>
    Double = 11,
    /// <summary>Unsigned 32-bit integer (<see cref="uint"/>).</summary>
    UInt32 = 12,
    /// <summary>Unsigned 64-bit integer (<see cref="ulong"/>).</summary>
    UInt64 = 13,
    /// <summary>Complex with float components (not supported by the runtime).</summary>
    Complex64 = 14,
    /// <summary>Complex with double components (not supported by the runtime).</summary>
    Complex128 = 15,
    /// <summary>bfloat16: the upper half of a float32 (stored as <see cref="ushort"/> bits).</summary>
    BFloat16 = 16,
}
