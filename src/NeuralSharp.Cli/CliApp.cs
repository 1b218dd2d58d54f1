using System.CommandLine;
using NeuralSharp.Cli.Commands;

namespace NeuralSharp.Cli;

/// <summary>Builds the command tree and turns every failure into a message and a non-zero exit code.</summary>
internal static class CliApp
{
    /// <summary>Exit code for bad input or a failed run (the message is on stderr).</summary>
    public const int ErrorExitCode = 1;

    public static int Run(string[] args, TextWriter output, TextWriter error)
    {
        var root = new RootCommand("NeuralSharp: train, evaluate, export and run feedforward neural networks on the CPU.")
        {
            TrainCommand.Create(output),
            EvalCommand.Create(output),
            PredictCommand.Create(output),
            ExportCommand.Create(output),
            RunCommand.Create(output),
            InfoCommand.Create(output),
        };
        try
        {
            var parse = root.Parse(args);
            var config = new InvocationConfiguration { Output = output, Error = error, EnableDefaultExceptionHandler = false };
            return parse.Invoke(config);
        }
        catch (Exception ex)
        {
            error.WriteLine($"error: {Describe(ex)}");
            return ErrorExitCode;
        }
    }

    private static string Describe(Exception ex)
    {
        // The library's messages already name the operation, file, offset or row; keep the innermost cause too.
        var message = ex.Message;
        for (var inner = ex.InnerException; inner != null; inner = inner.InnerException)
            if (!message.Contains(inner.Message, StringComparison.Ordinal)) message += " — " + inner.Message;
        return message;
    }
}
