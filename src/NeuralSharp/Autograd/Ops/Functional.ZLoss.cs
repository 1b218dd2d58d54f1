using System.Numerics.Tensors;

namespace NeuralSharp;

public static partial class Functional
{
    /// <summary>
    /// The z-loss auxiliary term of PaLM (Chowdhery et al. 2022): coefficient · mean_i z_i² with z_i = logsumexp_c logits[i, c],
    /// which keeps the softmax normaliser near 1. Gradient: d/dlogits[i, c] = coefficient · 2 z_i / N · softmax(logits_i)[c].
    /// Equals PyTorch's <c>coefficient * torch.logsumexp(logits, -1).pow(2).mean()</c>. Add it to a cross-entropy loss, or use
    /// <see cref="CrossEntropyWithZLoss"/>.
    /// </summary>
    /// <param name="logits">Unnormalised scores [N, C], C &gt; 0.</param>
    /// <param name="coefficient">The weight (PaLM: 1e-4).</param>
    /// <exception cref="ArgumentException">When logits are not [N, C] with C &gt; 0, or the coefficient is not finite.</exception>
    public static Tensor ZLoss(Tensor logits, float coefficient = 1e-4f)
    {
        if (logits.Rank != 2 || logits.Dim(1) == 0)
            throw new ArgumentException($"ZLoss: logits must be [N, C] with C > 0; got {ShapeUtil.Format(logits.Shape)}.", nameof(logits));
        if (!float.IsFinite(coefficient)) throw new ArgumentOutOfRangeException(nameof(coefficient), $"ZLoss: coefficient must be finite, got {coefficient}.");
        int rows = logits.Dim(0), classes = logits.Dim(1);
        var logProbs = Tensor.Empty(rows, classes);
        Kernels.Softmax.LogForward(logits.Data, logProbs.Data, rows, classes, 1);
        var lse = new float[rows];
        double sum = 0;
        var x = logits.Data;
        var lp = logProbs.Data;
        for (int i = 0; i < rows; i++)
        {
            // z = x[j] - log p[j] at the row's arg-max j, where |log p[j]| ≤ log C is smallest: the least rounding.
            int j = TensorPrimitives.IndexOfMax(x.Slice(i * classes, classes));
            lse[i] = x[i * classes + j] - lp[i * classes + j];
            sum += (double)lse[i] * lse[i];
        }
        var y = Tensor.Scalar(rows == 0 ? 0f : (float)(coefficient * sum / rows));
        if (!Node.ShouldRecord(logits))
        {
            logProbs.Dispose();
            return y;
        }
        return new ZLossNode(logits, logProbs, lse, rows == 0 ? 0f : 2f * coefficient / rows).Attach(y);
    }

    /// <summary>
    /// Cross-entropy plus z-loss on the same logits: <see cref="CrossEntropy"/>(logits, targets, …) + <see cref="ZLoss"/>(logits, zLossCoefficient),
    /// the composition PaLM trains with.
    /// </summary>
    /// <exception cref="ArgumentException">As <see cref="CrossEntropy"/> and <see cref="ZLoss"/>.</exception>
    public static Tensor CrossEntropyWithZLoss(Tensor logits, ReadOnlySpan<int> targets, float zLossCoefficient = 1e-4f, float labelSmoothing = 0f,
        Tensor? classWeights = null, int ignoreIndex = -100, Reduction reduction = Reduction.Mean) =>
        Add(CrossEntropy(logits, targets, labelSmoothing, classWeights, ignoreIndex, reduction), ZLoss(logits, zLossCoefficient));

    private sealed class ZLossNode(Tensor logits, Tensor logProbs, float[] lse, float scale) : Node(logits)
    {
        protected internal override void Backward(Tensor dy)
        {
            if (!logits.RequiresGrad) return;
            int rows = logits.Dim(0), classes = logits.Dim(1);
            float s = scale * dy.Item();
            var g = logits.GradBuffer();
            var lp = logProbs.Data;
            var p = new float[classes];
            for (int i = 0; i < rows; i++)
            {
                TensorPrimitives.Exp(lp.Slice(i * classes, classes), p);
                var gi = g.Slice(i * classes, classes);
                TensorPrimitives.MultiplyAdd(p, s * lse[i], gi, gi);
            }
        }

        protected override void ReleaseSaved() => logProbs.Dispose();
    }
}
