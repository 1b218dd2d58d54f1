namespace NeuralSharp.Kernels;

/// <summary>Facts about the kernels' build, used by diagnostics.</summary>
public static class KernelInfo
{
    /// <summary>The widest SIMD vector the kernels use on this machine, in bits (512, 256, 128 or 0 for scalar).</summary>
    public static int VectorBits =>
        System.Runtime.Intrinsics.Vector512.IsHardwareAccelerated ? 512 :
        System.Runtime.Intrinsics.Vector256.IsHardwareAccelerated ? 256 :
        System.Runtime.Intrinsics.Vector128.IsHardwareAccelerated ? 128 : 0;
}
