using System.Runtime.InteropServices;

namespace NeuralSharp.Bench;

/// <summary>
/// Debian's OpenBLAS (package libopenblas0-pthread) through P/Invoke — used by the benchmark only, as the
/// reference SGEMM. NeuralSharp itself has no native dependency.
/// </summary>
internal static unsafe class OpenBlas
{
    public const string LibraryPath = "/usr/lib/x86_64-linux-gnu/openblas-pthread/libopenblas.so.0";

    private const int RowMajor = 101, NoTrans = 111, Trans = 112;

    [DllImport(LibraryPath, EntryPoint = "cblas_sgemm")]
    private static extern void CblasSgemm(int order, int transA, int transB, int m, int n, int k, float alpha,
        float* a, int lda, float* b, int ldb, float beta, float* c, int ldc);

    [DllImport(LibraryPath, EntryPoint = "openblas_set_num_threads")]
    private static extern void SetNumThreads(int threads);

    [DllImport(LibraryPath, EntryPoint = "openblas_get_corename")]
    private static extern IntPtr GetCoreName();

    [DllImport(LibraryPath, EntryPoint = "openblas_get_config")]
    private static extern IntPtr GetConfig();

    private static string? s_error;
    private static bool? s_available;

    /// <summary>True if the library loads; otherwise <see cref="Error"/> says why.</summary>
    public static bool Available
    {
        get
        {
            if (s_available is bool b) return b;
            try
            {
                if (!File.Exists(LibraryPath)) throw new FileNotFoundException($"{LibraryPath} not found");
                _ = GetCoreName();
                s_available = true;
            }
            catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException or FileNotFoundException)
            {
                s_error = e.Message;
                s_available = false;
            }
            return s_available.Value;
        }
    }

    public static string? Error => s_error;

    /// <summary>The kernel family OpenBLAS chose at load time (DYNAMIC_ARCH; OPENBLAS_CORETYPE overrides it).</summary>
    public static string CoreName => Marshal.PtrToStringAnsi(GetCoreName()) ?? "?";

    public static string Config => Marshal.PtrToStringAnsi(GetConfig()) ?? "?";

    public static int Threads { set => SetNumThreads(value); }

    /// <summary>Row-major C = alpha op(A) op(B) + beta C, the same contract as NeuralSharp's Gemm.Sgemm.</summary>
    public static void Sgemm(bool transA, bool transB, int m, int n, int k, float alpha, float[] a, int lda,
        float[] b, int ldb, float beta, float[] c, int ldc)
    {
        fixed (float* pa = a, pb = b, pc = c)
            CblasSgemm(RowMajor, transA ? Trans : NoTrans, transB ? Trans : NoTrans, m, n, k, alpha, pa, lda, pb, ldb, beta, pc, ldc);
    }
}
