using NeuralSharp.Kernels;

namespace NeuralSharp;

public static partial class Functional
{
    /// <summary>
    /// Cross-entropy of logits [N, C] against class indices, fused with log-softmax (PyTorch's
    /// <c>F.cross_entropy</c>): per row (1-ε)·w[y]·(-log p[y]) + ε/C·Σ_c w[c]·(-log p[c]); the mean divides by Σ w[y].
    /// </summary>
    /// <param name="logits">Unnormalised scores [N, C].</param>
    /// <param name="targets">N class indices in [0, C), or <paramref name="ignoreIndex"/>.</param>
    /// <param name="labelSmoothing">ε in [0, 1].</param>
    /// <param name="classWeights">Optional weights [C].</param>
    /// <param name="ignoreIndex">A target value whose rows contribute nothing.</param>
    /// <param name="reduction">Mean or sum over rows.</param>
    /// <exception cref="ArgumentException">When shapes do not fit or a target is out of range (the message names its row).</exception>
    public static Tensor CrossEntropy(Tensor logits, ReadOnlySpan<int> targets, float labelSmoothing = 0f, Tensor? classWeights = null, int ignoreIndex = -100, Reduction reduction = Reduction.Mean)
    {
        if (logits.Rank != 2)
            throw new ArgumentException($"CrossEntropy: logits must be [N, C]; got {ShapeUtil.Format(logits.Shape)}.");
        int rows = logits.Dim(0), classes = logits.Dim(1);
        if (targets.Length != rows)
            throw new ArgumentException($"CrossEntropy: {targets.Length} targets for logits {ShapeUtil.Format(logits.Shape)} (expected {rows}).");
        if (!(labelSmoothing >= 0f && labelSmoothing <= 1f))
            throw new ArgumentOutOfRangeException(nameof(labelSmoothing), $"CrossEntropy: label smoothing must be in [0, 1], got {labelSmoothing}.");
        if (classWeights != null && (classWeights.Rank != 1 || classWeights.Dim(0) != classes))
            throw new ArgumentException($"CrossEntropy: class weights {ShapeUtil.Format(classWeights.Shape)} do not fit logits {ShapeUtil.Format(logits.Shape)} (expected [{classes}]).");
        for (int i = 0; i < rows; i++)
        {
            int t = targets[i];
            if (t != ignoreIndex && (uint)t >= (uint)classes)
                throw new ArgumentException($"CrossEntropy: target {t} in row {i} is outside [0, {classes}).");
        }
        var logProbs = Tensor.Empty(rows, classes);
        var weights = classWeights == null ? ReadOnlySpan<float>.Empty : classWeights.Data;
        var (loss, weight) = Kernels.CrossEntropy.Forward(logits.Data, targets, weights, labelSmoothing, ignoreIndex, logProbs.Data, rows, classes);
        double divisor = reduction == Reduction.Mean ? weight : 1.0;
        var y = Tensor.Scalar((float)(loss / divisor));
        if (!Node.ShouldRecord(logits))
        {
            logProbs.Dispose();
            return y;
        }
        return new CrossEntropyNode(logits, targets.ToArray(), classWeights, labelSmoothing, ignoreIndex, logProbs, (float)(1.0 / divisor)).Attach(y);
    }

    private sealed class CrossEntropyNode(Tensor logits, int[] targets, Tensor? classWeights, float smoothing, int ignoreIndex, Tensor logProbs, float scale) : Node(logits)
    {
        protected internal override void Backward(Tensor dy)
        {
            var weights = classWeights == null ? ReadOnlySpan<float>.Empty : classWeights.Data;
            Kernels.CrossEntropy.Backward(logProbs.Data, targets, weights, smoothing, ignoreIndex, scale * dy.Item(), GradOf(logits), logits.Dim(0), logits.Dim(1));
        }

        protected override void ReleaseSaved() => logProbs.Dispose();
    }

    /// <summary>Mean (or sum) squared error Σ(x - t)² / n.</summary>
    /// <exception cref="ArgumentException">When the shapes differ.</exception>
    public static Tensor MseLoss(Tensor input, Tensor target, Reduction reduction = Reduction.Mean)
    {
        RequireSameShape(input, target, "MseLoss");
        float scale = reduction == Reduction.Mean ? 1f / Math.Max(input.Size, 1) : 1f;
        var y = Tensor.Scalar((float)(Losses.MseForward(input.Data, target.Data) * scale));
        return Node.ShouldRecord(input, target) ? new MseNode(input, target, scale).Attach(y) : y;
    }

    private sealed class MseNode(Tensor input, Tensor target, float scale) : Node(input, target)
    {
        protected internal override void Backward(Tensor dy)
        {
            float s = scale * dy.Item();
            if (input.RequiresGrad) Losses.MseBackward(input.Data, target.Data, s, input.GradBuffer());
            if (target.RequiresGrad) Losses.MseBackward(target.Data, input.Data, s, target.GradBuffer()); // symmetric in (x - t)²
        }
    }

    /// <summary>
    /// Binary cross-entropy on logits (PyTorch's <c>BCEWithLogitsLoss</c>), computed stably:
    /// -[p·t·log σ(x) + (1-t)·log(1-σ(x))], with optional per-class positive weights p over the last dimension.
    /// </summary>
    /// <exception cref="ArgumentException">When the shapes differ.</exception>
    public static Tensor BinaryCrossEntropyWithLogits(Tensor input, Tensor target, Tensor? posWeight = null, Reduction reduction = Reduction.Mean)
    {
        RequireSameShape(input, target, "BinaryCrossEntropyWithLogits");
        int cols = input.Rank == 0 ? 1 : input.Dim(-1);
        if (posWeight != null && (posWeight.Rank != 1 || posWeight.Dim(0) != cols))
            throw new ArgumentException($"BinaryCrossEntropyWithLogits: pos_weight {ShapeUtil.Format(posWeight.Shape)} does not fit input {ShapeUtil.Format(input.Shape)} (expected [{cols}]).");
        var pw = posWeight == null ? ReadOnlySpan<float>.Empty : posWeight.Data;
        float scale = reduction == Reduction.Mean ? 1f / Math.Max(input.Size, 1) : 1f;
        var y = Tensor.Scalar((float)(Losses.BceWithLogitsForward(input.Data, target.Data, pw, cols) * scale));
        return Node.ShouldRecord(input) ? new BceNode(input, target, posWeight, cols, scale).Attach(y) : y;
    }

    private sealed class BceNode(Tensor input, Tensor target, Tensor? posWeight, int cols, float scale) : Node(input)
    {
        protected internal override void Backward(Tensor dy)
        {
            var pw = posWeight == null ? ReadOnlySpan<float>.Empty : posWeight.Data;
            Losses.BceWithLogitsBackward(input.Data, target.Data, pw, cols, scale * dy.Item(), GradOf(input));
        }
    }

    private static void RequireSameShape(Tensor a, Tensor b, string op)
    {
        if (!ShapeUtil.SameShape(a.Shape, b.Shape))
            throw new ArgumentException($"{op}: input {ShapeUtil.Format(a.Shape)} and target {ShapeUtil.Format(b.Shape)} must have the same shape.");
    }
}
