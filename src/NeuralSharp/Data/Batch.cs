namespace NeuralSharp.Data;

/// <summary>
/// One mini-batch from a <see cref="DataLoader"/>: B samples' features and labels. <see cref="Inputs"/> comes
/// from the tensor pool and belongs to the <see cref="TensorScope"/> that was current when the batch was made;
/// <see cref="Dispose"/> returns it early.
/// </summary>
public sealed class Batch : IDisposable
{
    internal Batch(Tensor inputs, int[] labels, int index)
    {
        Inputs = inputs;
        Labels = labels;
        Index = index;
    }

    /// <summary>The features, shape [B, ..FeatureShape] (e.g. [B, 784]).</summary>
    public Tensor Inputs { get; }

    /// <summary>The class labels, length B.</summary>
    public int[] Labels { get; }

    /// <summary>The number of samples B (the batch size, or fewer for the last batch of an epoch).</summary>
    public int Count => Labels.Length;

    /// <summary>The 0-based position of this batch within its epoch.</summary>
    public int Index { get; }

    /// <summary>Disposes <see cref="Inputs"/> (returns its buffer to the pool).</summary>
    public void Dispose() => Inputs.Dispose();
}
