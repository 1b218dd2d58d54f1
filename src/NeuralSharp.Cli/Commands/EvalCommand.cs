using System.CommandLine;
using System.Globalization;
using NeuralSharp.Serialization;
using NeuralSharp.Training;

namespace NeuralSharp.Cli.Commands;

/// <summary><c>neuralsharp eval MODEL --data ...</c>: accuracy, loss and confusion matrix of a saved model.</summary>
internal static class EvalCommand
{
    public static Command Create(TextWriter output)
    {
        var model = new Argument<string>("model") { Description = "A folder written by 'neuralsharp train' (or its config.json)." };
        var data = new Option<string?>("--data") { Description = "An IDX folder (its t10k files are used) or a labelled CSV file. Default: the data the model was trained on when that was the embedded digits set." };
        var labelColumn = new Option<string?>("--label-column") { Description = "CSV label column, by header name or 0-based index. Default: the last column." };
        var batchSize = new Option<int>("--batch-size") { Description = "Samples per batch.", DefaultValueFactory = _ => 256 };
        var command = new Command("eval", "Evaluate a saved model: accuracy, loss and a confusion matrix.") { model, data, labelColumn, batchSize };
        command.SetAction(parse =>
        {
            var saved = SavedModel.Load(parse.GetValue(model)!);
            string? dataPath = parse.GetValue(data) ?? saved.DataSource;
            var dataset = DataSources.LoadForEvaluation(dataPath, parse.GetValue(labelColumn), saved.ClassCount, saved.ClassNames);
            saved.CheckCompatible(dataset);
            if (saved.Preprocessor != null) dataset = dataset.Transform(saved.Preprocessor);
            var result = Evaluation.Evaluate(saved.Model, dataset, parse.GetValue(batchSize));
            output.WriteLine($"data: {(string.IsNullOrEmpty(dataPath) ? DataSources.EmbeddedDigits + ", test split" : dataPath)}: {result.Count} samples");
            output.WriteLine("confusion matrix (rows: true class, columns: predicted class):");
            output.Write(result.FormatConfusionMatrix(saved.ClassNames));
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"loss: {result.Loss:F4}"));
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"accuracy: {result.Accuracy:F4}"));
            return 0;
        });
        return command;
    }
}
