namespace NeuralSharp.Tests.Training;

/// <summary>
/// Tests that change process-wide state (<see cref="NeuralSharp.Kernels.KernelThreads.Count"/>) or measure it
/// (<see cref="TensorPool.AllocatedArrays"/>, allocated bytes): xunit runs this collection alone, after the parallel ones.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class SerialCollection
{
    /// <summary>The collection's name, for [Collection(SerialCollection.Name)].</summary>
    public const string Name = "Serial: global kernel threads and allocation counters";
}
