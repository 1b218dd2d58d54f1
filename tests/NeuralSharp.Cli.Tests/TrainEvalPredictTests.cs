using System.Globalization;
using System.Text.Json;

namespace NeuralSharp.Cli.Tests;

/// <summary>The train → eval → predict workflow through the command line, as a user runs it.</summary>
public class TrainEvalPredictTests
{
    [Fact]
    public void TrainEvalAndPredictOnTheEmbeddedDigits()
    {
        var dir = CliRunner.TempDir();
        try
        {
            string model = Path.Combine(dir, "model");
            var train = CliRunner.Run("train", "--epochs", "6", "--output", model, "--threads", "1");
            Assert.True(train.ExitCode == 0, train.Error);
            Assert.Contains("epoch   1/6", train.Output);
            Assert.Contains("samples/s", train.Output);
            Assert.StartsWith("test accuracy: ", train.LastLine);
            double accuracy = double.Parse(train.LastLine["test accuracy: ".Length..], CultureInfo.InvariantCulture);
            Assert.InRange(accuracy, 0.95, 1.0);
            Assert.True(File.Exists(Path.Combine(model, "config.json")));
            Assert.True(File.Exists(Path.Combine(model, "model.safetensors")));

            var eval = CliRunner.Run("eval", model);
            Assert.True(eval.ExitCode == 0, eval.Error);
            Assert.Contains("confusion matrix", eval.Output);
            Assert.Contains("loss: ", eval.Output);
            // The saved model scores on the test split exactly what training reported.
            Assert.Equal(train.LastLine["test ".Length..], eval.LastLine);

            string input = Path.Combine(dir, "rows.csv");
            File.WriteAllLines(input, DigitsRows(3));
            var predict = CliRunner.Run("predict", model, "--input", input);
            Assert.True(predict.ExitCode == 0, predict.Error);
            var lines = predict.Output.TrimEnd().Split('\n');
            Assert.Equal(3, lines.Length);
            Assert.StartsWith("row 0: class ", lines[0]);

            var json = CliRunner.Run("predict", model, "--input", input, "--format", "json");
            Assert.True(json.ExitCode == 0, json.Error);
            using var doc = JsonDocument.Parse(json.Output);
            Assert.Equal(3, doc.RootElement.GetArrayLength());
            var probabilities = doc.RootElement[0].GetProperty("probabilities").EnumerateArray().Select(p => p.GetDouble()).ToArray();
            Assert.Equal(10, probabilities.Length);
            Assert.Equal(1.0, probabilities.Sum(), 4);
            Assert.Equal(Array.IndexOf(probabilities, probabilities.Max()), doc.RootElement[0].GetProperty("class").GetInt32());
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void TrainsOnACsvFileWithStringLabelsAndEvaluatesIt()
    {
        var dir = CliRunner.TempDir();
        try
        {
            // Two well separated blobs with string labels, a header and the label column first.
            var rng = new Random(3);
            var lines = new List<string> { "species,x,y" };
            for (int i = 0; i < 200; i++)
            {
                bool a = i % 2 == 0;
                lines.Add(string.Create(CultureInfo.InvariantCulture, $"{(a ? "alpha" : "beta")},{(a ? -2 : 2) + rng.NextDouble()},{rng.NextDouble()}"));
            }
            string csv = Path.Combine(dir, "blobs.csv");
            File.WriteAllLines(csv, lines);
            string model = Path.Combine(dir, "m");
            var train = CliRunner.Run("train", "--data", csv, "--label-column", "species", "--hidden", "8", "--epochs", "30", "--lr", "0.05", "--output", model);
            Assert.True(train.ExitCode == 0, train.Error);
            Assert.Equal("test accuracy: 1.0000", train.LastLine);
            var eval = CliRunner.Run("eval", model, "--data", csv, "--label-column", "species");
            Assert.True(eval.ExitCode == 0, eval.Error);
            Assert.Contains("alpha", eval.Output);
            Assert.Equal("accuracy: 1.0000", eval.LastLine);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void TrainsOnAnIdxFolderAndPredictsFromAnIdxImageFile()
    {
        var dir = CliRunner.TempDir();
        try
        {
            // 4x4 images: class 0 is bright in the top half, class 1 in the bottom half.
            var rng = new Random(5);
            void Write(string prefix, int count)
            {
                var images = new List<byte> { 0, 0, 8, 3, 0, 0, (byte)(count >> 8), (byte)count, 0, 0, 0, 4, 0, 0, 0, 4 };
                var labels = new List<byte> { 0, 0, 8, 1, 0, 0, (byte)(count >> 8), (byte)count };
                for (int i = 0; i < count; i++)
                {
                    int label = i % 2;
                    labels.Add((byte)label);
                    for (int p = 0; p < 16; p++) images.Add((byte)(((p < 8) == (label == 0) ? 200 : 20) + rng.Next(40)));
                }
                File.WriteAllBytes(Path.Combine(dir, $"{prefix}-images-idx3-ubyte"), images.ToArray());
                File.WriteAllBytes(Path.Combine(dir, $"{prefix}-labels-idx1-ubyte"), labels.ToArray());
            }
            Write("train", 200);
            Write("t10k", 50);
            string model = Path.Combine(dir, "m");
            var train = CliRunner.Run("train", "--data", dir, "--hidden", "8", "--epochs", "10", "--lr", "0.01", "--output", model);
            Assert.True(train.ExitCode == 0, train.Error);
            Assert.Equal("test accuracy: 1.0000", train.LastLine);
            var predict = CliRunner.Run("predict", model, "--input", Path.Combine(dir, "t10k-images-idx3-ubyte"));
            Assert.True(predict.ExitCode == 0, predict.Error);
            var lines = predict.Output.TrimEnd().Split('\n');
            Assert.Equal(50, lines.Length);
            Assert.StartsWith("row 0: class 0 ", lines[0]);
            Assert.StartsWith("row 1: class 1 ", lines[1]);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    internal static IEnumerable<string> DigitsRows(int count)
    {
        using var stream = typeof(NeuralSharp.Data.EmbeddedDatasets).Assembly.GetManifestResourceStream(NeuralSharp.Data.EmbeddedDatasets.DigitsResourceName)!;
        using var gzip = new System.IO.Compression.GZipStream(stream, System.IO.Compression.CompressionMode.Decompress);
        using var reader = new StreamReader(gzip);
        for (int i = 0; i < count; i++)
        {
            var fields = reader.ReadLine()!.Split(',');
            yield return string.Join(",", fields.Take(64));
        }
    }
}
