using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace NeuralSharp.Kernels;

// Legend: a 4 x 32 slice of the 12 x 32 AVX-512 register tile; kc the depth of the packed K block. Packed A is read
// with the 12-row sliver's stride (column p of rows r0..r0+3 at p * 12 + r0), packed B as the full kernel reads it.

/// <summary>
/// Edge rows of the 12 x 32 AVX-512 tile: a tile with only a few valid rows (an M tail, e.g. 25 rows = 12 + 12 + 1)
/// runs this 4-row kernel once per 4 valid rows instead of the 12-row kernel on mostly zero padding. Every element is the
/// same FMA chain and the same final update as in <see cref="GemmMicroKernels.Kernel512"/>, so results are bit-identical.
/// </summary>
internal static unsafe class GemmMicroKernel4
{
    /// <summary>C[4, 32] = alpha * Apack[rows r0..r0+3] * Bpack + beta * C (beta == 0: C not read); a points at row r0.</summary>
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    public static void Kernel512x4(int kc, float* a, float* b, float* c, nint ldc, float alpha, float beta)
    {
        Vector512<float> c0a = default, c0b = default, c1a = default, c1b = default;
        Vector512<float> c2a = default, c2b = default, c3a = default, c3b = default;
        for (int p = 0; p < kc; p++)
        {
            Vector512<float> b0 = Vector512.Load(b), b1 = Vector512.Load(b + 16);
            Vector512<float> a0 = Vector512.Create(a[0]);
            c0a = Vector512.FusedMultiplyAdd(a0, b0, c0a);
            c0b = Vector512.FusedMultiplyAdd(a0, b1, c0b);
            Vector512<float> a1 = Vector512.Create(a[1]);
            c1a = Vector512.FusedMultiplyAdd(a1, b0, c1a);
            c1b = Vector512.FusedMultiplyAdd(a1, b1, c1b);
            Vector512<float> a2 = Vector512.Create(a[2]);
            c2a = Vector512.FusedMultiplyAdd(a2, b0, c2a);
            c2b = Vector512.FusedMultiplyAdd(a2, b1, c2b);
            Vector512<float> a3 = Vector512.Create(a[3]);
            c3a = Vector512.FusedMultiplyAdd(a3, b0, c3a);
            c3b = Vector512.FusedMultiplyAdd(a3, b1, c3b);
            a += GemmMicroKernels.Mr512;
            b += GemmMicroKernels.Nr512;
        }
        Vector512<float> va = Vector512.Create(alpha);
        if (beta == 0f)
        {
            Vector512.Store(va * c0a, c); Vector512.Store(va * c0b, c + 16);
            Vector512.Store(va * c1a, c + ldc); Vector512.Store(va * c1b, c + ldc + 16);
            Vector512.Store(va * c2a, c + 2 * ldc); Vector512.Store(va * c2b, c + 2 * ldc + 16);
            Vector512.Store(va * c3a, c + 3 * ldc); Vector512.Store(va * c3b, c + 3 * ldc + 16);
        }
        else
        {
            Vector512<float> vb = Vector512.Create(beta);
            Update(c0a, c0b, c, va, vb);
            Update(c1a, c1b, c + ldc, va, vb);
            Update(c2a, c2b, c + 2 * ldc, va, vb);
            Update(c3a, c3b, c + 3 * ldc, va, vb);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Update(Vector512<float> x, Vector512<float> y, float* c, Vector512<float> va, Vector512<float> vb)
    {
        Vector512.Store(va * x + vb * Vector512.Load(c), c);
        Vector512.Store(va * y + vb * Vector512.Load(c + 16), c + 16);
    }
}
