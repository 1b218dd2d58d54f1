using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using NeuralSharp.Data;
using NeuralSharp.Serialization;
using NeuralSharp.Training;

namespace NeuralSharp.Cli.Commands;

/// <summary><c>neuralsharp predict MODEL --input FILE</c>: class and probabilities per input row.</summary>
internal static class PredictCommand
{
    public static Command Create(TextWriter output)
    {
        var model = new Argument<string>("model") { Description = "A folder written by 'neuralsharp train' (or its config.json)." };
        var input = new Option<string>("--input", "-i") { Description = "A CSV file of feature rows (an optional header; exactly the model's feature count per row), or an IDX image file (a name containing 'idx', gzipped or raw; pixels scaled to [0, 1] as in training).", Required = true };
        var format = new Option<string>("--format") { Description = "text or json.", DefaultValueFactory = _ => "text" };
        var command = new Command("predict", "Predict the class and class probabilities of each row of a CSV file.") { model, input, format };
        command.SetAction(parse =>
        {
            string fmt = parse.GetValue(format)!.ToLowerInvariant();
            if (fmt != "text" && fmt != "json") throw new ArgumentException($"--format: expected text or json, got '{fmt}'.");
            var saved = SavedModel.Load(parse.GetValue(model)!);
            var (values, rows) = LoadInput(parse.GetValue(input)!, saved.FeatureCount);
            using var scope = TensorScope.Begin();
            var x = Tensor.FromArray(values, [rows, .. saved.InputShape]);
            if (saved.Preprocessor != null) saved.Preprocessor.TransformBatch(x.Data, rows);
            var probabilities = Evaluation.PredictProbabilities(saved.Model, x);
            var classes = probabilities.ArgMaxRows();
            if (fmt == "json") WriteJson(output, probabilities, classes, saved.ClassNames);
            else WriteText(output, probabilities, classes, saved.ClassNames);
            return 0;
        });
        return command;
    }

    private static (float[] Values, int Rows) LoadInput(string path, int featureCount)
    {
        if (!Path.GetFileName(path).Contains("idx", StringComparison.OrdinalIgnoreCase)) return CsvFeatures.Load(path, featureCount);
        var (features, count) = MnistDataset.LoadImages(path);
        if (count > 0 && features.Length / count != featureCount)
            throw new ArgumentException($"{path}: the images have {features.Length / count} pixels each but the model expects {featureCount} features.");
        return (features, count);
    }

    private static string Label(int c, IReadOnlyList<string>? names) => names != null && c < names.Count ? names[c] : c.ToString(CultureInfo.InvariantCulture);

    private static void WriteText(TextWriter output, Tensor probabilities, int[] classes, IReadOnlyList<string>? names)
    {
        int cols = probabilities.Dim(1);
        for (int r = 0; r < classes.Length; r++)
        {
            var row = probabilities.Data.Slice(r * cols, cols);
            var ps = string.Join(" ", row.ToArray().Select(p => p.ToString("F4", CultureInfo.InvariantCulture)));
            output.WriteLine($"row {r}: class {Label(classes[r], names)}  p={row[classes[r]].ToString("F4", CultureInfo.InvariantCulture)}  probabilities: {ps}");
        }
    }

    private static void WriteJson(TextWriter output, Tensor probabilities, int[] classes, IReadOnlyList<string>? names)
    {
        int cols = probabilities.Dim(1);
        using var stream = new MemoryStream();
        using (var json = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true }))
        {
            json.WriteStartArray();
            for (int r = 0; r < classes.Length; r++)
            {
                json.WriteStartObject();
                json.WriteNumber("row", r);
                json.WriteNumber("class", classes[r]);
                json.WriteString("label", Label(classes[r], names));
                json.WriteStartArray("probabilities");
                foreach (var p in probabilities.Data.Slice(r * cols, cols)) json.WriteNumberValue(p);
                json.WriteEndArray();
                json.WriteEndObject();
            }
            json.WriteEndArray();
        }
        output.WriteLine(System.Text.Encoding.UTF8.GetString(stream.ToArray()));
    }
}
