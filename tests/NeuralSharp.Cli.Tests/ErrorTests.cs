namespace NeuralSharp.Cli.Tests;

/// <summary>Bad input never crashes the CLI: it prints what is wrong and where, and exits non-zero.</summary>
public class ErrorTests
{
    private static void AssertFails(CliRunner.Result result, params string[] fragments)
    {
        Assert.NotEqual(0, result.ExitCode);
        Assert.DoesNotContain("Unhandled exception", result.Error);
        Assert.DoesNotContain("   at ", result.Error); // no stack trace
        foreach (var f in fragments) Assert.Contains(f, result.Error);
    }

    [Fact]
    public void MissingDataPath() => AssertFails(CliRunner.Run("train", "--data", "/no/such/path"), "/no/such/path");

    [Fact]
    public void BadHiddenWidths() => AssertFails(CliRunner.Run("train", "--hidden", "64,abc", "--epochs", "1"), "--hidden", "abc");

    [Fact]
    public void UnknownOptimizerAndActivation()
    {
        AssertFails(CliRunner.Run("train", "--optimizer", "rmsprop", "--epochs", "1", "--output", Path.Combine(CliRunner.TempDir(), "m")), "rmsprop");
        AssertFails(CliRunner.Run("train", "--activation", "wiggle", "--epochs", "1", "--output", Path.Combine(CliRunner.TempDir(), "m")), "wiggle");
    }

    [Fact]
    public void DivergingTrainingNamesEpochAndStep()
    {
        var dir = CliRunner.TempDir();
        var result = CliRunner.Run("train", "--optimizer", "sgd", "--lr", "1e30", "--schedule", "none", "--epochs", "2", "--output", Path.Combine(dir, "m"));
        AssertFails(result, "epoch 1", "step ");
        Assert.False(Directory.Exists(Path.Combine(dir, "m")), "a diverged run must not save a model");
    }

    [Fact]
    public void TruncatedIdxFileNamesTheFileAndOffset()
    {
        var dir = CliRunner.TempDir();
        // A valid header claiming 100 images of 28x28, followed by only 10 bytes of pixels.
        var header = new byte[] { 0, 0, 8, 3, 0, 0, 0, 100, 0, 0, 0, 28, 0, 0, 0, 28 };
        File.WriteAllBytes(Path.Combine(dir, "train-images-idx3-ubyte"), [.. header, .. new byte[10]]);
        File.WriteAllBytes(Path.Combine(dir, "train-labels-idx1-ubyte"), [0, 0, 8, 1, 0, 0, 0, 100, .. new byte[100]]);
        var result = CliRunner.Run("train", "--data", dir, "--epochs", "1");
        AssertFails(result, "train-images-idx3-ubyte", "offset");
    }

    [Fact]
    public void CsvWithAWrongFieldCountNamesTheLine()
    {
        var dir = CliRunner.TempDir();
        string csv = Path.Combine(dir, "bad.csv");
        File.WriteAllLines(csv, ["1,2,0", "3,4,1", "5,6", "7,8,1"]);
        AssertFails(CliRunner.Run("train", "--data", csv, "--epochs", "1"), "bad.csv", "line 3");
    }

    [Fact]
    public void EvalOfAMissingOrCorruptModel()
    {
        var dir = CliRunner.TempDir();
        AssertFails(CliRunner.Run("eval", Path.Combine(dir, "nothing")), Path.Combine(dir, "nothing"), "does not exist");
        Directory.CreateDirectory(Path.Combine(dir, "empty"));
        AssertFails(CliRunner.Run("eval", Path.Combine(dir, "empty")), "config.json");
        string model = Path.Combine(dir, "m");
        Directory.CreateDirectory(model);
        File.WriteAllText(Path.Combine(model, "config.json"), "{ \"format\": ");
        AssertFails(CliRunner.Run("eval", model), "config.json", "line");
    }

    [Fact]
    public void PredictWithTheWrongFeatureCount()
    {
        var dir = CliRunner.TempDir();
        string model = Path.Combine(dir, "m");
        Assert.Equal(0, CliRunner.Run("train", "--epochs", "1", "--output", model).ExitCode);
        string input = Path.Combine(dir, "rows.csv");
        File.WriteAllLines(input, ["1,2,3"]);
        AssertFails(CliRunner.Run("predict", model, "--input", input), "rows.csv", "64");
    }

    [Fact]
    public void UnknownCommandOrOptionFails()
    {
        Assert.NotEqual(0, CliRunner.Run("fly").ExitCode);
        Assert.NotEqual(0, CliRunner.Run("train", "--no-such-option").ExitCode);
    }
}
