using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace NeuralSharp.Kernels;

// Legend: M, N, K as in Gemm; MC x KC the packed block of op(A) (kept in L2), KC x NR a packed sliver of
// op(B) (kept in L1 while the MR-row slivers of A stream past it), KC x NC the packed panel of op(B).

/// <summary>The micro-kernel family a blocked GEMM runs with.</summary>
internal enum GemmKernelKind
{
    /// <summary>4x4 scalar FMA kernel.</summary>
    Scalar,
    /// <summary>6x16 Vector256 FMA kernel.</summary>
    Avx256,
    /// <summary>12x32 Vector512 FMA kernel.</summary>
    Avx512,
}

/// <summary>
/// The BLIS-style blocked SGEMM: loops jc (NC) / pc (KC, pack B) / ic (MC, pack A) / jr (NR) / ir (MR)
/// around a register-tile micro-kernel, parallelised over disjoint blocks of C.
/// </summary>
/// <remarks>
/// Determinism: the K blocking depends only on K, and every element of C is one FMA chain per K block
/// followed by the same update, so the result does not depend on how C is split into tasks (thread count).
/// </remarks>
internal static unsafe class GemmBlocked
{
    /// <summary>The fastest kernel this machine runs, chosen once at start-up.</summary>
    public static readonly GemmKernelKind BestKernel =
        Vector512.IsHardwareAccelerated ? GemmKernelKind.Avx512 :
        Vector256.IsHardwareAccelerated && System.Runtime.Intrinsics.X86.Fma.IsSupported ? GemmKernelKind.Avx256 :
        GemmKernelKind.Scalar;

    /// <summary>Largest K block: KC x NR floats of B (32 KiB for NR = 32) sit in the 48 KiB L1d.</summary>
    public const int KcMax = 256;
    /// <summary>Rows of op(A) packed per block: MC x KC floats (144 KiB) sit in the 1 MiB L2 with room for B slivers.</summary>
    public const int McMax = 144;
    /// <summary>Columns of op(B) packed per panel (KC x NC floats = 4 MiB).</summary>
    public const int NcMax = 4096;

    /// <summary>Packed B panels up to this size are walked row of tiles by row of tiles (see RunBlock).</summary>
    public const long RowsOuterPanelBytes = 128 * 1024;

    /// <summary>Products with fewer multiply-adds than this run on one thread (waking a worker costs microseconds).</summary>
    public const long ParallelThreshold = 128L * 128 * 128;

    /// <summary>Register tile (rows) of a kernel kind.</summary>
    public static int Mr(GemmKernelKind kind) => kind switch
    {
        GemmKernelKind.Avx512 => GemmMicroKernels.Mr512,
        GemmKernelKind.Avx256 => GemmMicroKernels.Mr256,
        _ => GemmMicroKernels.MrScalar,
    };

    /// <summary>Register tile (columns) of a kernel kind.</summary>
    public static int Nr(GemmKernelKind kind) => kind switch
    {
        GemmKernelKind.Avx512 => GemmMicroKernels.Nr512,
        GemmKernelKind.Avx256 => GemmMicroKernels.Nr256,
        _ => GemmMicroKernels.NrScalar,
    };

    /// <summary>The operands of one product (pointers into pinned spans).</summary>
    internal struct Args
    {
        public float* A, B, C;
        public nint Lda, Ldb, Ldc;
        public bool TransA, TransB;
        public int M, N, K;
        public float Alpha, Beta;
        public GemmKernelKind Kind;
        /// <summary>B packed whole beforehand (<see cref="GemmPackedB"/>'s layout, rows of Npad = PackedNPad), or null: pack per block.</summary>
        public float* PackedB;
        public int PackedNPad;
        /// <summary>Applied to each tile of C after its last K block, while the tile is still in L1 (unless a no-op).</summary>
        public GemmEpilogue Epilogue;
    }

