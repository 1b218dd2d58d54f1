namespace NeuralSharp.Cli;

/// <summary>The entry point of the <c>neuralsharp</c> tool.</summary>
public static class Program
{
    /// <summary>Runs the command line and returns the process exit code.</summary>
    public static int Main(string[] args) => CliApp.Run(args, Console.Out, Console.Error);
}
