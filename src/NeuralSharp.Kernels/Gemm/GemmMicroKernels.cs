using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace NeuralSharp.Kernels;

// Legend: MR x NR the register tile of C; kc the depth of one packed block of the reduction K.
// Packed A: kc groups of MR values (column p of the MR-row sliver); packed B: kc groups of NR values.

/// <summary>
/// GEMM micro-kernels: C[MR, NR] = alpha * Apack[MR, kc] * Bpack[kc, NR] + beta * C (beta == 0: C is not read).
/// Every element is one FMA chain over p = 0..kc-1 followed by <c>alpha * acc + beta * c</c> (separately rounded),
/// the same whichever tile or thread computes it.
/// </summary>
internal static unsafe class GemmMicroKernels
{
    /// <summary>Rows of the AVX-512 register tile.</summary>
    public const int Mr512 = 12;
    /// <summary>Columns of the AVX-512 register tile (two vectors).</summary>
    public const int Nr512 = 32;

    /// <summary>The 12x32 AVX-512 kernel: 24 accumulators, two B vectors and one A broadcast per step.</summary>
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    public static void Kernel512(int kc, float* a, float* b, float* c, nint ldc, float alpha, float beta)
    {
        // Fetch the C tile (read or written at the end) while the FMAs run.
        for (int r = 0; r < Mr512; r++)
        {
            System.Runtime.Intrinsics.X86.Sse.Prefetch0(c + r * ldc);
            System.Runtime.Intrinsics.X86.Sse.Prefetch0(c + r * ldc + 31);
        }
        Vector512<float> c0a = default, c0b = default;
        Vector512<float> c1a = default, c1b = default;
        Vector512<float> c2a = default, c2b = default;
        Vector512<float> c3a = default, c3b = default;
        Vector512<float> c4a = default, c4b = default;
        Vector512<float> c5a = default, c5b = default;
        Vector512<float> c6a = default, c6b = default;
        Vector512<float> c7a = default, c7b = default;
        Vector512<float> c8a = default, c8b = default;
        Vector512<float> c9a = default, c9b = default;
        Vector512<float> c10a = default, c10b = default;
        Vector512<float> c11a = default, c11b = default;
        for (int p = 0; p < kc; p++)
        {
            Vector512<float> b0 = Vector512.Load(b);
            Vector512<float> b1 = Vector512.Load(b + 16);
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
            Vector512<float> a4 = Vector512.Create(a[4]);
            c4a = Vector512.FusedMultiplyAdd(a4, b0, c4a);
            c4b = Vector512.FusedMultiplyAdd(a4, b1, c4b);
            Vector512<float> a5 = Vector512.Create(a[5]);
            c5a = Vector512.FusedMultiplyAdd(a5, b0, c5a);
            c5b = Vector512.FusedMultiplyAdd(a5, b1, c5b);
            Vector512<float> a6 = Vector512.Create(a[6]);
            c6a = Vector512.FusedMultiplyAdd(a6, b0, c6a);
            c6b = Vector512.FusedMultiplyAdd(a6, b1, c6b);
            Vector512<float> a7 = Vector512.Create(a[7]);
            c7a = Vector512.FusedMultiplyAdd(a7, b0, c7a);
            c7b = Vector512.FusedMultiplyAdd(a7, b1, c7b);
            Vector512<float> a8 = Vector512.Create(a[8]);
            c8a = Vector512.FusedMultiplyAdd(a8, b0, c8a);
            c8b = Vector512.FusedMultiplyAdd(a8, b1, c8b);
            Vector512<float> a9 = Vector512.Create(a[9]);
            c9a = Vector512.FusedMultiplyAdd(a9, b0, c9a);
            c9b = Vector512.FusedMultiplyAdd(a9, b1, c9b);
            Vector512<float> a10 = Vector512.Create(a[10]);
            c10a = Vector512.FusedMultiplyAdd(a10, b0, c10a);
            c10b = Vector512.FusedMultiplyAdd(a10, b1, c10b);
            Vector512<float> a11 = Vector512.Create(a[11]);
            c11a = Vector512.FusedMultiplyAdd(a11, b0, c11a);
            c11b = Vector512.FusedMultiplyAdd(a11, b1, c11b);
            a += Mr512;
            b += Nr512;
        }
        Vector512<float> va = Vector512.Create(alpha);
        if (beta == 0f)
        {
            Vector512.Store(va * c0a, c + 0 * ldc); Vector512.Store(va * c0b, c + 0 * ldc + 16);
            Vector512.Store(va * c1a, c + 1 * ldc); Vector512.Store(va * c1b, c + 1 * ldc + 16);
            Vector512.Store(va * c2a, c + 2 * ldc); Vector512.Store(va * c2b, c + 2 * ldc + 16);
            Vector512.Store(va * c3a, c + 3 * ldc); Vector512.Store(va * c3b, c + 3 * ldc + 16);
            Vector512.Store(va * c4a, c + 4 * ldc); Vector512.Store(va * c4b, c + 4 * ldc + 16);
            Vector512.Store(va * c5a, c + 5 * ldc); Vector512.Store(va * c5b, c + 5 * ldc + 16);
            Vector512.Store(va * c6a, c + 6 * ldc); Vector512.Store(va * c6b, c + 6 * ldc + 16);
            Vector512.Store(va * c7a, c + 7 * ldc); Vector512.Store(va * c7b, c + 7 * ldc + 16);
            Vector512.Store(va * c8a, c + 8 * ldc); Vector512.Store(va * c8b, c + 8 * ldc + 16);
            Vector512.Store(va * c9a, c + 9 * ldc); Vector512.Store(va * c9b, c + 9 * ldc + 16);
            Vector512.Store(va * c10a, c + 10 * ldc); Vector512.Store(va * c10b, c + 10 * ldc + 16);
            Vector512.Store(va * c11a, c + 11 * ldc); Vector512.Store(va * c11b, c + 11 * ldc + 16);
        }
        else
        {
            Vector512<float> vb = Vector512.Create(beta);
            Update512(c0a, c0b, c + 0 * ldc, va, vb);
            Update512(c1a, c1b, c + 1 * ldc, va, vb);
            Update512(c2a, c2b, c + 2 * ldc, va, vb);
            Update512(c3a, c3b, c + 3 * ldc, va, vb);
            Update512(c4a, c4b, c + 4 * ldc, va, vb);
            Update512(c5a, c5b, c + 5 * ldc, va, vb);
            Update512(c6a, c6b, c + 6 * ldc, va, vb);
            Update512(c7a, c7b, c + 7 * ldc, va, vb);
            Update512(c8a, c8b, c + 8 * ldc, va, vb);
            Update512(c9a, c9b, c + 9 * ldc, va, vb);
            Update512(c10a, c10b, c + 10 * ldc, va, vb);
            Update512(c11a, c11b, c + 11 * ldc, va, vb);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Update512(Vector512<float> x, Vector512<float> y, float* c, Vector512<float> va, Vector512<float> vb)
    {
        Vector512.Store(va * x + vb * Vector512.Load(c), c);
        Vector512.Store(va * y + vb * Vector512.Load(c + 16), c + 16);
    }

    /// <summary>Rows of the AVX2 register tile.</summary>
    public const int Mr256 = 6;
    /// <summary>Columns of the AVX2 register tile (two vectors).</summary>
    public const int Nr256 = 16;

    /// <summary>The 6x16 AVX2+FMA kernel: 12 accumulators, two B vectors and one A broadcast per step.</summary>
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    public static void Kernel256(int kc, float* a, float* b, float* c, nint ldc, float alpha, float beta)
    {
        Vector256<float> c0a = default, c0b = default;
        Vector256<float> c1a = default, c1b = default;
        Vector256<float> c2a = default, c2b = default;
        Vector256<float> c3a = default, c3b = default;
        Vector256<float> c4a = default, c4b = default;
        Vector256<float> c5a = default, c5b = default;
        for (int p = 0; p < kc; p++)
        {
            Vector256<float> b0 = Vector256.Load(b);
            Vector256<float> b1 = Vector256.Load(b + 8);
            Vector256<float> a0 = Vector256.Create(a[0]);
            c0a = Vector256.FusedMultiplyAdd(a0, b0, c0a);
            c0b = Vector256.FusedMultiplyAdd(a0, b1, c0b);
            Vector256<float> a1 = Vector256.Create(a[1]);
            c1a = Vector256.FusedMultiplyAdd(a1, b0, c1a);
            c1b = Vector256.FusedMultiplyAdd(a1, b1, c1b);
            Vector256<float> a2 = Vector256.Create(a[2]);
            c2a = Vector256.FusedMultiplyAdd(a2, b0, c2a);
            c2b = Vector256.FusedMultiplyAdd(a2, b1, c2b);
            Vector256<float> a3 = Vector256.Create(a[3]);
            c3a = Vector256.FusedMultiplyAdd(a3, b0, c3a);
            c3b = Vector256.FusedMultiplyAdd(a3, b1, c3b);
            Vector256<float> a4 = Vector256.Create(a[4]);
            c4a = Vector256.FusedMultiplyAdd(a4, b0, c4a);
            c4b = Vector256.FusedMultiplyAdd(a4, b1, c4b);
            Vector256<float> a5 = Vector256.Create(a[5]);
            c5a = Vector256.FusedMultiplyAdd(a5, b0, c5a);
            c5b = Vector256.FusedMultiplyAdd(a5, b1, c5b);
            a += Mr256;
            b += Nr256;
        }
        Vector256<float> va = Vector256.Create(alpha);
        if (beta == 0f)
        {
            Vector256.Store(va * c0a, c + 0 * ldc); Vector256.Store(va * c0b, c + 0 * ldc + 8);
            Vector256.Store(va * c1a, c + 1 * ldc); Vector256.Store(va * c1b, c + 1 * ldc + 8);
            Vector256.Store(va * c2a, c + 2 * ldc); Vector256.Store(va * c2b, c + 2 * ldc + 8);
            Vector256.Store(va * c3a, c + 3 * ldc); Vector256.Store(va * c3b, c + 3 * ldc + 8);
            Vector256.Store(va * c4a, c + 4 * ldc); Vector256.Store(va * c4b, c + 4 * ldc + 8);
            Vector256.Store(va * c5a, c + 5 * ldc); Vector256.Store(va * c5b, c + 5 * ldc + 8);
        }
        else
        {
            Vector256<float> vb = Vector256.Create(beta);
            Update256(c0a, c0b, c + 0 * ldc, va, vb);
            Update256(c1a, c1b, c + 1 * ldc, va, vb);
            Update256(c2a, c2b, c + 2 * ldc, va, vb);
            Update256(c3a, c3b, c + 3 * ldc, va, vb);
            Update256(c4a, c4b, c + 4 * ldc, va, vb);
            Update256(c5a, c5b, c + 5 * ldc, va, vb);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Update256(Vector256<float> x, Vector256<float> y, float* c, Vector256<float> va, Vector256<float> vb)
    {
        Vector256.Store(va * x + vb * Vector256.Load(c), c);
        Vector256.Store(va * y + vb * Vector256.Load(c + 8), c + 8);
    }

    /// <summary>Rows of the scalar register tile.</summary>
    public const int MrScalar = 4;
    /// <summary>Columns of the scalar register tile.</summary>
    public const int NrScalar = 4;

    /// <summary>The 4x4 scalar kernel (no SIMD): 16 accumulators; uses MathF.FusedMultiplyAdd like the SIMD kernels.</summary>
    public static void KernelScalar(int kc, float* a, float* b, float* c, nint ldc, float alpha, float beta)
    {
        float c00 = 0f, c01 = 0f, c02 = 0f, c03 = 0f;
        float c10 = 0f, c11 = 0f, c12 = 0f, c13 = 0f;
        float c20 = 0f, c21 = 0f, c22 = 0f, c23 = 0f;
        float c30 = 0f, c31 = 0f, c32 = 0f, c33 = 0f;
        for (int p = 0; p < kc; p++)
        {
            float b0 = b[0], b1 = b[1], b2 = b[2], b3 = b[3];
            float a0 = a[0];
            c00 = MathF.FusedMultiplyAdd(a0, b0, c00); c01 = MathF.FusedMultiplyAdd(a0, b1, c01); c02 = MathF.FusedMultiplyAdd(a0, b2, c02); c03 = MathF.FusedMultiplyAdd(a0, b3, c03);
            float a1 = a[1];
            c10 = MathF.FusedMultiplyAdd(a1, b0, c10); c11 = MathF.FusedMultiplyAdd(a1, b1, c11); c12 = MathF.FusedMultiplyAdd(a1, b2, c12); c13 = MathF.FusedMultiplyAdd(a1, b3, c13);
            float a2 = a[2];
            c20 = MathF.FusedMultiplyAdd(a2, b0, c20); c21 = MathF.FusedMultiplyAdd(a2, b1, c21); c22 = MathF.FusedMultiplyAdd(a2, b2, c22); c23 = MathF.FusedMultiplyAdd(a2, b3, c23);
            float a3 = a[3];
            c30 = MathF.FusedMultiplyAdd(a3, b0, c30); c31 = MathF.FusedMultiplyAdd(a3, b1, c31); c32 = MathF.FusedMultiplyAdd(a3, b2, c32); c33 = MathF.FusedMultiplyAdd(a3, b3, c33);
            a += MrScalar;
            b += NrScalar;
        }
        float* c0 = c + 0 * ldc;
        float* c1 = c + 1 * ldc;
        float* c2 = c + 2 * ldc;
        float* c3 = c + 3 * ldc;
        if (beta == 0f)
        {
            c0[0] = alpha * c00; c0[1] = alpha * c01; c0[2] = alpha * c02; c0[3] = alpha * c03;
            c1[0] = alpha * c10; c1[1] = alpha * c11; c1[2] = alpha * c12; c1[3] = alpha * c13;
            c2[0] = alpha * c20; c2[1] = alpha * c21; c2[2] = alpha * c22; c2[3] = alpha * c23;
            c3[0] = alpha * c30; c3[1] = alpha * c31; c3[2] = alpha * c32; c3[3] = alpha * c33;
        }
        else
        {
            c0[0] = alpha * c00 + beta * c0[0]; c0[1] = alpha * c01 + beta * c0[1]; c0[2] = alpha * c02 + beta * c0[2]; c0[3] = alpha * c03 + beta * c0[3];
            c1[0] = alpha * c10 + beta * c1[0]; c1[1] = alpha * c11 + beta * c1[1]; c1[2] = alpha * c12 + beta * c1[2]; c1[3] = alpha * c13 + beta * c1[3];
            c2[0] = alpha * c20 + beta * c2[0]; c2[1] = alpha * c21 + beta * c2[1]; c2[2] = alpha * c22 + beta * c2[2]; c2[3] = alpha * c23 + beta * c2[3];
            c3[0] = alpha * c30 + beta * c3[0]; c3[1] = alpha * c31 + beta * c3[1]; c3[2] = alpha * c32 + beta * c3[2]; c3[3] = alpha * c33 + beta * c3[3];
        }
    }
}