    /// <summary>C = alpha * op(A) * op(B) + beta * C for M, N, K &gt; 0, on up to <paramref name="threads"/> threads.</summary>
    public static void Run(in Args args, int threads)
    {
        int mr = Mr(args.Kind), nr = Nr(args.Kind);
        long work = (long)args.M * args.N * args.K;
        int mTiles = (args.M + mr - 1) / mr, nTiles = (args.N + nr - 1) / nr;
        if (work < ParallelThreshold) threads = 1;
        threads = Math.Min(threads, Math.Max(mTiles, nTiles));
        if (threads <= 1)
        {
            RunBlock(args, 0, args.M, 0, args.N);
            return;
        }
        // Split C along one dimension into `threads` runs of whole tiles. Splitting N re-packs A once per
        // task (M*K extra), splitting M re-packs B (K*N extra): split the dimension that costs less. On a tie
        // split M, so that each thread writes whole rows: a square weight gradient is then read back by the
        // optimizer's per-thread halves (OptimizerKernels) on the core that wrote it.
        // A packed B costs nothing to share, so with one, split M unless it has too few tiles.
        bool splitN = args.PackedB != null ? mTiles < threads && nTiles >= threads
            : nTiles >= threads && (args.N > args.M || mTiles < threads);
        int tiles = splitN ? nTiles : mTiles;
        // Chunks of the split dimension, one contiguous range of them per thread, a slow thread's tail taken over by
        // the others (StealingRanges): on a shared machine one vCPU can stall for whole time slices, and equal static
        // parts then wait for it (with a busy loop sharing the second core, the 784-1024-1024-10 training step ran ~5%
        // faster; unchanged otherwise). Chunks would re-pack the operand they share unless it fits a thread's cache of
        // it (RunBlock): all of A when C has one row block (and A is at most MaxCachedA floats), or B when it has one
        // column panel and one K block. Otherwise: one chunk per thread, equal static parts.
        bool chunkable = args.PackedB == null && (splitN
            ? args.M <= McMax / mr * mr && (long)RoundUp(args.M, mr) * args.K <= MaxCachedA
            : args.N <= NcMax && args.K <= KcMax);
        int units = chunkable ? Math.Min(tiles, ChunksPerThread * threads) : threads;
        StealingRanges.For(threads, units, new Chunk
        {
            Args = args, SplitN = splitN, Tiles = tiles, Units = units, Tile = splitN ? nr : mr,
            CacheKey = chunkable ? Interlocked.Increment(ref s_products) : 0,
        });
    }

    /// <summary>Chunks per thread for the split dimension: small enough to even out a slow thread, few enough to stay cheap.</summary>
    private const int ChunksPerThread = 4;

    /// <summary>Largest packed A (floats, 2 MiB) a thread keeps for the chunks of one product.</summary>
    private const long MaxCachedA = 1 << 19;

    /// <summary>Products run so far in chunks: each gets its own key for the threads' packed-operand caches.</summary>
    private static long s_products;

    /// <summary>Chunk <c>unit</c> of <c>Units</c> balanced runs of whole tiles of the split dimension (CacheKey 0: no operand cache).</summary>
    private struct Chunk : IUnitBody
    {
        public Args Args;
        public bool SplitN;
        public int Tiles, Units, Tile;
        public long CacheKey;

        public readonly void Run(int unit)
        {
            int lo = KernelThreads.PartStart(Tiles, unit, Units) * Tile;
            int hi = Math.Min(KernelThreads.PartStart(Tiles, unit + 1, Units) * Tile, SplitN ? Args.N : Args.M);
            if (SplitN) RunBlock(Args, 0, Args.M, lo, hi, CacheKey);
            else RunBlock(Args, lo, hi, 0, Args.N, CacheKey);
        }
    }

