using System.CommandLine;
using NeuralSharp.Onnx;

namespace NeuralSharp.Cli.Commands;

/// <summary><c>neuralsharp run MODEL.onnx --input FILE... --output-dir DIR</c>: runs an ONNX model on tensors from files.</summary>
internal static class RunCommand
{
    public static Command Create(TextWriter output)
    {
        var model = new Argument<string>("model") { Description = "An .onnx file." };
        var inputs = new Option<string[]>("--input", "-i")
        {
            Description = "One file per graph input, in the graph's input order: a NumPy .npy file or an ONNX TensorProto .pb file. " +
                "float64 .npy data is converted to float32 where the input is float32.",
            Required = true, AllowMultipleArgumentsPerToken = false, Arity = ArgumentArity.OneOrMore,
        };
        var outputDir = new Option<string>("--output-dir", "-o") { Description = "Folder for the outputs: one <output name>.npy per graph output.", Required = true };
        var command = new Command("run", "Run an ONNX model on input tensors (.npy or .pb) and write each output as DIR/<output name>.npy.")
        {
            model, inputs, outputDir,
        };
        command.SetAction(parse =>
        {
            string modelPath = parse.GetValue(model)!;
            var onnx = OnnxModel.Load(modelPath);
            var files = parse.GetValue(inputs)!;
            if (files.Length != onnx.Inputs.Count)
                throw new ArgumentException($"{modelPath} has {onnx.Inputs.Count} input(s) ({string.Join(", ", onnx.Inputs)}); {files.Length} --input file(s) were given, one per input in that order.");
            var tensors = new OnnxTensor[files.Length];
            for (int i = 0; i < files.Length; i++)
            {
                tensors[i] = ReadTensor(files[i]);
                if (tensors[i].ElementType == OnnxElementType.Double && onnx.Inputs[i].ElementType == OnnxElementType.Float)
                {
                    tensors[i] = ToFloat(tensors[i]);
                    output.WriteLine($"note: {files[i]}: float64 converted to float32 for input '{onnx.Inputs[i].Name}'");
                }
                output.WriteLine($"input {onnx.Inputs[i].Name}: {tensors[i]} from {files[i]}");
            }
            var results = onnx.Run(tensors);
            string dir = parse.GetValue(outputDir)!;
            Directory.CreateDirectory(dir);
            for (int o = 0; o < results.Length; o++)
            {
                string path = Path.Combine(dir, FileName(onnx.Outputs[o].Name) + ".npy");
                OnnxNpy.Write(path, results[o]);
                output.WriteLine($"output {onnx.Outputs[o].Name}: {results[o]} -> {path}");
            }
            return 0;
        });
        return command;
    }

    /// <summary>Reads a .npy (by its magic string) or a TensorProto .pb file.</summary>
    internal static OnnxTensor ReadTensor(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"Input file '{path}' does not exist.", path);
        return IsNpy(path) ? OnnxNpy.Read(path) : TensorProtoFile.Read(path);
    }

    /// <summary>True when the file starts with NumPy's magic string "\x93NUMPY".</summary>
    private static bool IsNpy(string path)
    {
        using var stream = File.OpenRead(path);
        Span<byte> head = stackalloc byte[6];
        ReadOnlySpan<byte> magic = [0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y'];
        return stream.Read(head) == head.Length && head.SequenceEqual(magic);
    }

    private static OnnxTensor ToFloat(OnnxTensor t)
    {
        var source = t.AsSpan<double>();
        var data = new float[source.Length];
        for (int i = 0; i < data.Length; i++) data[i] = (float)source[i];
        return OnnxTensor.FromArray(data, t.ShapeArray);
    }

    /// <summary>An output name as a file name: characters not allowed in file names (and '/', ':') become '_'.</summary>
    internal static string FileName(string name)
    {
        var invalid = Path.GetInvalidFileNameChars().Concat(['/', '\\', ':']).ToHashSet();
        var chars = name.Select(c => invalid.Contains(c) ? '_' : c).ToArray();
        string s = new(chars);
        return s.Length == 0 || s == "." || s == ".." ? "_" + s : s;
    }
}
