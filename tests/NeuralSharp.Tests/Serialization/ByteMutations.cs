namespace NeuralSharp.Tests.Serialization;

/// <summary>Format-independent corruptions shared by the file-format fuzz tests.</summary>
internal static class ByteMutations
{
    /// <summary>Truncates, inserts 1-4 random bytes into, or deletes 1-4 bytes from <paramref name="bytes"/>; returns what it did.</summary>
    public static string Resize(List<byte> bytes, Random random)
    {
        switch (random.Next(3))
        {
            case 0:
            {
                int length = random.Next(bytes.Count);
                bytes.RemoveRange(length, bytes.Count - length);
                return $"truncated to {length}";
            }
            case 1:
            {
                int at = random.Next(bytes.Count + 1);
                var extra = new byte[random.Next(1, 5)];
                random.NextBytes(extra);
                bytes.InsertRange(at, extra);
                return $"{extra.Length} bytes inserted at {at}";
            }
            default:
            {
                int at = random.Next(bytes.Count);
                int count = Math.Min(random.Next(1, 5), bytes.Count - at);
                bytes.RemoveRange(at, count);
                return $"{count} bytes deleted at {at}";
            }
        }
    }
}