    /// <summary>Computes rows [i0, i1) x columns [j0, j1) of C on the calling thread.</summary>
    private static void RunBlock(in Args args, int i0, int i1, int j0, int j1, long cacheKey = 0)
    {
        GemmKernelKind kind = args.Kind;
        int mr = Mr(kind), nr = Nr(kind);
        int kBlocks = (args.K + KcMax - 1) / KcMax;
        int kcStep = (args.K + kBlocks - 1) / kBlocks;           // balanced K blocks, a function of K only
        bool prepacked = args.PackedB != null;
        // A packed B needs no scratch, so its panel is the whole column range.
        int ncMax = prepacked ? RoundUp(j1 - j0, nr) : Math.Min(NcMax, RoundUp(j1 - j0, nr));
        int mcMax = Math.Min(McMax / mr * mr, RoundUp(i1 - i0, mr));
        // Chunks of one product taken by the same thread share the operand they all pack whole: all of A's K blocks
        // when every chunk spans all rows in one row block, or B when every chunk spans all columns in one panel and
        // one K block.
        bool cacheA = cacheKey != 0 && i0 == 0 && i1 == args.M && args.M <= mcMax;
        bool cacheB = cacheKey != 0 && !prepacked && j0 == 0 && j1 == args.N && args.N <= ncMax && kBlocks == 1;
        GemmScratch scratch = GemmScratch.Get((nint)mcMax * kcStep * (cacheA ? kBlocks : 1), prepacked ? 0 : (nint)kcStep * ncMax);
        bool cached = (cacheA || cacheB) && scratch.CacheKey == cacheKey;
        scratch.CacheKey = 0;
        float* packA = scratch.A, packB = scratch.B;
        float* edge = stackalloc float[GemmMicroKernels.Mr512 * GemmMicroKernels.Nr512];
        bool epilogue = !args.Epilogue.IsNoOp;
        bool rowsOuter = (long)kcStep * ncMax * sizeof(float) <= RowsOuterPanelBytes;

        for (int jc = j0; jc < j1; jc += ncMax)
        {
            int nc = Math.Min(ncMax, j1 - jc);
            for (int pc = 0; pc < args.K; pc += kcStep)
            {
                int kc = Math.Min(kcStep, args.K - pc);
                float beta = pc == 0 ? args.Beta : 1f;            // later K blocks accumulate onto C
                bool finish = epilogue && pc + kc == args.K;
                // The K blocks are those of GemmPackedB (a function of K only): block pc starts at row pc of the Npad-wide
                // packed matrix, and its slivers from column jc (a multiple of NR) on are those this panel needs.
                if (prepacked) packB = args.PackedB + (nint)pc * args.PackedNPad + (nint)jc * kc;
                else if (!(cacheB && cached)) GemmPacking.PackB(args.B, args.Ldb, args.TransB, pc, jc, kc, nc, nr, packB);
                if (cacheA) packA = scratch.A + (nint)(pc / kcStep) * mcMax * kcStep;
                for (int ic = i0; ic < i1; ic += mcMax)
                {
                    int mc = Math.Min(mcMax, i1 - ic);
                    if (!(cacheA && cached)) GemmPacking.PackA(args.A, args.Lda, args.TransA, ic, pc, mc, kc, mr, packA);
                    if (rowsOuter)
                    {
                        // A shallow panel of B sits in L1/L2 whole: walk C row-wise (contiguous, prefetch-friendly),
                        // which matters when K is small and the C traffic dominates.
                        for (int ir = 0; ir < mc; ir += mr)
                            for (int jr = 0; jr < nc; jr += nr)
                                Tile(args, kind, kc, packA, packB, ic, ir, jc, jr, mc, nc, beta, finish, edge);
                    }
                    else
                    {
                        for (int jr = 0; jr < nc; jr += nr)
                            for (int ir = 0; ir < mc; ir += mr)
                                Tile(args, kind, kc, packA, packB, ic, ir, jc, jr, mc, nc, beta, finish, edge);
                    }
                }
            }
        }
        if (cacheA || cacheB) scratch.CacheKey = cacheKey;
    }

