using System.Collections;

namespace NeuralSharp.Data;

/// <summary>
/// Cuts a dataset into mini-batches. Each enumeration is one epoch: ceil(Count / BatchSize) batches
/// (floor with <c>dropLast</c>), every sample exactly once (except the dropped tail). With shuffling, epoch k's
/// order is a Fisher–Yates shuffle drawn from one <see cref="RandomSource"/> seeded once with the seed and
/// advanced every epoch, so the orders depend only on the seed and the epoch number; <see cref="GetState"/> and
/// <see cref="SetState"/> save and restore the position (also in the middle of an epoch) bit for bit.
/// <para>Batch tensors come from the pool (<see cref="Tensor.Empty"/>), owned by the <see cref="TensorScope"/>
/// current when the batch is made; the order buffer is reused, so an epoch allocates only the small label arrays.</para>
/// <para>An epoch ends when its last batch is handed out; an enumeration stopped early (<c>break</c>) leaves the
/// epoch open and the next enumeration continues it. One enumeration at a time; not thread-safe.</para>
/// </summary>
public sealed class DataLoader : IEnumerable<Batch>
{
    private readonly int[] _order;
    private readonly int[] _featureShape;
    private readonly RandomSource _random;
    private int _epoch;              // epochs fully handed out
    private int _batchIndex;         // batches of the current epoch handed out
    private bool _inEpoch;           // epoch _epoch has begun (its order drawn, or to be redrawn when _resume)
    private bool _resume;            // SetState restored a begun epoch: its order must be redrawn from _epochStart
    private RandomSourceState _epochStart;

