using System.Globalization;
using NeuralSharp.Nn;

namespace NeuralSharp.Cli.Tests;

/// <summary><c>train --block</c>: every block kind trains, saves, evaluates and predicts; bad specs fail with the grammar.</summary>
public class BlockTests
{
    [Theory]
    [InlineData("swiglu", "GatedFeedForward")]
    [InlineData("geglu:hidden=24", "GatedFeedForward")]
    [InlineData("moe:4:2:hidden=16", "MixtureOfExperts")]
    [InlineData("moe:4:1:capacity=1.5", "MixtureOfExperts")]
    [InlineData("fff:depth=3", "FastFeedForward")]
    [InlineData("fff:depth=2:leaf=8", "FastFeedForward")]
    [InlineData("ffn:hidden=32", "FeedForward")]
    public void EachBlockTrainsEvaluatesAndPredicts(string block, string moduleType)
    {
        var dir = CliRunner.TempDir();
        try
        {
            string model = Path.Combine(dir, "m");
            var train = CliRunner.Run("train", "--block", block, "--hidden", "32", "--epochs", "2", "--lr", "0.01", "--output", model, "--threads", "1");
            Assert.True(train.ExitCode == 0, train.Error);
            Assert.Contains($"-> {block} ->", train.Output);
            double accuracy = double.Parse(train.LastLine["test accuracy: ".Length..], CultureInfo.InvariantCulture);
            Assert.InRange(accuracy, 0.3, 1.0); // 2 epochs on digits: well above chance (0.1)
            Assert.Contains($"\"{moduleType}\"", File.ReadAllText(Path.Combine(model, "config.json")));

            var eval = CliRunner.Run("eval", model);
            Assert.True(eval.ExitCode == 0, eval.Error);
            Assert.Equal(train.LastLine["test ".Length..], eval.LastLine); // the reloaded model scores exactly the same

            string input = Path.Combine(dir, "rows.csv");
            File.WriteAllLines(input, TrainEvalPredictTests.DigitsRows(4));
            var predict = CliRunner.Run("predict", model, "--input", input);
            Assert.True(predict.ExitCode == 0, predict.Error);
            Assert.Equal(4, predict.Output.TrimEnd().Split('\n').Length);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void MlpIsTheDefaultAndUnchanged()
    {
        var dir = CliRunner.TempDir();
        try
        {
            var a = CliRunner.Run("train", "--epochs", "1", "--hidden", "16", "--output", Path.Combine(dir, "a"), "--threads", "1");
            var b = CliRunner.Run("train", "--block", "mlp", "--epochs", "1", "--hidden", "16", "--output", Path.Combine(dir, "b"), "--threads", "1");
            Assert.True(a.ExitCode == 0 && b.ExitCode == 0, a.Error + b.Error);
            Assert.Contains("model: MLP 64-16-10", a.Output);
            Assert.Equal(a.LastLine, b.LastLine);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Theory]
    [InlineData("hydra", "unknown block 'hydra'")]
    [InlineData("moe:8", "moe needs")]
    [InlineData("moe:4:5", "topK")]
    [InlineData("moe:x:1", "number of experts")]
    [InlineData("moe:4:1:capacity=-1", "capacity")]
    [InlineData("fff", "depth=D")]
    [InlineData("fff:deep=3", "unknown option 'deep'")]
    [InlineData("swiglu:hidden=0", "hidden")]
    [InlineData("swiglu:64", "not key=value")]
    [InlineData("swiglu,mlp", "mlp cannot be combined")]
    public void MalformedSpecsNameTheSpecAndTheGrammar(string block, string reason)
    {
        var result = CliRunner.Run("train", "--block", block, "--epochs", "1", "--output", Path.Combine(CliRunner.TempDir(), "m"));
        Assert.Equal(1, result.ExitCode);
        Assert.DoesNotContain("   at ", result.Error);
        Assert.Contains(reason, result.Error);
        Assert.Contains(block.Split(',')[^1], result.Error);
        Assert.Contains("moe:E:K[:hidden=N]", result.Error);
    }

    [Fact]
    public void ABlockNeedsAWidth()
    {
        var result = CliRunner.Run("train", "--block", "swiglu", "--hidden", "", "--epochs", "1");
        Assert.Equal(1, result.ExitCode);
        Assert.Contains("width", result.Error);
    }
}
