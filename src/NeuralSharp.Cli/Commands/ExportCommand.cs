using System.CommandLine;
using NeuralSharp.Data;
using NeuralSharp.Onnx.Export;
using NeuralSharp.Serialization;

namespace NeuralSharp.Cli.Commands;

/// <summary><c>neuralsharp export MODEL --format onnx|safetensors --output FILE [--opset N]</c>: writes a saved model for other tools.</summary>
internal static class ExportCommand
{
    public static Command Create(TextWriter output)
    {
        var model = new Argument<string>("model") { Description = "A folder written by 'neuralsharp train' (or its config.json)." };
        var format = new Option<string>("--format", "-f") { Description = "onnx (the whole model, preprocessing folded in) or safetensors (the weights only).", DefaultValueFactory = _ => "onnx" };
        var outputPath = new Option<string>("--output", "-o") { Description = "The file to write (.onnx or .safetensors).", Required = true };
        var opset = new Option<int>("--opset") { Description = $"ONNX opset version, {OnnxExportOptions.MinOpset} to {OnnxExportOptions.MaxOpset}.", DefaultValueFactory = _ => OnnxExportOptions.MaxOpset };
        var inputName = new Option<string>("--input-name") { Description = "Name of the ONNX graph input.", DefaultValueFactory = _ => "input" };
        var outputName = new Option<string>("--output-name") { Description = "Name of the ONNX graph output.", DefaultValueFactory = _ => "output" };
        var command = new Command("export",
            "Export a saved model: ONNX (opset 13-17, dynamic batch, weights named by their state-dict keys, input preprocessing folded into the graph " +
            "so it takes raw features) or safetensors (the state dict, as torch's load_state_dict expects it).")
        {
            model, format, outputPath, opset, inputName, outputName,
        };
        command.SetAction(parse =>
        {
            string fmt = parse.GetValue(format)!.ToLowerInvariant();
            if (fmt is not ("onnx" or "safetensors")) throw new ArgumentException($"--format: expected onnx or safetensors, got '{fmt}'.");
            var saved = SavedModel.Load(parse.GetValue(model)!);
            string path = parse.GetValue(outputPath)!;
            if (fmt == "onnx")
            {
                int version = parse.GetValue(opset);
                if (version is < OnnxExportOptions.MinOpset or > OnnxExportOptions.MaxOpset)
                    throw new ArgumentException($"--opset: expected {OnnxExportOptions.MinOpset} to {OnnxExportOptions.MaxOpset}, got {version}.");
                OnnxExporter.Save(saved, path, new OnnxExportOptions { Opset = version, InputName = parse.GetValue(inputName)!, OutputName = parse.GetValue(outputName)! });
                output.WriteLine($"wrote {Path.GetFullPath(path)}: ONNX opset {version}, input '{parse.GetValue(inputName)}' [batch, {string.Join(", ", saved.InputShape)}], " +
                    $"output '{parse.GetValue(outputName)}' [batch, {saved.ClassCount}] (logits), {saved.Model.ParameterCount():N0} parameters");
                output.WriteLine(saved.Preprocessor == null
                    ? "preprocessing: none (the graph takes the features as they are)"
                    : $"preprocessing: {Describe(saved.Preprocessor)} folded into the graph (Sub, Div at the input): feed raw features");
            }
            else
            {
                var metadata = new Dictionary<string, string> { ["format"] = "pt", ["producer"] = "NeuralSharp" };
                if (saved.Preprocessor != null) metadata["preprocessor"] = saved.Preprocessor.ToJson().ToJsonString();
                SafeTensors.Save(path, saved.Model.StateDict(), metadata);
                output.WriteLine($"wrote {Path.GetFullPath(path)}: {saved.Model.StateDict().Count} tensors, {saved.Model.ParameterCount():N0} parameters");
                if (saved.Preprocessor != null)
                    output.WriteLine($"preprocessing: NOT applied by these weights; apply {Describe(saved.Preprocessor)} to the features first " +
                        "(its values are in the file's metadata under \"preprocessor\")");
            }
            return 0;
        });
        return command;
    }

    private static string Describe(IPreprocessor p) => p switch
    {
        Standardizer => "Standardizer ((x - mean) / std)",
        MinMaxScaler => "MinMaxScaler ((x - min) / (max - min))",
        _ => p.GetType().Name,
    };
}