    /// <summary>One register tile of C at block offsets (ir, jr): the micro-kernel, then the epilogue if it is final.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Tile(in Args args, GemmKernelKind kind, int kc, float* packA, float* packB, int ic, int ir, int jc, int jr,
        int mc, int nc, float beta, bool finish, float* edge)
    {
        int mr = Mr(kind), nr = Nr(kind);
        int rows = Math.Min(mr, mc - ir), cols = Math.Min(nr, nc - jr);
        float* ap = packA + (nint)ir * kc;
        float* bp = packB + (nint)jr * kc;
        float* c = args.C + (ic + ir) * args.Ldc + jc + jr;
        if (rows == mr && cols == nr)
            Micro(kind, kc, ap, bp, c, args.Ldc, args.Alpha, beta);
        else
            MicroEdge(kind, kc, ap, bp, c, args.Ldc, args.Alpha, beta, rows, cols, edge);
        // The tile is final: bias and activation now, while it is in L1, not in a later pass.
        if (finish) args.Epilogue.Apply(c, args.Ldc, ic + ir, jc + jr, rows, cols);
    }

    private static void Micro(GemmKernelKind kind, int kc, float* a, float* b, float* c, nint ldc, float alpha, float beta)
    {
        if (kind == GemmKernelKind.Avx512) GemmMicroKernels.Kernel512(kc, a, b, c, ldc, alpha, beta);
        else if (kind == GemmKernelKind.Avx256) GemmMicroKernels.Kernel256(kc, a, b, c, ldc, alpha, beta);
        else GemmMicroKernels.KernelScalar(kc, a, b, c, ldc, alpha, beta);
    }

    /// <summary>
    /// A partial tile. With AVX-512 and at most 8 valid rows (an M tail) a 4- or 8-row kernel runs instead of 12 rows of
    /// mostly zero padding, straight into C when the tile is exactly 4 or 8 full-width rows. Otherwise C's valid part is
    /// copied into a full-size buffer, the kernel updates the buffer (the same arithmetic as a full tile) and the valid
    /// part is copied back.
    /// </summary>
    private static void MicroEdge(GemmKernelKind kind, int kc, float* a, float* b, float* c, nint ldc, float alpha, float beta,
        int rows, int cols, float* tile)
    {
        int nr = Nr(kind);
        bool fewRows = kind == GemmKernelKind.Avx512 && rows <= 8;
        if (fewRows && cols == nr && (rows == 4 || rows == 8))
        {
            GemmEdgeKernels.Kernel512Rows(rows, kc, a, b, c, ldc, alpha, beta);
            return;
        }
        if (beta != 0f)
            for (int r = 0; r < rows; r++)
                new ReadOnlySpan<float>(c + r * ldc, cols).CopyTo(new Span<float>(tile + r * nr, cols));
        if (fewRows) GemmEdgeKernels.Kernel512Rows(rows, kc, a, b, tile, nr, alpha, beta);
        else Micro(kind, kc, a, b, tile, nr, alpha, beta);
        for (int r = 0; r < rows; r++)
            new ReadOnlySpan<float>(tile + r * nr, cols).CopyTo(new Span<float>(c + r * ldc, cols));
    }

    private static int RoundUp(int x, int m) => (x + m - 1) / m * m;
}

/// <summary>Per-thread packing buffers (64-byte aligned native memory), grown on demand and reused across calls.</summary>
internal sealed unsafe class GemmScratch
{
    [ThreadStatic] private static GemmScratch? t_scratch;

    public float* A;
    public float* B;
    private nint _capA, _capB;

    /// <summary>The product whose whole packed A or B these buffers hold (GemmBlocked's chunks reuse it), or 0.</summary>
    public long CacheKey;

    /// <summary>This thread's buffers with at least the given capacities in floats.</summary>
    public static GemmScratch Get(nint floatsA, nint floatsB)
    {
        GemmScratch s = t_scratch ??= new GemmScratch();
        if (s._capA < floatsA) { s.A = Grow(s.A, ref s._capA, floatsA); s.CacheKey = 0; }
        if (s._capB < floatsB) { s.B = Grow(s.B, ref s._capB, floatsB); s.CacheKey = 0; }
        return s;
    }

    private static float* Grow(float* old, ref nint cap, nint need)
    {
        NativeMemory.AlignedFree(old);
        cap = Math.Max(need, cap * 2);
        return (float*)NativeMemory.AlignedAlloc((nuint)cap * sizeof(float), 64);
    }

    ~GemmScratch()
    {
        NativeMemory.AlignedFree(A);
        NativeMemory.AlignedFree(B);
    }
}
