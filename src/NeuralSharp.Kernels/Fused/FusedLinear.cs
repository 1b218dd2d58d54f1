using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace NeuralSharp.Kernels;

// Legend: Rows = batch rows of the layer (all leading dimensions collapsed), Cols = output features; every
// matrix is [Rows, Cols] row-major and contiguous. z = pre-activation (x·Wᵀ + b), y = act(z).

/// <summary>
/// Kernels of the fused linear layer y = act(x·Wᵀ + b) besides its GEMMs (whose forward epilogue is
/// <see cref="Gemm.SgemmBiasActivation"/>): the backward's element-wise part in one pass over dy.
/// </summary>
public static class FusedLinear
{
    /// <summary>Columns per chunk of work: a chunk's column sums (1 KiB) stay in L1 while its rows stream past.</summary>
    internal const int ChunkCols = 256;

    /// <summary>Passes over at least this many elements are split over threads (one run of column chunks per thread).</summary>
    internal const int ParallelThreshold = 1 << 15;

    /// <summary>
    /// Whether <see cref="ActivationBackward"/> needs the pre-activation z for this activation, i.e. whether the
    /// forward must keep it. False for Identity, Relu, Sigmoid, Tanh, and LeakyRelu with alpha &gt;= 0: their
    /// derivative follows from y alone (y &gt; 0 exactly when z &gt; 0; sigmoid' = y(1-y), tanh' = 1-y^2).
    /// True for GeluErf, GeluTanh, Silu, Softplus, LeakyRelu with a negative (or NaN) slope, and every kind after
    /// Softplus (Relu6 ... LogSigmoid), whose derivative is evaluated from z.
    /// </summary>
    /// <param name="activation">The activation.</param>
    /// <param name="alpha">LeakyRelu's negative slope (ignored by the other activations).</param>
    /// <returns>True when z must be kept for the backward.</returns>
    public static bool NeedsPreActivation(Activation activation, float alpha = 0.01f) => activation switch
    {
        Activation.Identity or Activation.Relu or Activation.Sigmoid or Activation.Tanh => false,
        Activation.LeakyRelu => !(alpha >= 0f),
        _ => true,
    };

