using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace NeuralSharp.Kernels;

// Legend: a 4 x 32 or 8 x 32 slice of the 12 x 32 AVX-512 register tile; kc the depth of the packed K block. Packed A
// is read with the 12-row sliver's stride (column p of rows r0..r0+7 at p * 12 + r0), packed B as the full kernel
// reads it.

/// <summary>
/// Edge rows of the 12 x 32 AVX-512 tile: a tile with only a few valid rows (an M tail, e.g. 128 = 10 * 12 + 8) runs a
/// 4- or 8-row kernel instead of the 12-row kernel on mostly zero padding. Every element is the same FMA chain and the
/// same final update as in <see cref="GemmMicroKernels.Kernel512"/>, so results are bit-identical.
/// </summary>
internal static unsafe class GemmEdgeKernels
{
    /// <summary>C[rows, 32] = alpha * Apack * Bpack + beta * C for 1..8 rows: the 4-row kernel up to 4, else the 8-row one.</summary>
    public static void Kernel512Rows(int rows, int kc, float* a, float* b, float* c, nint ldc, float alpha, float beta)
    {
        if (rows <= 4) Kernel512<FourRows>(kc, a, b, c, ldc, alpha, beta);
        else Kernel512<EightRows>(kc, a, b, c, ldc, alpha, beta);
    }

    /// <summary>How many rows a kernel instance computes (a type argument, so the JIT drops the unused half).</summary>
    private interface IRowCount { static abstract bool Eight { get; } }

    private struct FourRows : IRowCount { public static bool Eight => false; }

    private struct EightRows : IRowCount { public static bool Eight => true; }

    /// <summary>C[4 or 8, 32] = alpha * Apack * Bpack + beta * C (beta == 0: C not read); a points at the first row.</summary>
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static void Kernel512<T>(int kc, float* a, float* b, float* c, nint ldc, float alpha, float beta) where T : struct, IRowCount
    {
        // Fetch the C rows (read or written at the end) while the FMAs run, as Kernel512 does.
        for (int r = 0; r < (T.Eight ? 8 : 4); r++)
        {
            System.Runtime.Intrinsics.X86.Sse.Prefetch0(c + r * ldc);
            System.Runtime.Intrinsics.X86.Sse.Prefetch0(c + r * ldc + 31);
        }
        Vector512<float> c0a = default, c0b = default, c1a = default, c1b = default;
        Vector512<float> c2a = default, c2b = default, c3a = default, c3b = default;
        Vector512<float> c4a = default, c4b = default, c5a = default, c5b = default;
        Vector512<float> c6a = default, c6b = default, c7a = default, c7b = default;
        for (int p = 0; p < kc; p++)
        {
            Vector512<float> b0 = Vector512.Load(b), b1 = Vector512.Load(b + 16);
            Fma(a[0], b0, b1, ref c0a, ref c0b);
            Fma(a[1], b0, b1, ref c1a, ref c1b);
            Fma(a[2], b0, b1, ref c2a, ref c2b);
            Fma(a[3], b0, b1, ref c3a, ref c3b);
            if (T.Eight)
            {
                Fma(a[4], b0, b1, ref c4a, ref c4b);
                Fma(a[5], b0, b1, ref c5a, ref c5b);
                Fma(a[6], b0, b1, ref c6a, ref c6b);
                Fma(a[7], b0, b1, ref c7a, ref c7b);
            }
            a += GemmMicroKernels.Mr512;
            b += GemmMicroKernels.Nr512;
        }
        Vector512<float> va = Vector512.Create(alpha), vb = Vector512.Create(beta);
        bool read = beta != 0f;
        Update(c0a, c0b, c, va, vb, read);
        Update(c1a, c1b, c + ldc, va, vb, read);
        Update(c2a, c2b, c + 2 * ldc, va, vb, read);
        Update(c3a, c3b, c + 3 * ldc, va, vb, read);
        if (T.Eight)
        {
            Update(c4a, c4b, c + 4 * ldc, va, vb, read);
            Update(c5a, c5b, c + 5 * ldc, va, vb, read);
            Update(c6a, c6b, c + 6 * ldc, va, vb, read);
            Update(c7a, c7b, c + 7 * ldc, va, vb, read);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Fma(float a, Vector512<float> b0, Vector512<float> b1, ref Vector512<float> x, ref Vector512<float> y)
    {
        Vector512<float> va = Vector512.Create(a);
        x = Vector512.FusedMultiplyAdd(va, b0, x);
        y = Vector512.FusedMultiplyAdd(va, b1, y);
    }

    /// <summary>One row of the tile: alpha * acc, plus beta * C when C is read (beta != 0), as Kernel512 stores it.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Update(Vector512<float> x, Vector512<float> y, float* c, Vector512<float> va, Vector512<float> vb, bool read)
    {
        if (read)
        {
            Vector512.Store(va * x + vb * Vector512.Load(c), c);
            Vector512.Store(va * y + vb * Vector512.Load(c + 16), c + 16);
        }
        else
        {
            Vector512.Store(va * x, c);
            Vector512.Store(va * y, c + 16);
        }
    }
}
