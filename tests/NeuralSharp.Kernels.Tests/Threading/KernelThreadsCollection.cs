namespace NeuralSharp.Kernels.Tests.Threading;

/// <summary>Tests that change <see cref="KernelThreads.Count"/> run in this collection, one at a time.</summary>
[CollectionDefinition(Name)]
public sealed class KernelThreadsCollection
{
    public const string Name = "KernelThreads.Count";
}