    /// <summary>
    /// dz[r, c] = dy[r, c] * f'(z[r, c]) (overwritten, no pre-zeroing needed) and biasGrad[c] += sum_r dz[r, c], in one
    /// pass over dy. f' is evaluated as <see cref="Activations.Backward"/> does (Relu and LeakyRelu take f'(0) = 0
    /// resp. alpha), from z, or from y where <see cref="NeedsPreActivation"/> says z is not needed.
    /// </summary>
    /// <param name="activation">The activation f.</param>
    /// <param name="z">Pre-activations [Rows, Cols], or empty when <see cref="NeedsPreActivation"/> is false (Relu and
    /// LeakyRelu use z when given, else y).</param>
    /// <param name="y">Outputs f(z) [Rows, Cols]: needed by Sigmoid and Tanh, and by Relu and LeakyRelu without z;
    /// may be empty otherwise.</param>
    /// <param name="dy">Upstream gradient [Rows, Cols].</param>
    /// <param name="dz">Gradient of the pre-activation [Rows, Cols], overwritten; may alias <paramref name="dy"/>
    /// exactly; empty to compute only the bias gradient.</param>
    /// <param name="biasGrad">Bias gradient [Cols], accumulated (+=) with the column sums of dz (each summed in row
    /// order, then added, like <see cref="Reduce.Sum"/>); empty for none.</param>
    /// <param name="rows">Rows (&gt;= 0).</param>
    /// <param name="cols">Cols (&gt;= 0).</param>
    /// <param name="alpha">LeakyRelu's negative slope, Softplus's beta, or ELU's and CELU's alpha; ignored by the others.</param>
    /// <exception cref="ArgumentException">A size is negative, a span has the wrong length, a span the activation needs
    /// is empty, the activation is unknown, or Softplus or Celu with alpha = 0 or NaN.</exception>
    /// <remarks>Equals <see cref="Activations.Backward"/> into zeros, then <see cref="Reduce.Sum"/> over rows with
    /// accumulate, bit for bit (for Cols = 1 up to summation order: Reduce.Sum sums a single column lane-wise). Large passes run on up to <see cref="KernelThreads.Count"/> threads over disjoint column
    /// chunks; the result is bit-identical whatever the thread count.</remarks>
    public static unsafe void ActivationBackward(Activation activation, ReadOnlySpan<float> z, ReadOnlySpan<float> y,
        ReadOnlySpan<float> dy, Span<float> dz, Span<float> biasGrad, int rows, int cols, float alpha = 0.01f)
    {
        const string k = "FusedLinear.ActivationBackward";
        int n = Guard.Product(k, rows, nameof(rows), cols, nameof(cols));
        Guard.LengthOrEmpty(k, nameof(z), n, z.Length);
        Guard.LengthOrEmpty(k, nameof(y), n, y.Length);
        Guard.Length(k, nameof(dy), n, dy.Length);
        Guard.LengthOrEmpty(k, nameof(dz), n, dz.Length);
        Guard.LengthOrEmpty(k, nameof(biasGrad), cols, biasGrad.Length);
        Activations.Validate(k, activation, alpha);
        bool useZ = NeedsPreActivation(activation, alpha) || (activation is Activation.Relu or Activation.LeakyRelu && !z.IsEmpty);
        bool useY = activation is Activation.Sigmoid or Activation.Tanh || (activation is Activation.Relu or Activation.LeakyRelu && !useZ);
        if (n == 0 || (dz.IsEmpty && biasGrad.IsEmpty)) return;
        if (useZ && z.IsEmpty)
            throw new ArgumentException($"{k}: {activation} (alpha {alpha}) needs the pre-activation 'z', got an empty span.", nameof(z));
        if (useY && y.IsEmpty)
            throw new ArgumentException($"{k}: {activation} needs the output 'y' (or 'z' for Relu/LeakyRelu), got an empty span.", nameof(y));

        fixed (float* pz = z, py = y, pdy = dy, pdz = dz, pbg = biasGrad)
        {
            // The op's x operand is z, or y where the derivative is read from y (Relu: y > 0 iff z > 0); an operand
            // the op ignores points at one it reads, so that every load is valid.
            float* xs = useZ ? pz : useY ? py : pdy;
            var pass = new Pass
            {
                X = xs, Y = useY ? py : xs, Dy = pdy, Dz = dz.IsEmpty ? null : pdz, BiasGrad = biasGrad.IsEmpty ? null : pbg,
                Rows = rows, Cols = cols, Act = activation, Alpha = alpha,
            };
            int chunks = (cols + ChunkCols - 1) / ChunkCols;
            int parts = n >= ParallelThreshold ? Math.Min(KernelThreads.Count, chunks) : 1;
            if (parts > 1) KernelThreads.For(parts, new Parts { Pass = pass, Chunks = chunks, Count = parts });
            else for (int i = 0; i < chunks; i++) pass.Invoke(i);
        }
    }

    /// <summary>
    /// One contiguous run of chunks per thread. Chunks claimed in turn scattered each thread's columns, so the lines of
    /// dy, y and dz moved between the cores' caches, and the pass on two threads took 3x its one-thread time; with runs
    /// the 784-1024-1024-10 batch-128 training step is ~1.5% faster at 2 threads.
    /// </summary>
    private struct Parts : IKernelLoopBody
    {
        public Pass Pass;
        public int Chunks, Count;

        public readonly void Invoke(int index)
        {
            for (int c = KernelThreads.PartStart(Chunks, index, Count), end = KernelThreads.PartStart(Chunks, index + 1, Count); c < end; c++)
                Pass.Invoke(c);
        }
    }

    /// <summary>The pass over one chunk of columns, all rows (chunks are independent: a column is summed by one task).</summary>
    private unsafe struct Pass
    {
        public float* X, Y, Dy, Dz, BiasGrad;
        public int Rows, Cols;
        public Activation Act;
        public float Alpha;

