using System.Text.Json.Nodes;

namespace NeuralSharp.Nn;

/// <summary>
/// Training-time wrapper that makes a loss computed on the logits also minimise the auxiliary losses of the
/// model's <see cref="MixtureOfExperts"/> blocks (the Switch load-balancing loss), without changing the training loop:
/// Forward returns the inner model's logits unchanged (same values), and backward passes their gradient through and
/// adds d(Σ aux)/dθ, i.e. the parameters receive the gradient of loss(logits) + Σ_moe AuxiliaryLoss.
/// In evaluation mode or without gradient recording it is the inner model. The reported loss does not include the
/// auxiliary term (see <see cref="LastAuxiliaryLoss"/>). Save <see cref="Inner"/>, not the wrapper (its keys carry the
/// <c>model.</c> prefix and it has no config). Correct for one Backward per Forward from a scalar loss (seed gradient 1).
/// </summary>
public sealed class AuxiliaryLossModel : Module
{
    private readonly IReadOnlyList<MixtureOfExperts> _mixtures;

    /// <summary>Wraps <paramref name="inner"/> (registered as child <c>model</c>).</summary>
    /// <exception cref="ArgumentNullException">When inner is null.</exception>
    public AuxiliaryLossModel(Module inner)
    {
        ArgumentNullException.ThrowIfNull(inner);
        Inner = RegisterModule("model", inner);
        _mixtures = ModelBuilder.MixturesOfExperts(inner);
    }

    /// <summary>The wrapped model (the one to save).</summary>
    public Module Inner { get; }

    /// <summary>Σ AuxiliaryLoss of the last training Forward (0 before any, or when the model has no mixture of experts).</summary>
    public float LastAuxiliaryLoss { get; private set; }

    /// <inheritdoc/>
    public override Tensor Forward(Tensor input)
    {
        var y = Inner.Forward(input);
        if (!Training || !GradMode.IsEnabled || _mixtures.Count == 0) return y;
        Tensor? aux = null;
        foreach (var moe in _mixtures)
            if (moe.AuxiliaryLoss is { } a) aux = aux == null ? a : Functional.Add(aux, a);
        if (aux == null) return y;
        LastAuxiliaryLoss = aux.Item();
        if (!Node.ShouldRecord(y, aux)) return y;
        var output = Tensor.Empty(y.ShapeArray);
        y.Data.CopyTo(output.Data);
        return new AttachLossNode(y, aux).Attach(output);
    }

    /// <inheritdoc/>
    /// <exception cref="InvalidOperationException">Always: save <see cref="Inner"/>.</exception>
    public override JsonObject ToConfig() => throw new InvalidOperationException("AuxiliaryLossModel is a training wrapper; save its Inner model.");

    /// <summary>y = x (identity); backward: dx += dy and d(aux) += 1, so aux joins the objective with weight 1.</summary>
    private sealed class AttachLossNode(Tensor x, Tensor aux) : Node(x, aux)
    {
        protected internal override void Backward(Tensor dy)
        {
            var gx = GradOf(x);
            if (!gx.IsEmpty) System.Numerics.Tensors.TensorPrimitives.Add(gx, dy.Data, gx);
            var ga = GradOf(aux);
            if (!ga.IsEmpty) ga[0] += 1f;
        }
    }
}
