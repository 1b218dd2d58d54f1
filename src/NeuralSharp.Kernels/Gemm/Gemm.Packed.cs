namespace NeuralSharp.Kernels;

// Legend: M rows of op(A) and C, N columns of op(B) and C, K the reduction (columns of op(A), rows of op(B)).
// All matrices are row-major; ld* is the distance in floats between consecutive rows as stored.

public static partial class Gemm
{
    /// <summary>
    /// Packs op(B) [K, N] once into the layout the blocked GEMM's micro-kernel reads (see <see cref="GemmPackedB"/>), for
    /// the products that take a packed B: they then skip packing B on every call.
    /// </summary>
    /// <param name="transB">If true, B is stored as N x K and op(B) = B^T (a linear layer's weight [Out, In]).</param>
    /// <param name="k">Rows of op(B) (K &gt;= 0).</param>
    /// <param name="n">Columns of op(B) (N &gt;= 0).</param>
    /// <param name="b">B, row-major with leading dimension <paramref name="ldb"/>.</param>
    /// <param name="ldb">Row stride of B as stored (&gt;= N, or &gt;= K when <paramref name="transB"/>).</param>
    /// <returns>The packed copy: K * N floats (N rounded up to the register tile's width), 64-byte aligned.</returns>
    /// <exception cref="ArgumentException">A dimension is negative, ldb is too small, or b is shorter than B needs.</exception>
    public static GemmPackedB PackB(bool transB, int k, int n, ReadOnlySpan<float> b, int ldb) =>
        PackB(GemmBlocked.BestKernel, transB, k, n, b, ldb);

    /// <summary>PackB for a chosen kernel (tests).</summary>
    internal static unsafe GemmPackedB PackB(GemmKernelKind kind, bool transB, int k, int n, ReadOnlySpan<float> b, int ldb)
    {
        if (k < 0 || n < 0) throw new ArgumentException($"Gemm.PackB: dimensions must be non-negative, got k={k}, n={n}.");
        CheckMatrix("b", transB ? n : k, transB ? k : n, b.Length, ldb, transB ? "N x K (transB)" : "K x N");
        var packed = new GemmPackedB(kind, k, n);
        if (k == 0 || n == 0) return packed;
        fixed (float* pb = b, pd = packed.Array)
        {
            float* dst = pd + packed.Offset;
            for (int p0 = 0; p0 < k; p0 += packed.KcStep)
            {
                int kc = Math.Min(packed.KcStep, k - p0);
                GemmPacking.PackB(pb, ldb, transB, p0, 0, kc, n, packed.Nr, dst + (nint)p0 * packed.NPad);
            }
        }
        return packed;
    }

    /// <summary>
    /// C[M, N] = alpha * op(A)[M, K] * B[K, N] + beta * C with B packed by <see cref="PackB(bool, int, int, ReadOnlySpan{float}, int)"/>.
    /// </summary>
    /// <param name="transA">If true, A is stored as K x M and op(A) = A^T; otherwise A is stored as M x K.</param>
    /// <param name="m">Rows of op(A) and C (M &gt;= 0).</param>
    /// <param name="alpha">Scale of the product; 0 means A and B are not read.</param>
    /// <param name="a">A, row-major with leading dimension <paramref name="lda"/>.</param>
    /// <param name="lda">Row stride of A as stored (&gt;= K, or &gt;= M when <paramref name="transA"/>).</param>
    /// <param name="b">The packed op(B); its K and N are the product's.</param>
    /// <param name="beta">Scale of the old C; 0 means C is overwritten (its old contents, even NaN, are ignored).</param>
    /// <param name="c">C (M x N), row-major with leading dimension <paramref name="ldc"/>; updated in place.</param>
    /// <param name="ldc">Row stride of C (&gt;= N).</param>
    /// <exception cref="ArgumentNullException">b is null.</exception>
    /// <exception cref="ArgumentException">M is negative, a leading dimension is too small, or a span is shorter than its
    /// matrix needs ((rows - 1) * ld + cols).</exception>
    /// <remarks>
    /// Always the blocked path (packed B, register tiles): bit-identical to <see cref="Sgemm(bool, bool, int, int, int, float, ReadOnlySpan{float}, int, ReadOnlySpan{float}, int, float, Span{float}, int)"/> wherever Sgemm takes its
    /// blocked path, i.e. except for the products it sends to its no-packing paths (M = 1, few rows or few columns with a
    /// transposed B, tiny products), which sum in another order. Bit-identical whatever the thread count.
    /// </remarks>
    public static void SgemmPacked(bool transA, int m, float alpha, ReadOnlySpan<float> a, int lda, GemmPackedB b, float beta,
        Span<float> c, int ldc)
    {
        ArgumentNullException.ThrowIfNull(b);
        ValidatePacked(transA, m, b, a.Length, lda, c.Length, ldc);
        SgemmPackedCore(transA, m, alpha, a, lda, b, beta, c, ldc, default, KernelThreads.Count);
    }

