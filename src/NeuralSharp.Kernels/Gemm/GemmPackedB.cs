namespace NeuralSharp.Kernels;

// Legend: op(B) is K x N; KC the depth of one K block (a function of K only, as in the blocked GEMM), NR the register
// tile's width, Npad = N rounded up to NR.

/// <summary>
/// A matrix op(B) [K, N] packed once into the panel layout the blocked GEMM's micro-kernel reads, for products that
/// reuse the same right operand many times (a linear layer's weight at inference): see
/// <see cref="Gemm.PackB(bool, int, int, ReadOnlySpan{float}, int)"/> and
/// <see cref="Gemm.SgemmBiasActivationPacked"/>.
/// </summary>
/// <remarks>
/// Layout: K is cut into the blocks the blocked GEMM uses (ceil(K / 256) balanced blocks); block k0 (depth kc) starts at
/// float k0 * Npad and holds ceil(N / NR) slivers of kc x NR values (element (p, j) of a sliver at p * NR + j), columns
/// beyond N zero. The data is 64-byte aligned in a pinned managed array: there is nothing to dispose, and a product
/// that runs while the last reference to the handle is dropped stays safe. Memory: K * Npad floats (one copy of B plus
/// at most NR - 1 padding columns). Immutable once made; safe to share between threads.
/// </remarks>
public sealed class GemmPackedB
{
    private readonly float[] _data;

    internal GemmPackedB(GemmKernelKind kind, int k, int n)
    {
        Kind = kind;
        K = k;
        N = n;
        Nr = GemmBlocked.Nr(kind);
        NPad = (n + Nr - 1) / Nr * Nr;
        int kBlocks = Math.Max(1, (k + GemmBlocked.KcMax - 1) / GemmBlocked.KcMax);
        KcStep = (k + kBlocks - 1) / kBlocks;
        long floats = (long)k * NPad;
        if (floats > System.Array.MaxLength - 16)
            throw new ArgumentException($"Gemm.PackB: op(B) of {k} x {n} is too large to pack ({floats} floats).");
        // Pinned (never moves), over-allocated by one cache line so that the data can start on a 64-byte boundary.
        _data = GC.AllocateUninitializedArray<float>((int)floats + 16, pinned: true);
        Offset = AlignedOffset(_data);
    }

    private static unsafe int AlignedOffset(float[] array)
    {
        fixed (float* p = array)
            return (int)((64 - (nint)p % 64) % 64 / sizeof(float));
    }

    /// <summary>Rows of op(B) (the reduction length of the products).</summary>
    public int K { get; }

    /// <summary>Columns of op(B) (and of the products' C).</summary>
    public int N { get; }

    /// <summary>
    /// Whether a product of <paramref name="m"/> rows with a packed transposed B [N, K] (a linear layer's weight
    /// [Out, In]) is expected to beat <see cref="Gemm.SgemmBiasActivation"/> on the unpacked B: not below
    /// <see cref="MinRowsToPay"/> rows (there the unpacked call's vector-matrix and row-dot paths win over a 12-row
    /// register tile that is mostly padding), not for 16 columns or fewer (its dot-product path wins over a 32-column
    /// tile), not for tiny products.
    /// </summary>
    /// <param name="m">Rows of A and C.</param>
    /// <param name="n">Columns of C (rows of the stored B).</param>
    /// <param name="k">The reduction length.</param>
    public static bool Pays(int m, int n, int k) =>
        m >= MinRowsToPay && !GemmDots.Suits(false, true, m, n, k) && (long)m * n * k > Gemm.SmallThreshold;

    /// <summary>Fewest rows for which the packed product pays (measured with In, Out of 256 and 1024 on AVX-512).</summary>
    public static int MinRowsToPay => GemmRowDots.IsSupported ? 12 : 2;

    /// <summary>Bytes of packed data (K * N rounded up to the register tile's width, in floats).</summary>
    public long SizeInBytes => (long)K * NPad * sizeof(float);

    internal GemmKernelKind Kind { get; }
    internal int Nr { get; }
    internal int NPad { get; }
    internal int KcStep { get; }
    internal int Offset { get; }

    /// <summary>The packed data (from <see cref="Offset"/>, K * NPad floats).</summary>
    internal float[] Array => _data;
}
