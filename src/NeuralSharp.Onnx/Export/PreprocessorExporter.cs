using NeuralSharp.Data;

namespace NeuralSharp.Onnx.Export;

/// <summary>
/// Folds input preprocessing into the graph as PyTorch users would write it by hand: Standardizer as
/// Sub(mean), Div(std); MinMaxScaler as Sub(min), Div(range) with range = max - min (1 where that is 0) — the same
/// float operations in the same order as the library's TransformBatch, so the results are identical.
/// The constants are initializers <c>preprocessor.mean</c>/<c>preprocessor.std</c> (or <c>.min</c>/<c>.range</c>)
/// shaped like one sample.
/// </summary>
internal static class PreprocessorExporter
{
    public static GraphValue Emit(GraphBuilder g, IPreprocessor preprocessor, GraphValue x)
    {
        if (!preprocessor.IsFitted)
            throw new ArgumentException($"OnnxExporter: the {preprocessor.GetType().Name} is not fitted; fit it (or leave it out) before exporting.");
        int[] sample = x.Shape[1..];
        int features = sample.Aggregate(1, (a, b) => a * b);
        if (preprocessor.FeatureCount != features)
            throw new ArgumentException($"OnnxExporter: the {preprocessor.GetType().Name} is fitted to {preprocessor.FeatureCount} features but the input shape [{string.Join(", ", sample)}] has {features}.");
        (string subName, float[] sub, string divName, float[] div) = preprocessor switch
        {
            Standardizer s => ("mean", s.Mean.ToArray(), "std", s.Std.ToArray()),
            MinMaxScaler m => ("min", m.Min.ToArray(), "range", Range(m)),
            _ => throw new NotSupportedException(
                $"OnnxExporter: cannot fold a {preprocessor.GetType().Name} into an ONNX graph (supported: {Standardizer.TypeName}, {MinMaxScaler.TypeName}); export without it and apply it before running the model."),
        };
        string subInit = g.Initializer($"preprocessor.{subName}", OnnxTensor.FromArray(sub, sample));
        string divInit = g.Initializer($"preprocessor.{divName}", OnnxTensor.FromArray(div, sample));
        var centred = g.Node("Sub", "preprocessor", [x.Name, subInit]);
        return x.With(g.Node("Div", "preprocessor", [centred, divInit]));
    }

    /// <summary>max - min per feature, 1 where that is not positive and finite (as MinMaxScaler computes it).</summary>
    private static float[] Range(MinMaxScaler m)
    {
        var range = new float[m.FeatureCount];
        for (int j = 0; j < range.Length; j++)
        {
            float r = m.Max[j] - m.Min[j];
            range[j] = r > 0 && float.IsFinite(r) ? r : 1f;
        }
        return range;
    }
}