    /// <summary>
    /// The fused linear-layer product with a packed right operand: Z[M, N] = op(A)[M, K] * B[K, N] + bias, C = act(Z),
    /// B packed by <see cref="PackB(bool, int, int, ReadOnlySpan{float}, int)"/> (for a linear layer: the weight [Out, In]
    /// packed with transB = true). The bias and activation are applied to each register tile after its last K block.
    /// </summary>
    /// <param name="transA">If true, A is stored as K x M and op(A) = A^T; otherwise A is stored as M x K.</param>
    /// <param name="m">Rows of op(A) and C (M &gt;= 0).</param>
    /// <param name="a">A, row-major with leading dimension <paramref name="lda"/>.</param>
    /// <param name="lda">Row stride of A as stored (&gt;= K, or &gt;= M when <paramref name="transA"/>).</param>
    /// <param name="b">The packed op(B); its K and N are the product's.</param>
    /// <param name="bias">bias[N], or empty for none.</param>
    /// <param name="activation">The activation applied after the bias (<see cref="Activation.Identity"/>: none).</param>
    /// <param name="alpha">LeakyRelu's negative slope, or Softplus's beta; ignored by the other activations.</param>
    /// <param name="c">C (M x N), row-major with leading dimension <paramref name="ldc"/>; overwritten (old contents
    /// ignored, even NaN). Elements between rows (the ldc padding) are not touched.</param>
    /// <param name="ldc">Row stride of C (&gt;= N); also the row stride of <paramref name="preActivation"/>.</param>
    /// <param name="preActivation">Where to keep Z (M x N with row stride <paramref name="ldc"/>), or empty to not
    /// keep it. Must not overlap <paramref name="c"/>.</param>
    /// <exception cref="ArgumentNullException">b is null.</exception>
    /// <exception cref="ArgumentException">M is negative, a leading dimension is too small, a span is shorter than its
    /// matrix needs, bias is neither empty nor of length N, preActivation overlaps C, the activation is unknown, or
    /// Softplus with alpha = 0 or NaN.</exception>
    /// <remarks>
    /// Always the blocked path: bit-identical to
    /// <see cref="SgemmBiasActivation(bool, bool, int, int, int, ReadOnlySpan{float}, int, ReadOnlySpan{float}, int, ReadOnlySpan{float}, Activation, float, Span{float}, int, Span{float})"/>
    /// on the unpacked B wherever that takes its blocked path (not for M = 1, the few-row or few-column NT products or
    /// tiny products, which it computes without packing and sums in another order). For M = 1 the unpacked call is the
    /// faster one (a bandwidth-bound vector-matrix product); the packed one pays from a few rows up. Bit-identical
    /// whatever the thread count.
    /// </remarks>
    public static void SgemmBiasActivationPacked(bool transA, int m, ReadOnlySpan<float> a, int lda, GemmPackedB b,
        ReadOnlySpan<float> bias, Activation activation, float alpha, Span<float> c, int ldc, Span<float> preActivation = default)
    {
        ArgumentNullException.ThrowIfNull(b);
        ValidateEpilogue(m, b.N, ldc, bias.Length, activation, alpha, c, preActivation);
        ValidatePacked(transA, m, b, a.Length, lda, c.Length, ldc);
        SgemmBiasActivationPackedCore(transA, m, a, lda, b, bias, activation, alpha, c, ldc, preActivation, KernelThreads.Count);
    }

    private static void ValidatePacked(bool transA, int m, GemmPackedB b, int aLength, int lda, int cLength, int ldc)
    {
        if (m < 0) throw new ArgumentException($"Sgemm: dimensions must be non-negative, got m={m}.", nameof(m));
        CheckMatrix("a", transA ? b.K : m, transA ? m : b.K, aLength, lda, transA ? "K x M (transA)" : "M x K");
        CheckMatrix("c", m, b.N, cLength, ldc, "M x N");
    }

    /// <summary>The packed SgemmBiasActivation after validation, with the thread count chosen by the caller (tests).</summary>
    internal static unsafe void SgemmBiasActivationPackedCore(bool transA, int m, ReadOnlySpan<float> a, int lda, GemmPackedB b,
        ReadOnlySpan<float> bias, Activation activation, float alpha, Span<float> c, int ldc, Span<float> preActivation, int threads)
    {
        fixed (float* pBias = bias, pz = preActivation)
        {
            var epilogue = new GemmEpilogue(bias.IsEmpty ? null : pBias, activation, alpha, preActivation.IsEmpty ? null : pz);
            SgemmPackedCore(transA, m, 1f, a, lda, b, 0f, c, ldc, epilogue, threads);
        }
    }

    /// <summary>The packed Sgemm after validation, then the epilogue on every element of C.</summary>
    internal static unsafe void SgemmPackedCore(bool transA, int m, float alpha, ReadOnlySpan<float> a, int lda, GemmPackedB b,
        float beta, Span<float> c, int ldc, GemmEpilogue epilogue, int threads)
    {
        int n = b.N, k = b.K;
        if (m == 0 || n == 0) return;
        fixed (float* pa = a, pb = b.Array, pc = c)
        {
            if (k == 0 || alpha == 0f)
            {
                ScaleC(c, m, n, ldc, beta);
                if (!epilogue.IsNoOp) epilogue.Apply(pc, ldc, 0, 0, m, n);
                return;
            }
            var args = new GemmBlocked.Args
            {
                A = pa, PackedB = pb + b.Offset, PackedNPad = b.NPad, C = pc, Lda = lda, Ldc = ldc, TransA = transA,
                M = m, N = n, K = k, Alpha = alpha, Beta = beta, Kind = b.Kind, Epilogue = epilogue,
            };
            GemmBlocked.Run(args, threads);
        }
    }
}
