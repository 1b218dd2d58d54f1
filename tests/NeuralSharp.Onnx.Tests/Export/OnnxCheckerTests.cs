using System.Diagnostics;
using NeuralSharp.Onnx.Export;
using Xunit.Abstractions;

namespace NeuralSharp.Onnx.Tests.Export;

/// <summary>
/// ONNX's own checker (Debian's python3-onnx, <c>onnx.checker.check_model(full_check=True)</c>: structure, operator
/// schemas, and strict shape inference against the declared output shape) accepts every exported layer type at every
/// opset the exporter writes.
/// </summary>
public class OnnxCheckerTests(ITestOutputHelper output)
{
    private const string Python = "/usr/bin/python3";

    private const string Script =
        "import sys, onnx\n" +
        "bad = 0\n" +
        "for p in sys.argv[1:]:\n" +
        "    try:\n" +
        "        onnx.checker.check_model(onnx.load(p), full_check=True)\n" +
        "    except Exception as e:\n" +
        "        bad += 1\n" +
        "        print('FAILED', p, str(e).replace(chr(10), ' '))\n" +
        "print('checked', len(sys.argv) - 1, 'failed', bad)\n" +
        "sys.exit(1 if bad else 0)\n";

    /// <summary>True when python3 with the onnx module is installed; otherwise prints why the test does nothing.</summary>
    internal static bool HasOnnxPython(ITestOutputHelper output)
    {
        if (File.Exists(Python) && Run("-c \"import onnx\"", out _) == 0) return true;
        output.WriteLine($"SKIPPED: {Python} with the onnx module is not installed (apt-get install python3-onnx); onnx.checker was not run.");
        return false;
    }

    private static int Run(string arguments, out string text, IEnumerable<string>? args = null)
    {
        var info = new ProcessStartInfo(Python) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        if (args == null) info.Arguments = arguments;
        else
        {
            info.ArgumentList.Add("-c");
            info.ArgumentList.Add(arguments);
            foreach (var a in args) info.ArgumentList.Add(a);
        }
        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        string stderr = process.StandardError.ReadToEnd();
        process.WaitForExit();
        text = stdout.Result + stderr;
        return process.ExitCode;
    }

    /// <summary>Runs onnx.checker (full_check) over <paramref name="files"/>; asserts all pass, printing failures.</summary>
    internal static void Check(IReadOnlyList<string> files, ITestOutputHelper output)
    {
        int code = Run(Script, out string text, files);
        output.WriteLine(text);
        Assert.True(code == 0, text);
        Assert.Contains($"checked {files.Count} failed 0", text);
    }

    [Fact]
    public void CheckerAcceptsEveryExportableLayerAtEveryOpset()
    {
        if (!HasOnnxPython(output)) return;
        var dir = Path.Combine(Path.GetTempPath(), "ns-onnx-check-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        try
        {
            var files = new List<string>();
            int n = 0;
            foreach (var c in ExportModels.All())
                for (int opset = OnnxExportOptions.MinOpset; opset <= OnnxExportOptions.MaxOpset; opset++)
                {
                    string path = Path.Combine(dir, $"{n++:D3}_{string.Concat(c.Name.Where(char.IsLetterOrDigit))}_opset{opset}.onnx");
                    OnnxExporter.Save(c.Create(), path, new OnnxExportOptions { InputShape = c.InputShape, Opset = opset });
                    files.Add(path);
                }
            // A saved model with folded preprocessing too.
            string folded = Path.Combine(dir, "folded.onnx");
            OnnxExporter.Save(ExportModels.All().First().Create(), folded,
                new OnnxExportOptions { Preprocessor = new NeuralSharp.Data.Standardizer([0f, 1f, 2f, 3f, 4f, 5f], [1f, 2f, 3f, 4f, 5f, 6f]) });
            files.Add(folded);
            Check(files, output);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
