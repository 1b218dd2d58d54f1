using NeuralSharp.Cli;

namespace NeuralSharp.Cli.Tests;

/// <summary>Runs the CLI in-process and captures what it prints.</summary>
internal static class CliRunner
{
    public sealed record Result(int ExitCode, string Output, string Error)
    {
        public string LastLine => Output.TrimEnd().Split('\n')[^1].TrimEnd('\r');
    }

    public static Result Run(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        int code = CliApp.Run(args, output, error);
        return new Result(code, output.ToString(), error.ToString());
    }

    public static string TempDir()
    {
        var dir = Path.Combine(Path.GetTempPath(), "neuralsharp-cli-tests-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        return dir;
    }
}
