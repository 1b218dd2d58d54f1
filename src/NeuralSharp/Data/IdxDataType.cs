namespace NeuralSharp.Data;

/// <summary>The element type code of an IDX file (the third byte of its magic number). Multi-byte types are big-endian.</summary>
public enum IdxDataType : byte
{
    /// <summary>Unsigned 8-bit integer (0x08), as in MNIST.</summary>
    UnsignedByte = 0x08,

    /// <summary>Signed 8-bit integer (0x09).</summary>
    SignedByte = 0x09,

    /// <summary>Signed 16-bit integer (0x0B).</summary>
    Int16 = 0x0B,

    /// <summary>Signed 32-bit integer (0x0C).</summary>
    Int32 = 0x0C,

    /// <summary>32-bit IEEE float (0x0D).</summary>
    Single = 0x0D,

    /// <summary>64-bit IEEE float (0x0E).</summary>
    Double = 0x0E,
}
