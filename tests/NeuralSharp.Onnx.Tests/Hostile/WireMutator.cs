namespace NeuralSharp.Onnx.Tests.Hostile;

/// <summary>
/// Seeded byte-level corruption of serialized protobuf messages: blind mutations (bit flips, byte overwrites,
/// truncation, insertion, deletion, duplicated ranges) and wire-format-aware ones that rewrite a varint or a
/// length prefix found by walking the message (recursively into length-delimited fields that parse as messages),
/// so that mutants get past the protobuf parser and reach the loader's own checks.
/// </summary>
internal static class WireMutator
{
    /// <summary>A varint (a field value or a length prefix) at [Start, End) in the message.</summary>
    public readonly record struct Varint(int Start, int End, ulong Value, bool IsLength);

    private static readonly ulong[] Interesting =
    [
        0, 1, 2, 3, 7, 0x7F, 0x80, 0xFF, 0x100, 0x7FFF, 0xFFFF, 0x10000, 1 << 20, 1 << 30,
        int.MaxValue, (ulong)int.MaxValue + 1, uint.MaxValue, (ulong)uint.MaxValue + 1, long.MaxValue,
        (ulong)long.MaxValue + 1, ulong.MaxValue, ulong.MaxValue - 1, unchecked((ulong)-2L), unchecked((ulong)-100L),
    ];

    /// <summary>One mutant of <paramref name="source"/> and a short description of the mutation.</summary>
    public static (byte[] Bytes, string What) Mutate(byte[] source, IReadOnlyList<Varint> varints, Random rng)
    {
        int kind = rng.Next(10);
        if (source.Length == 0) return ([(byte)rng.Next(256)], "one random byte");
        switch (kind)
        {
            case 0:
            {
                var b = (byte[])source.Clone();
                int flips = 1 + rng.Next(4);
                for (int i = 0; i < flips; i++) b[rng.Next(b.Length)] ^= (byte)(1 << rng.Next(8));
                return (b, $"{flips} bit flips");
            }
            case 1:
            {
                var b = (byte[])source.Clone();
                int count = 1 + rng.Next(4);
                byte[] special = [0x00, 0xFF, 0x80, 0x7F, 0x01, 0x08, 0x0A, 0x12];
                for (int i = 0; i < count; i++)
                    b[rng.Next(b.Length)] = rng.Next(2) == 0 ? special[rng.Next(special.Length)] : (byte)rng.Next(256);
                return (b, $"{count} byte overwrites");
            }
            case 2:
            {
                int length = rng.Next(source.Length);
                return (source[..length], $"truncated to {length} bytes");
            }
            case 3:
            {
                int at = rng.Next(source.Length + 1), count = 1 + rng.Next(16);
                var extra = new byte[count];
                rng.NextBytes(extra);
                return ([.. source[..at], .. extra, .. source[at..]], $"{count} random bytes inserted at {at}");
            }
            case 4:
            {
                int start = rng.Next(source.Length), length = 1 + rng.Next(Math.Min(64, source.Length - start));
                return ([.. source[..start], .. source[(start + length)..]], $"bytes {start}..{start + length} deleted");
            }
            case 5:
            {
                int start = rng.Next(source.Length), length = 1 + rng.Next(Math.Min(256, source.Length - start));
                int at = rng.Next(source.Length + 1);
                return ([.. source[..at], .. source.AsSpan(start, length), .. source[at..]], $"bytes {start}..{start + length} duplicated at {at}");
            }
            default:
            {
                if (varints.Count == 0) goto case 0;
                var v = varints[rng.Next(varints.Count)];
                ulong value = rng.Next(3) switch
                {
                    0 => Interesting[rng.Next(Interesting.Length)],
                    1 => v.Value + (ulong)rng.Next(1, 9),
                    _ => v.Value - (ulong)rng.Next(1, 9),
                };
                byte[] encoded = Encode(value);
                return ([.. source[..v.Start], .. encoded, .. source[v.End..]],
                    $"{(v.IsLength ? "length" : "varint")} {v.Value} at {v.Start} set to {value}");
            }
        }
    }

    /// <summary>The varints (values and length prefixes) of <paramref name="message"/> and of the sub-messages that parse cleanly.</summary>
    public static List<Varint> Varints(byte[] message)
    {
        var found = new List<Varint>();
        Walk(message, 0, message.Length, found, depth: 0);
        return found;
    }

    private static bool Walk(byte[] b, int start, int end, List<Varint> found, int depth)
    {
        if (depth > 20) return false;
        int mark = found.Count;
        int p = start;
        while (p < end)
        {
            if (!TryRead(b, ref p, end, out ulong tag) || tag >> 3 == 0) { found.RemoveRange(mark, found.Count - mark); return false; }
            switch ((int)(tag & 7))
            {
                case 0:
                {
                    int s = p;
                    if (!TryRead(b, ref p, end, out ulong v)) { found.RemoveRange(mark, found.Count - mark); return false; }
                    found.Add(new Varint(s, p, v, false));
                    break;
                }
                case 1: p += 8; break;
                case 5: p += 4; break;
                case 2:
                {
                    int s = p;
                    if (!TryRead(b, ref p, end, out ulong length) || length > (ulong)(end - p)) { found.RemoveRange(mark, found.Count - mark); return false; }
                    found.Add(new Varint(s, p, length, true));
                    Walk(b, p, p + (int)length, found, depth + 1);
                    p += (int)length;
                    break;
                }
                default: found.RemoveRange(mark, found.Count - mark); return false;
            }
        }
        if (p != end) { found.RemoveRange(mark, found.Count - mark); return false; }
        return true;
    }

    private static bool TryRead(byte[] b, ref int p, int end, out ulong value)
    {
        value = 0;
        for (int shift = 0; shift < 64 && p < end; shift += 7)
        {
            byte x = b[p++];
            value |= (ulong)(x & 0x7F) << shift;
            if (x < 0x80) return true;
        }
        return false;
    }

    private static byte[] Encode(ulong value)
    {
        var bytes = new List<byte>();
        do
        {
            byte x = (byte)(value & 0x7F);
            value >>= 7;
            bytes.Add(value != 0 ? (byte)(x | 0x80) : x);
        } while (value != 0);
        return bytes.ToArray();
    }
}
