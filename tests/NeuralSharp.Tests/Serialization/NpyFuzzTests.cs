using System.Diagnostics;
using NeuralSharp.Serialization;
using NeuralSharp.Tests.Fixtures;

namespace NeuralSharp.Tests.Serialization;

/// <summary>
/// Seeded mutations of valid .npy and .npz files (bit flips, byte overwrites, truncations, insertions, deletions,
/// header-length and zip size edits) either load or throw <see cref="NpyFormatException"/>: no other exception,
/// no hang, and no allocation beyond a small multiple of the file's size plus a constant.
/// </summary>
public sealed class NpyFuzzTests
{
    private const int Iterations = 3000;
    private static readonly byte[] HeaderBytes = "{}()[]'\",: 0123456789-TrueFalsL<>|fiub\n"u8.ToArray();

    private static byte[] Golden(string name) => File.ReadAllBytes(Path.Combine(Fixture.DataPath, "npy", name));

    [Fact(Timeout = 120_000)]
    public async Task NpyMutationsLoadOrThrowNpyFormatException() => await Task.Run(() =>
    {
        byte[][] seeds =
        [
            Golden("f4_fortran.npy"), Golden("be_i2.npy"), Golden("f4_v3.npy"), Golden("f8_scalar.npy"), Golden("b1.npy"),
            NpyTests.Build("{'descr': '<u2', 'fortran_order': True, 'shape': (2, 3, 1), }\n", new byte[12]),
        ];
        Run(seeds, (bytes, name) => Npy.Read(new MemoryStream(bytes, writable: false), name).Count, headerEnd: bytes => Math.Min(bytes.Length, 128));
    });

    [Fact(Timeout = 120_000)]
    public async Task NpzMutationsLoadOrThrowNpyFormatException() => await Task.Run(() =>
    {
        byte[][] seeds = [Golden("stored.npz"), Golden("deflated.npz")];
        Run(seeds, (bytes, name) => Npz.Read(new MemoryStream(bytes, writable: false), name).Values.Sum(a => a.Count), headerEnd: bytes => bytes.Length);
    });

    private static void Run(byte[][] seeds, Func<byte[], string, int> load, Func<byte[], int> headerEnd)
    {
        foreach (var seed in seeds) load(seed, "seed"); // the seeds themselves are valid
        var random = new Random(1234);
        int loaded = 0, rejected = 0;
        long worstRatio = 0;
        var clock = Stopwatch.StartNew();
        for (int iteration = 0; iteration < Iterations; iteration++)
        {
            byte[] valid = seeds[iteration % seeds.Length];
            byte[] mutated = Mutate(valid, headerEnd(valid), random, out string description);
            long before = GC.GetAllocatedBytesForCurrentThread();
            try
            {
                load(mutated, "fuzz.npy");
                loaded++;
            }
            catch (NpyFormatException e)
            {
                Assert.Contains("fuzz.npy", e.Message);
                if (e.ByteOffset is long offset) Assert.InRange(offset, 0, Math.Max(mutated.Length, 1L << 20));
                rejected++;
            }
            catch (Exception e)
            {
                Assert.Fail($"iteration {iteration} ({description}): {e.GetType().Name}: {e.Message}\n{e.StackTrace}");
            }
            long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
            // The reader never allocates more than the data present (plus its 64 KiB first chunk for zip members,
            // and the zip reader's own buffers).
            long bound = 8L * mutated.Length + (1 << 19);
            Assert.True(allocated <= bound, $"iteration {iteration} ({description}): allocated {allocated} bytes for a {mutated.Length}-byte file (bound {bound}).");
            worstRatio = Math.Max(worstRatio, allocated);
        }
        Assert.Equal(Iterations, loaded + rejected);
        Assert.True(rejected > Iterations / 3, $"only {rejected} of {Iterations} mutations were rejected");
        Assert.True(loaded > 30, $"only {loaded} of {Iterations} mutations loaded");
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(60), $"fuzzing took {clock.Elapsed}");
    }

    /// <summary>One random corruption of <paramref name="valid"/>; <paramref name="headerEnd"/> bounds the header-targeted kinds.</summary>
    internal static byte[] Mutate(byte[] valid, int headerEnd, Random random, out string description)
    {
        var bytes = new List<byte>(valid);
        switch (random.Next(10))
        {
            case 0: // bit flips
            {
                int count = random.Next(1, 4);
                for (int k = 0; k < count; k++)
                {
                    int at = random.Next(bytes.Count);
                    bytes[at] ^= (byte)(1 << random.Next(8));
                }
                description = $"{count} bit flips";
                break;
            }
            case 1 or 2: // random bytes in the header region
            {
                int count = random.Next(1, 4);
                for (int k = 0; k < count; k++) bytes[random.Next(headerEnd)] = (byte)random.Next(256);
                description = $"{count} random header bytes";
                break;
            }
            case 3: // a header-significant character
            {
                int at = random.Next(headerEnd);
                bytes[at] = HeaderBytes[random.Next(HeaderBytes.Length)];
                description = $"header character at {at}";
                break;
            }
            case 4 or 5 or 6: // truncation, insertion, deletion
                description = ByteMutations.Resize(bytes, random);
                break;
            case 7: // a length field: the .npy header length, or any 2/4-byte little-endian field (zip sizes)
            {
                int at = valid[0] == 0x93 ? 8 : random.Next(Math.Max(1, bytes.Count - 4));
                uint value = random.Next(3) switch
                {
                    0 => (uint)random.Next(),
                    1 => uint.MaxValue - (uint)random.Next(16),
                    _ => (uint)Math.Max(0, bytes[at] + random.Next(-16, 17)),
                };
                int width = random.Next(2) == 0 ? 2 : 4;
                for (int k = 0; k < width && at + k < bytes.Count; k++) bytes[at + k] = (byte)(value >> (8 * k));
                description = $"{width}-byte field at {at} set to {value}";
                break;
            }
            default: // any byte
            {
                int at = random.Next(bytes.Count);
                bytes[at] = (byte)random.Next(256);
                description = $"byte {at}";
                break;
            }
        }
        return bytes.ToArray();
    }
}
