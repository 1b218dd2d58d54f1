using System.Text;

namespace NeuralSharp.Training;

/// <summary>Classification metrics over a dataset.</summary>
/// <param name="Loss">Mean cross-entropy.</param>
/// <param name="Accuracy">Fraction of samples whose arg-max class is the label.</param>
/// <param name="ConfusionMatrix">Counts [true class, predicted class].</param>
/// <param name="Count">Samples evaluated.</param>
public sealed record EvaluationResult(double Loss, double Accuracy, int[,] ConfusionMatrix, int Count)
{
    /// <summary>The confusion matrix as aligned text, rows = true class, columns = predicted.</summary>
    public string FormatConfusionMatrix(IReadOnlyList<string>? classNames = null)
    {
        int n = ConfusionMatrix.GetLength(0);
        string Name(int i) => classNames != null && i < classNames.Count ? classNames[i] : i.ToString(System.Globalization.CultureInfo.InvariantCulture);
        int width = Math.Max(5, Enumerable.Range(0, n).Select(i => Name(i).Length).DefaultIfEmpty(1).Max() + 1);
        foreach (int c in ConfusionMatrix) width = Math.Max(width, c.ToString(System.Globalization.CultureInfo.InvariantCulture).Length + 1);
        var sb = new StringBuilder();
        sb.Append("true\\pred".PadRight(width + 4));
        for (int j = 0; j < n; j++) sb.Append(Name(j).PadLeft(width));
        sb.AppendLine();
        for (int i = 0; i < n; i++)
        {
            sb.Append(Name(i).PadRight(width + 4));
            for (int j = 0; j < n; j++) sb.Append(ConfusionMatrix[i, j].ToString(System.Globalization.CultureInfo.InvariantCulture).PadLeft(width));
            sb.AppendLine();
        }
        return sb.ToString();
    }
}
