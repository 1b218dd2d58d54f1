namespace NeuralSharp.Kernels;

/// <summary>
/// The body of a parallel loop run by <see cref="KernelThreads.For{TBody}(int, TBody)"/>: a struct, so a
/// loop needs no closure or delegate allocation.
/// </summary>
/// <remarks>
/// <see cref="Invoke"/> is called concurrently from several threads on the same instance, so it must not
/// mutate the struct's fields; write results through the pointers or arrays the struct holds.
/// </remarks>
public interface IKernelLoopBody
{
    /// <summary>Runs iteration <paramref name="index"/> of the loop (0 &lt;= index &lt; count).</summary>
    /// <param name="index">The iteration number.</param>
    void Invoke(int index);
}
