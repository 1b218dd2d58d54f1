using System.Globalization;
using System.Text.Json.Nodes;

namespace NeuralSharp.Nn;

/// <summary>
/// Batch normalisation over [N, C] or [N, C, L] inputs (PyTorch's <c>nn.BatchNorm1d</c>), see <see cref="Functional.BatchNorm"/>.
/// In training mode it normalises with the batch statistics and updates the running statistics; in evaluation mode it uses
/// the running statistics. Initialisation as PyTorch: weight γ ones, bias β zeros, running_mean zeros, running_var ones,
/// num_batches_tracked 0. State-dict keys: weight, bias, running_mean, running_var, num_batches_tracked.
/// num_batches_tracked is an int64 scalar in PyTorch; here it is a float32 tensor of shape [] holding the count
/// (exact up to 2²⁴ batches).
/// </summary>
public sealed class BatchNorm1d : Module
{
    /// <summary>Creates the layer.</summary>
    /// <param name="numFeatures">Channels C, &gt; 0.</param>
    /// <param name="eps">Added to the variance, &gt; 0.</param>
    /// <param name="momentum">Weight of the batch statistics in the running update, in [0, 1]; null for a cumulative
    /// moving average (momentum 1/num_batches_tracked), as PyTorch's momentum=None.</param>
    /// <param name="affine">Learn γ and β.</param>
    /// <param name="trackRunningStats">Keep running statistics; without them both modes normalise with the batch statistics.</param>
    /// <exception cref="ArgumentOutOfRangeException">When numFeatures, eps or momentum is out of range.</exception>
    public BatchNorm1d(int numFeatures, float eps = 1e-5f, float? momentum = 0.1f, bool affine = true, bool trackRunningStats = true)
    {
        if (numFeatures <= 0) throw new ArgumentOutOfRangeException(nameof(numFeatures), $"BatchNorm1d: numFeatures must be positive, got {numFeatures}.");
        if (!(eps > 0f)) throw new ArgumentOutOfRangeException(nameof(eps), $"BatchNorm1d: eps must be positive, got {eps}.");
        if (momentum is float m && !(m >= 0f && m <= 1f))
            throw new ArgumentOutOfRangeException(nameof(momentum), $"BatchNorm1d: momentum must be in [0, 1] (or null for a cumulative average), got {m}.");
        NumFeatures = numFeatures;
        Eps = eps;
        Momentum = momentum;
        if (affine)
        {
            Weight = RegisterParameter("weight", Tensor.Ones(numFeatures));
            Bias = RegisterParameter("bias", Tensor.Zeros(numFeatures));
        }
        if (trackRunningStats)
        {
            RunningMean = RegisterBuffer("running_mean", Tensor.Zeros(numFeatures));
            RunningVar = RegisterBuffer("running_var", Tensor.Ones(numFeatures));
            NumBatchesTracked = RegisterBuffer("num_batches_tracked", Tensor.Scalar(0f));
        }
    }

    /// <summary>Channels C.</summary>
    public int NumFeatures { get; }

    /// <summary>Variance epsilon.</summary>
    public float Eps { get; }

    /// <summary>Running-average momentum, or null for a cumulative average.</summary>
    public float? Momentum { get; }

    /// <summary>γ [C], or null without affine.</summary>
    public Tensor? Weight { get; }

    /// <summary>β [C], or null without affine.</summary>
    public Tensor? Bias { get; }

    /// <summary>Running means [C] (buffer "running_mean"), or null without running statistics.</summary>
    public Tensor? RunningMean { get; }

    /// <summary>Running variances [C] (buffer "running_var", unbiased), or null without running statistics.</summary>
    public Tensor? RunningVar { get; }

    /// <summary>The number of training batches seen (buffer "num_batches_tracked", float32 of shape []), or null.</summary>
    public Tensor? NumBatchesTracked { get; }

    /// <summary>Resets the running statistics: mean 0, variance 1, batches 0.</summary>
    public void ResetRunningStats()
    {
        RunningMean?.Data.Fill(0f);
        RunningVar?.Data.Fill(1f);
        NumBatchesTracked?.Data.Fill(0f);
    }

    /// <summary>Resets the running statistics and γ = 1, β = 0 (PyTorch's reset_parameters).</summary>
    public void ResetParameters()
    {
        ResetRunningStats();
        Weight?.Data.Fill(1f);
        Bias?.Data.Fill(0f);
    }

    /// <inheritdoc/>
    /// <exception cref="ArgumentException">When the input is not [N, C] or [N, C, L] with C = numFeatures, or training sees one value per channel.</exception>
    public override Tensor Forward(Tensor input)
    {
        if (input.Rank is not (2 or 3) || input.Dim(1) != NumFeatures)
            throw new ArgumentException($"BatchNorm1d: expected input [N, {NumFeatures}] or [N, {NumFeatures}, L]; got {ShapeUtil.Format(input.Shape)}.", nameof(input));
        bool useBatchStats = Training || RunningMean == null;
        float momentum = Momentum ?? 0f;
        if (Training && NumBatchesTracked != null)
        {
            if (input.Dim(0) * (input.Rank == 3 ? (long)input.Dim(2) : 1) <= 1)
                throw new ArgumentException($"BatchNorm1d: Expected more than 1 value per channel when training, got input size {ShapeUtil.Format(input.Shape)}.", nameof(input));
            NumBatchesTracked.Data[0] += 1f;
            if (Momentum == null) momentum = 1f / NumBatchesTracked.Data[0];
        }
        return useBatchStats
            ? Functional.BatchNorm(input, Training ? RunningMean : null, Training ? RunningVar : null, Weight, Bias, training: true, momentum, Eps)
            : Functional.BatchNorm(input, RunningMean, RunningVar, Weight, Bias, training: false, momentum, Eps);
    }

    /// <inheritdoc/>
    public override JsonObject ToConfig()
    {
        var config = new JsonObject { ["type"] = "BatchNorm1d", ["num_features"] = NumFeatures, ["eps"] = Eps };
        config["momentum"] = Momentum is float m ? JsonValue.Create(m) : null;
        config["affine"] = Weight != null;
        config["track_running_stats"] = RunningMean != null;
        return config;
    }

    /// <inheritdoc/>
    protected override string ExtraRepr() =>
        $"{NumFeatures}, eps={Eps.ToString(CultureInfo.InvariantCulture)}, momentum={(Momentum is float m ? m.ToString(CultureInfo.InvariantCulture) : "None")}, " +
        $"affine={(Weight != null ? "True" : "False")}, track_running_stats={(RunningMean != null ? "True" : "False")}";
}