        public readonly void Invoke(int index)
        {
            int j0 = index * ChunkCols, w = Math.Min(ChunkCols, Cols - j0);
            switch (Act)
            {
                case Activation.Identity: Run(new IdentityBackwardOp(), j0, w); break;
                case Activation.Relu: Run(new ReluBackwardOp(), j0, w); break;
                case Activation.LeakyRelu: Run(new LeakyReluBackwardOp(Alpha), j0, w); break;
                case Activation.Sigmoid: Run(new SigmoidBackwardOp(), j0, w); break;
                case Activation.Tanh: Run(new TanhBackwardOp(), j0, w); break;
                case Activation.GeluErf: Run(new GeluErfBackwardOp(), j0, w); break;
                case Activation.GeluTanh: Run(new GeluTanhBackwardOp(), j0, w); break;
                case Activation.Silu: Run(new SiluBackwardOp(), j0, w); break;
                case Activation.Softplus: Run(new SoftplusBackwardOp(Alpha), j0, w); break;
                case Activation.Relu6: Run(new Relu6BackwardOp(), j0, w); break;
                case Activation.Elu: Run(new EluBackwardOp(Alpha, 1f, 1f), j0, w); break;
                case Activation.Selu: Run(Activations.SeluBackward, j0, w); break;
                case Activation.Celu: Run(new EluBackwardOp(Alpha, 1f, 1f / Alpha), j0, w); break;
                case Activation.Mish: Run(new MishBackwardOp(), j0, w); break;
                case Activation.HardSigmoid: Run(new HardSigmoidBackwardOp(), j0, w); break;
                case Activation.HardSwish: Run(new HardSwishBackwardOp(), j0, w); break;
                case Activation.Softsign: Run(new SoftsignBackwardOp(), j0, w); break;
                case Activation.LogSigmoid: Run(new LogSigmoidBackwardOp(), j0, w); break;
            }
        }

        [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
        private readonly void Run<TOp>(TOp op, int j0, int w) where TOp : struct, IQuaternaryOp
        {
            // Column sums of this chunk live in an L1 buffer (a chunk is too wide for registers); each is summed from 0
            // in row order and added to biasGrad at the end, the order of Reduce.Sum.
            float* sum = stackalloc float[ChunkCols];
            new Span<float>(sum, w).Clear();
            bool hasSum = BiasGrad != null;
            for (int r = 0; r < Rows; r++)
            {
                nint o = (nint)r * Cols + j0;
                float* x = X + o, yv = Y + o, dy = Dy + o, dz = Dz == null ? null : Dz + o;
                int j = 0;
                if (Vector512.IsHardwareAccelerated)
                    for (; j + 16 <= w; j += 16)
                    {
                        Vector512<float> d = op.Invoke(Vector512.Load(x + j), Vector512.Load(yv + j), Vector512.Load(dy + j), Vector512<float>.Zero);
                        if (dz != null) Vector512.Store(d, dz + j);
                        if (hasSum) Vector512.Store(Vector512.Load(sum + j) + d, sum + j);
                    }
                if (Vector256.IsHardwareAccelerated)
                    for (; j + 8 <= w; j += 8)
                    {
                        Vector256<float> d = op.Invoke(Vector256.Load(x + j), Vector256.Load(yv + j), Vector256.Load(dy + j), Vector256<float>.Zero);
                        if (dz != null) Vector256.Store(d, dz + j);
                        if (hasSum) Vector256.Store(Vector256.Load(sum + j) + d, sum + j);
                    }
                for (; j < w; j++)
                {
                    float d = op.Invoke(x[j], yv[j], dy[j], 0f);
                    if (dz != null) dz[j] = d;
                    if (hasSum) sum[j] += d;
                }
            }
            if (hasSum)
                for (int j = 0; j < w; j++) BiasGrad[j0 + j] += sum[j];
        }
    }
}

/// <summary>Identity's backward: acc + dy (f' = 1).</summary>
internal readonly struct IdentityBackwardOp : IQuaternaryOp
{
    public float Invoke(float x, float y, float dy, float acc) => acc + dy;
    public Vector256<float> Invoke(Vector256<float> x, Vector256<float> y, Vector256<float> dy, Vector256<float> acc) => acc + dy;
    public Vector512<float> Invoke(Vector512<float> x, Vector512<float> y, Vector512<float> dy, Vector512<float> acc) => acc + dy;
}
