using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace NeuralSharp.Kernels;

// Legend: M, N as in Gemm; a tile is rows x cols of C starting at C[i0, j0], row stride ldc.

/// <summary>
/// What a GEMM does to each finished element of C (after the last K block): c = act(c + bias[j]), keeping
/// c + bias[j] in Z when asked. The operations are those of a bias pass (Elementwise.Add) then
/// <see cref="Activations.Forward"/> (one rounded add, then the same activation op; the SIMD and scalar forms
/// of every activation agree bit for bit), so the fused result equals GEMM, bias pass, activation pass.
/// </summary>
internal readonly unsafe struct GemmEpilogue
{
    /// <summary>bias[N], or null for none.</summary>
    public readonly float* Bias;
    /// <summary>Where the pre-activation values go (the layout of C: same offsets, same ldc), or null.</summary>
    public readonly float* Z;
    /// <summary>The activation.</summary>
    public readonly Activation Act;
    /// <summary>LeakyRelu's slope, Softplus's beta, or ELU's and CELU's alpha.</summary>
    public readonly float Alpha;

    public GemmEpilogue(float* bias, Activation act, float alpha, float* z)
    {
        Bias = bias;
        Act = act;
        Alpha = alpha;
        Z = z;
    }

    /// <summary>True when the epilogue changes nothing (no bias, identity, nothing kept).</summary>
    public bool IsNoOp => Bias == null && Z == null && Act == Activation.Identity;

    /// <summary>Applies the epilogue to the tile rows x cols of C at <paramref name="c"/> = &amp;C[i0, j0].</summary>
    public void Apply(float* c, nint ldc, int i0, int j0, int rows, int cols)
    {
        float* bias = Bias == null ? null : Bias + j0;
        float* z = Z == null ? null : Z + i0 * ldc + j0;
        switch (Act)
        {
            case Activation.Identity: Tile(new IdentityOp(), c, ldc, bias, z, rows, cols); break;
            case Activation.Relu: Tile(new ReluOp(), c, ldc, bias, z, rows, cols); break;
            case Activation.LeakyRelu: Tile(new LeakyReluOp(Alpha), c, ldc, bias, z, rows, cols); break;
            case Activation.Sigmoid: Tile(new SigmoidOp(), c, ldc, bias, z, rows, cols); break;
            case Activation.Tanh: Tile(new TanhOp(), c, ldc, bias, z, rows, cols); break;
            case Activation.GeluErf: Tile(new GeluErfOp(), c, ldc, bias, z, rows, cols); break;
            case Activation.GeluTanh: Tile(new GeluTanhOp(), c, ldc, bias, z, rows, cols); break;
            case Activation.Silu: Tile(new SiluOp(), c, ldc, bias, z, rows, cols); break;
            case Activation.Softplus: Tile(new SoftplusOp(Alpha), c, ldc, bias, z, rows, cols); break;
            case Activation.Relu6: Tile(new Relu6Op(), c, ldc, bias, z, rows, cols); break;
            case Activation.Elu: Tile(new EluOp(Alpha, 1f, 1f), c, ldc, bias, z, rows, cols); break;
            case Activation.Selu: Tile(Activations.SeluForward, c, ldc, bias, z, rows, cols); break;
            case Activation.Celu: Tile(new EluOp(Alpha, 1f, 1f / Alpha), c, ldc, bias, z, rows, cols); break;
            case Activation.Mish: Tile(new MishOp(), c, ldc, bias, z, rows, cols); break;
            case Activation.HardSigmoid: Tile(new HardSigmoidOp(), c, ldc, bias, z, rows, cols); break;
            case Activation.HardSwish: Tile(new HardSwishOp(), c, ldc, bias, z, rows, cols); break;
            case Activation.Softsign: Tile(new SoftsignOp(), c, ldc, bias, z, rows, cols); break;
            case Activation.LogSigmoid: Tile(new LogSigmoidOp(), c, ldc, bias, z, rows, cols); break;
            default: throw new ArgumentException($"Gemm: unknown Activation {(int)Act}.");
        }
    }

    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static void Tile<TOp>(TOp op, float* c, nint ldc, float* bias, float* z, int rows, int cols)
        where TOp : struct, IUnaryOp
    {
        for (int r = 0; r < rows; r++, c += ldc)
        {
            float* zr = z == null ? null : z + r * ldc;
            int j = 0;
            if (Vector512.IsHardwareAccelerated)
                for (; j + 16 <= cols; j += 16)
                {
                    Vector512<float> v = Vector512.Load(c + j);
                    if (bias != null) v += Vector512.Load(bias + j);
                    if (zr != null) Vector512.Store(v, zr + j);
                    Vector512.Store(op.Invoke(v), c + j);
                }
            if (Vector256.IsHardwareAccelerated)
                for (; j + 8 <= cols; j += 8)
                {
                    Vector256<float> v = Vector256.Load(c + j);
                    if (bias != null) v += Vector256.Load(bias + j);
                    if (zr != null) Vector256.Store(v, zr + j);
                    Vector256.Store(op.Invoke(v), c + j);
                }
            for (; j < cols; j++)
            {
                float v = c[j];
                if (bias != null) v += bias[j];
                if (zr != null) zr[j] = v;
                c[j] = op.Invoke(v);
            }
        }
    }
}

/// <summary>f(x) = x, for an epilogue that only adds the bias (or keeps the pre-activation).</summary>
internal readonly struct IdentityOp : IUnaryOp
{
    public float Invoke(float x) => x;
    public Vector256<float> Invoke(Vector256<float> x) => x;
    public Vector512<float> Invoke(Vector512<float> x) => x;
}
