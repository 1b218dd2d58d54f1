using System.Diagnostics;
using NeuralSharp.Serialization;

namespace NeuralSharp.Tests.Serialization;

using static SafeTensorsTestFiles;

/// <summary>
/// Seeded mutations of a valid file either load or throw <see cref="SafeTensorsFormatException"/>: no other exception,
/// no hang, and no allocation beyond a small multiple of the file's size plus a constant (the reader's pooled chunk).
/// </summary>
public sealed class SafeTensorsFuzzTests
{
    private const int Iterations = 3000;
    private static readonly byte[] JsonBytes = "{}[]\",:0123456789-.eE \\u_"u8.ToArray();

    private static byte[] ValidFile()
    {
        string header =
            "{\"__metadata__\":{\"format\":\"pt\",\"k\":\"v\"}," +
            "\"w\":{\"dtype\":\"F32\",\"shape\":[2,3],\"data_offsets\":[0,24]}," +
            "\"i\":{\"dtype\":\"I64\",\"shape\":[1],\"data_offsets\":[24,32]}," +
            "\"h\":{\"dtype\":\"BF16\",\"shape\":[2],\"data_offsets\":[32,36]}," +
            "\"e\":{\"dtype\":\"F16\",\"shape\":[0,4],\"data_offsets\":[36,36]}," +
            "\"s\":{\"dtype\":\"U8\",\"shape\":[],\"data_offsets\":[36,37]}}";
        var data = new byte[37];
        new Random(7).NextBytes(data);
        return Build(header, data);
    }

    [Fact(Timeout = 120_000)]
    public async Task RandomMutationsLoadOrThrowFormatException()
    {
        await Task.Run(() =>
        {
            byte[] valid = ValidFile();
            using (var file = LoadBytes(valid)) Assert.Equal(5, file.Count);
            int headerEnd = 8 + HeaderLength(valid);
            var random = new Random(1234);
            int loaded = 0, rejected = 0;
            var clock = Stopwatch.StartNew();
            for (int iteration = 0; iteration < Iterations; iteration++)
            {
                byte[] mutated = Mutate(valid, headerEnd, random, out string description);
                long before = GC.GetAllocatedBytesForCurrentThread();
                bool ok = false;
                try
                {
                    using var file = SafeTensors.Load(new MemoryStream(mutated, writable: false), "fuzz.safetensors");
                    foreach (string name in file.Names) _ = file[name].Data.Length;
                    loaded++;
                    ok = true;
                }
                catch (SafeTensorsFormatException e)
                {
                    Assert.Contains("fuzz.safetensors", e.Message);
                    Assert.InRange(e.ByteOffset, 0, mutated.Length);
                    rejected++;
                }
                catch (Exception e)
                {
                    Assert.Fail($"iteration {iteration} ({description}): {e.GetType().Name}: {e.Message}\n{e.StackTrace}");
                }
                // Header bytes and tensors are bounded by the file's length (checked before allocating); the
                // constant covers the 1 MiB conversion chunk the ArrayPool may create on first use.
                long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
                // The raw-bytes reader validates the same way: it accepts exactly the same files.
                bool arraysOk;
                try
                {
                    arraysOk = SafeTensors.LoadArrays(new MemoryStream(mutated, writable: false), "fuzz.safetensors").Count >= 0;
                }
                catch (SafeTensorsFormatException)
                {
                    arraysOk = false;
                }
                Assert.True(ok == arraysOk, $"iteration {iteration} ({description}): Load {(ok ? "accepted" : "rejected")} the file but LoadArrays did not.");
                long bound = 16L * mutated.Length + (3 << 19);
                Assert.True(allocated <= bound, $"iteration {iteration} ({description}): allocated {allocated} bytes for a {mutated.Length}-byte file (bound {bound}).");
            }
            Assert.Equal(Iterations, loaded + rejected);
            Assert.True(rejected > Iterations / 2, $"only {rejected} of {Iterations} mutations were rejected");
            Assert.True(loaded > 50, $"only {loaded} of {Iterations} mutations loaded");
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(60), $"fuzzing took {clock.Elapsed}");
        });
    }

    private static byte[] Mutate(byte[] valid, int headerEnd, Random random, out string description)
    {
        var bytes = new List<byte>(valid);
        int kind = random.Next(10);
        switch (kind)
        {
            case 0 or 1 or 2: // random bytes inside the prefix or header
            {
                int count = random.Next(1, 4);
                for (int k = 0; k < count; k++) bytes[random.Next(headerEnd)] = (byte)random.Next(256);
                description = $"{count} random header bytes";
                break;
            }
            case 3: // a JSON-significant character inside the header
            {
                int at = random.Next(8, headerEnd);
                bytes[at] = JsonBytes[random.Next(JsonBytes.Length)];
                description = $"JSON character at {at}";
                break;
            }
            case 4 or 5 or 6: // truncation, insertion, deletion
                description = ByteMutations.Resize(bytes, random);
                break;
            case 7: // header length off by a little, or arbitrary
            {
                ulong length = random.Next(4) == 0 ? (ulong)random.NextInt64() * 2 : (ulong)Math.Max(0, headerEnd - 8 + random.Next(-16, 17));
                for (int k = 0; k < 8; k++) bytes[k] = (byte)(length >> (8 * k));
                description = $"header length {length}";
                break;
            }
            default: // any byte, data included
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
