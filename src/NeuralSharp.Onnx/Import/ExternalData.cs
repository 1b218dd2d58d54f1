using NeuralSharp.Onnx.Protos;

namespace NeuralSharp.Onnx.Import;

/// <summary>
/// Reads a tensor's external data (ONNX's <c>external_data</c> entries <c>location</c>, <c>offset</c>,
/// <c>length</c>): a file next to the model, named by a relative path that must stay inside the model's folder.
/// </summary>
internal static class ExternalData
{
    public static byte[] Read(TensorProto proto, long expectedBytes, string where, string name, string? baseDirectory)
    {
        string? location = null;
        long offset = 0, length = -1;
        foreach (var entry in proto.ExternalData)
        {
            switch (entry.Key)
            {
                case "location": location = entry.Value; break;
                case "offset": offset = ParseNonNegative(entry.Value, "offset", where, name); break;
                case "length": length = ParseNonNegative(entry.Value, "length", where, name); break;
                case "checksum": break;
                default: throw new OnnxFormatException($"{where}: {name} has unknown external_data key '{entry.Key}'");
            }
        }
        if (string.IsNullOrEmpty(location))
            throw new OnnxFormatException($"{where}: {name} has external data without a location");
        if (baseDirectory == null)
            throw new OnnxFormatException($"{where}: {name} has external data ('{location}') but the model was not loaded from a file");
        string path = Resolve(baseDirectory, location, where, name);
        if (length >= 0 && length != expectedBytes)
            throw new OnnxFormatException($"{where}: {name} declares {length} bytes of external data in '{location}', its shape and type need {expectedBytes}");

        try
        {
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read);
            // Checked against the file's real size before allocating: a header cannot make us allocate more than the file holds.
            if (offset > stream.Length || expectedBytes > stream.Length - offset)
                throw new OnnxFormatException(
                    $"{where}: {name} needs {expectedBytes} bytes at offset {offset} of '{location}', which has {stream.Length} bytes");
            var bytes = new byte[expectedBytes];
            stream.Position = offset;
            stream.ReadExactly(bytes);
            return bytes;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException && e is not OnnxFormatException)
        {
            throw new OnnxFormatException($"{where}: {name}: cannot read external data '{location}': {e.Message}", e);
        }
    }

    private static string Resolve(string baseDirectory, string location, string where, string name)
    {
        if (location.Contains('\0'))
            throw new OnnxFormatException($"{where}: {name} has an external data location with a NUL character");
        if (Path.IsPathRooted(location) || location.StartsWith('\\') || location.Split('/', '\\').Contains(".."))
            throw new OnnxFormatException($"{where}: {name} has external data location '{location}' outside the model's folder");
        string root = Path.GetFullPath(baseDirectory);
        if (!Path.EndsInDirectorySeparator(root)) root += Path.DirectorySeparatorChar;
        string path = Path.GetFullPath(Path.Combine(root, location));
        if (!path.StartsWith(root, StringComparison.Ordinal) || !File.Exists(path))
            throw new OnnxFormatException($"{where}: {name} has external data in '{location}', which does not exist next to the model");
        if (LeavesThroughLink(root, path))
            throw new OnnxFormatException($"{where}: {name} has external data location '{location}' that a symbolic link leads outside the model's folder");
        return path;
    }

    /// <summary>True when a symbolic link on the way from <paramref name="root"/> to <paramref name="path"/> points outside <paramref name="root"/>.</summary>
    private static bool LeavesThroughLink(string root, string path)
    {
        string current = root;
        foreach (var part in path[root.Length..].Split(Path.DirectorySeparatorChar, StringSplitOptions.RemoveEmptyEntries))
        {
            current = Path.Combine(current, part);
            FileSystemInfo entry = Directory.Exists(current) ? new DirectoryInfo(current) : new FileInfo(current);
            if (entry.LinkTarget == null) continue;
            var target = entry.ResolveLinkTarget(returnFinalTarget: true);
            if (target == null || !Path.GetFullPath(target.FullName).StartsWith(root, StringComparison.Ordinal)) return true;
        }
        return false;
    }

    private static long ParseNonNegative(string text, string key, string where, string name) =>
        long.TryParse(text, out long v) && v >= 0
            ? v
            : throw new OnnxFormatException($"{where}: {name} has external_data {key} '{text}', not a non-negative integer");
}