    /// <summary>Creates a loader.</summary>
    /// <param name="dataset">The samples.</param>
    /// <param name="batchSize">The number of samples per batch (the last batch may be smaller unless <paramref name="dropLast"/>).</param>
    /// <param name="shuffle">Whether each epoch visits the samples in a new random order (else in index order).</param>
    /// <param name="dropLast">Whether to drop the last, incomplete batch of each epoch.</param>
    /// <param name="seed">The seed of the shuffling generator.</param>
    /// <exception cref="ArgumentOutOfRangeException">When <paramref name="batchSize"/> is not positive.</exception>
    public DataLoader(IDataset dataset, int batchSize, bool shuffle = false, bool dropLast = false, ulong seed = 0)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        if (batchSize <= 0) throw new ArgumentOutOfRangeException(nameof(batchSize), $"DataLoader: the batch size must be positive, got {batchSize}.");
        Dataset = dataset;
        BatchSize = batchSize;
        Shuffle = shuffle;
        DropLast = dropLast;
        _featureShape = dataset.FeatureShape;
        _order = new int[dataset.Count];
        _random = new RandomSource(seed);
        _epochStart = _random.GetState();
    }

    /// <summary>The dataset the batches come from.</summary>
    public IDataset Dataset { get; }

    /// <summary>The number of samples per full batch.</summary>
    public int BatchSize { get; }

    /// <summary>Whether each epoch is shuffled.</summary>
    public bool Shuffle { get; }

    /// <summary>Whether the last, incomplete batch of each epoch is dropped.</summary>
    public bool DropLast { get; }

    /// <summary>The number of batches per epoch: floor(Count / BatchSize) with DropLast, else ceil(Count / BatchSize).</summary>
    public int BatchesPerEpoch => DropLast ? _order.Length / BatchSize : (int)(((long)_order.Length + BatchSize - 1) / BatchSize);

    /// <summary>
    /// The number of epochs all of whose batches have been handed out: 0 before the first, and it becomes 1 as the
    /// last batch of the first epoch is handed out. Also the 0-based index of the epoch that the next batch belongs to.
    /// </summary>
    public int Epoch => _epoch;

    /// <summary>The current position: epoch, batches handed out within it and the generator state (see <see cref="DataLoaderState"/>).</summary>
    public DataLoaderState GetState() =>
        _inEpoch ? new DataLoaderState(_epoch, _batchIndex, _epochStart) : new DataLoaderState(_epoch, 0, _random.GetState());

    /// <summary>
    /// Restores a position taken with <see cref="GetState"/> (on a loader over the same dataset with the same batch
    /// size and options): the next enumeration yields the batches that followed it, with their original
    /// <see cref="Batch.Index"/>, and later epochs are shuffled as they would have been.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">When the epoch is negative or the batch index is not in [0, BatchesPerEpoch].</exception>
    /// <exception cref="ArgumentException">When the generator state is invalid.</exception>
    public void SetState(DataLoaderState state)
    {
        if (state.Epoch < 0) throw new ArgumentOutOfRangeException(nameof(state), $"DataLoader.SetState: negative epoch {state.Epoch}.");
        int batches = BatchesPerEpoch;
        if ((uint)state.BatchIndex > (uint)batches)
            throw new ArgumentOutOfRangeException(nameof(state), $"DataLoader.SetState: batch index {state.BatchIndex} is outside [0, {batches}] for this loader.");
        _random.SetState(state.Random);
        _epochStart = state.Random;
        _epoch = state.Epoch;
        _batchIndex = state.BatchIndex;
        _inEpoch = _resume = state.BatchIndex > 0;
        if (state.BatchIndex == batches && batches > 0)
        {
            // Every batch of that epoch was handed out: move to the start of the next one.
            DrawOrder(_random);
            (_epoch, _batchIndex, _inEpoch, _resume) = (state.Epoch + 1, 0, false, false);
        }
    }

    private void DrawOrder(RandomSource random)
    {
        for (int i = 0; i < _order.Length; i++) _order[i] = i;
        if (Shuffle) random.Shuffle(_order.AsSpan());
    }

    /// <summary>
    /// Enumerates the batches of the current epoch: a new epoch, or the rest of one that a previous enumeration
    /// left unfinished (e.g. by <c>break</c>) or that <see cref="SetState"/> restored.
    /// </summary>
    public IEnumerator<Batch> GetEnumerator()
    {
        if (_resume)
        {
            // Redraw the interrupted epoch's order from its starting state; this leaves the generator where it was.
            _random.SetState(_epochStart);
            DrawOrder(_random);
            _resume = false;
        }
        else if (!_inEpoch)
        {
            _epochStart = _random.GetState();
            DrawOrder(_random);
            _batchIndex = 0;
            _inEpoch = true;
        }
        return Enumerate();
    }

    private IEnumerator<Batch> Enumerate()
    {
        int batches = BatchesPerEpoch;
        if (batches == 0) FinishEpoch();
        while (_inEpoch && _batchIndex < batches)
        {
            int index = _batchIndex;
            int start = index * BatchSize;
            int count = Math.Min(BatchSize, _order.Length - start);
            var batch = MakeBatch(_order.AsSpan(start, count), index);
            // Advance before handing the batch out, so that a checkpoint taken while it is used resumes after it.
            if (++_batchIndex == batches) FinishEpoch();
            yield return batch;
        }
    }

    private void FinishEpoch()
    {
        _inEpoch = false;
        _epoch++;
        _batchIndex = 0;
    }

    private Batch MakeBatch(ReadOnlySpan<int> samples, int index)
    {
        int f = Dataset.FeatureCount;
        var shape = new int[_featureShape.Length + 1];
        shape[0] = samples.Length;
        _featureShape.CopyTo(shape, 1);
        var inputs = Tensor.Empty(shape);
        var data = inputs.Data;
        var labels = new int[samples.Length];
        if (Dataset is InMemoryDataset memory)
        {
            var all = memory.Features;
            for (int i = 0; i < samples.Length; i++)
            {
                all.Slice(samples[i] * f, f).CopyTo(data.Slice(i * f, f));
                labels[i] = memory.Labels[samples[i]];
            }
        }
        else
        {
            for (int i = 0; i < samples.Length; i++)
            {
                Dataset.CopyFeatures(samples[i], data.Slice(i * f, f));
                labels[i] = Dataset.GetLabel(samples[i]);
            }
        }
        return new Batch(inputs, labels, index);
    }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}
