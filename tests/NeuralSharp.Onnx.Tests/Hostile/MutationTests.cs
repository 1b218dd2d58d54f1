using System.Diagnostics;
using Google.Protobuf;
using NeuralSharp.Onnx.Protos;
using Xunit.Abstractions;

namespace NeuralSharp.Onnx.Tests.Hostile;

/// <summary>
/// Seeded mutation tests: thousands of corrupted copies of valid models go through Load (and Run when they load).
/// Each must end in one of OnnxModel's documented exceptions or a result, within a time limit (no hang), allocating
/// no more than a small multiple of the file's size (no "allocate what the header claims").
/// </summary>
public class MutationTests(ITestOutputHelper output)
{
    /// <summary>A mutant that takes longer than this is a hang (generous: the machine is shared).</summary>
    private static readonly TimeSpan Watchdog = TimeSpan.FromSeconds(20);

    /// <summary>Allocation allowed per mutant: a multiple of the bytes the mutant holds plus a constant (parsing, plan, inputs).</summary>
    private static long AllocationBound(long fileBytes) => 64 * fileBytes + (8 << 20);

    /// <summary>Mutants per campaign are multiplied by NEURALSHARP_MUTATION_SCALE (default 1) and the seeds offset by
    /// NEURALSHARP_MUTATION_SEED (default 0), for longer fuzzing runs: e.g. NEURALSHARP_MUTATION_SCALE=50.</summary>
    private static readonly int Scale = int.TryParse(Environment.GetEnvironmentVariable("NEURALSHARP_MUTATION_SCALE"), out int s) && s > 0 ? s : 1;

    private static readonly int SeedOffset = int.TryParse(Environment.GetEnvironmentVariable("NEURALSHARP_MUTATION_SEED"), out int o) ? o : 0;

    private sealed record Mutant(string Description, byte[] Bytes, string? BaseDirectory, long ExternalBytes);

    [Fact]
    public void ByteLevelMutantsFailCleanly()
    {
        var rng = new Random(1234 + SeedOffset);
        var seeds = Seeds().ToList();
        var varints = seeds.Select(s => WireMutator.Varints(s.Bytes)).ToList();
        IEnumerable<Mutant> Mutants()
        {
            for (int i = 0; i < 6000 * Scale; i++)
            {
                int s = rng.Next(seeds.Count);
                var (bytes, what) = WireMutator.Mutate(seeds[s].Bytes, varints[s], rng);
                // Some mutants get a second mutation on top.
                if (rng.Next(4) == 0)
                {
                    var (b2, w2) = WireMutator.Mutate(bytes, WireMutator.Varints(bytes), rng);
                    bytes = b2; what += "; " + w2;
                }
                yield return new Mutant($"#{i} {seeds[s].Description}: {what}", bytes, seeds[s].BaseDirectory, seeds[s].ExternalBytes);
            }
        }
        Campaign(Mutants(), seeds, rng);
    }

    [Fact]
    public void SemanticMutantsFailCleanly()
    {
        var rng = new Random(4321 + SeedOffset);
        var seeds = Seeds().ToList();
        var protos = seeds.Select(s => ModelProto.Parser.ParseFrom(s.Bytes)).ToList();
        IEnumerable<Mutant> Mutants()
        {
            for (int i = 0; i < 4000 * Scale; i++)
            {
                int s = rng.Next(seeds.Count);
                var (model, what) = ModelMutator.Mutate(protos[s], rng);
                yield return new Mutant($"#{i} {seeds[s].Description}: {what}", model.ToByteArray(), seeds[s].BaseDirectory, seeds[s].ExternalBytes);
            }
        }
        Campaign(Mutants(), seeds, rng);
    }

    /// <summary>Corrupted .pb tensor files (ONNX test data's inputs and outputs): TensorProtoFile.Read only throws the documented exceptions.</summary>
    [Fact]
    public void TensorFileMutantsFailCleanly()
    {
        var rng = new Random(2468);
        byte[][] seeds =
        [
            .. new[]
            {
                OnnxTensor.FromArray(new float[] { 1, -2, 3.5f, 0, 5, 6 }, 2, 3), OnnxTensor.FromArray(new long[] { 1, 2, 3 }, 3),
                OnnxTensor.FromArray(new[] { true, false }, 2), OnnxTensor.FromArray(new[] { "a", "bc" }, 2, 1),
                OnnxTensor.FromArray(new double[] { 0.25 }), OnnxTensor.FromArray(new Half[] { Half.One, Half.MaxValue }, 2),
            }.Select(t => Import.TensorProtoConverter.ToProto(t, "t").ToByteArray()),
            new TensorProto { Name = "typed", DataType = (int)OnnxElementType.Float, Dims = { 2, 2 }, FloatData = { 1, 2, 3, 4 } }.ToByteArray(),
            new TensorProto { Name = "i32", DataType = (int)OnnxElementType.Int8, Dims = { 3 }, Int32Data = { -1, 2, 300 } }.ToByteArray(),
        ];
        var varints = seeds.Select(WireMutator.Varints).ToList();
        int refused = 0, read = 0;
        var failures = new List<string>();
        for (int i = 0; i < 3000; i++)
        {
            int s = rng.Next(seeds.Length);
            var (bytes, what) = WireMutator.Mutate(seeds[s], varints[s], rng);
            long before = GC.GetAllocatedBytesForCurrentThread();
            try
            {
                TensorProtoFile.Read(bytes, "input_0.pb");
                read++;
            }
            catch (Exception e) when (e is OnnxFormatException or OnnxUnsupportedException)
            {
                refused++;
                if (!e.Message.Contains("input_0.pb")) failures.Add($"#{i} {what}: message does not name the file: {e.Message}");
            }
            catch (Exception e)
            {
                failures.Add($"#{i} seed {s} {what}: {e}");
            }
            long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
            if (allocated > AllocationBound(bytes.Length)) failures.Add($"#{i} {what}: allocated {allocated} bytes for {bytes.Length}");
        }
        output.WriteLine($"3000 tensor mutants: {read} read, {refused} refused");
        Assert.True(failures.Count == 0, string.Join("\n", failures.Take(10)));
    }

    private void Campaign(IEnumerable<Mutant> mutants, List<Mutant> seeds, Random rng)
    {
        // The seeds themselves must load and run (and warm up static state outside the allocation measurements).
        foreach (var seed in seeds)
        {
            string? failure = HostileHarness.Check(seed.Bytes, seed.BaseDirectory, new Random(1), out var stage);
            Assert.True(failure == null && stage == HostileHarness.Stage.Ran, $"seed {seed.Description}: {failure ?? stage.ToString()}");
        }

        var failures = new List<string>();
        var seen = new HashSet<string>();
        var stages = new Dictionary<HostileHarness.Stage, int>();
        int count = 0;
        double slowest = 0; string slowestWhat = "";
        long maxAllocation = 0; string maxAllocationWhat = "";
        Mutant? current = null;
        long currentStart = 0;
        bool done = false;
        Exception? crash = null;

        var worker = new Thread(() =>
        {
            try
            {
                foreach (var m in mutants)
                {
                    Volatile.Write(ref currentStart, Stopwatch.GetTimestamp());
                    Volatile.Write(ref current, m);
                    long before = GC.GetAllocatedBytesForCurrentThread();
                    string? failure = HostileHarness.Check(m.Bytes, m.BaseDirectory, rng, out var stage);
                    long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
                    double seconds = Stopwatch.GetElapsedTime(currentStart).TotalSeconds;
                    count++;
                    stages[stage] = stages.GetValueOrDefault(stage) + 1;
                    if (seconds > slowest) { slowest = seconds; slowestWhat = m.Description; }
                    if (allocated > maxAllocation) { maxAllocation = allocated; maxAllocationWhat = m.Description; }
                    long bound = AllocationBound(m.Bytes.Length + m.ExternalBytes);
                    if (failure == null && allocated > bound)
                        failure = $"allocated {allocated} bytes for a {m.Bytes.Length}-byte file (bound {bound})";
                    if (failure != null)
                    {
                        // One report per distinct problem (first line and first stack frame).
                        var lines = failure.Split('\n');
                        string key = lines[0].Split(':')[0] + (lines.Length > 1 ? lines[1] : "");
                        if (seen.Add(key) && failures.Count < 25) failures.Add($"{m.Description} ({m.Bytes.Length} bytes): {failure}");
                    }
                }
            }
            catch (Exception e) { crash = e; }
            finally { Volatile.Write(ref done, true); }
        }, 64 << 20) { IsBackground = true, Name = "mutation worker" };

        var total = Stopwatch.StartNew();
        worker.Start();
        while (!Volatile.Read(ref done))
        {
            Thread.Sleep(50);
            var m = Volatile.Read(ref current);
            if (m != null && Stopwatch.GetElapsedTime(Volatile.Read(ref currentStart)) > Watchdog && !Volatile.Read(ref done)
                && ReferenceEquals(m, Volatile.Read(ref current)))
                Assert.Fail($"hang: mutant {m.Description} ({m.Bytes.Length} bytes) still running after {Watchdog.TotalSeconds} s");
        }
        worker.Join();
        if (crash != null) throw crash;

        output.WriteLine($"{count} mutants in {total.Elapsed.TotalSeconds:F1} s: {string.Join(", ", stages.Select(p => $"{p.Key} {p.Value}"))}");
        output.WriteLine($"slowest {slowest * 1000:F1} ms ({slowestWhat}); most allocated {maxAllocation} bytes ({maxAllocationWhat})");
        foreach (var f in failures) output.WriteLine("FAILED " + f);
        Assert.True(failures.Count == 0, $"{failures.Count} distinct contract violations, first: {failures.FirstOrDefault()}");
    }

    /// <summary>The seed files: in-memory models, ONNX test data when installed, and a model with external data.</summary>
    private static IEnumerable<Mutant> Seeds()
    {
        foreach (var s in SeedModels.InMemory().Concat(SeedModels.FromTestData()))
            yield return new Mutant(s.Name, s.Model.ToByteArray(), null, 0);
        yield return ExternalSeed();
    }

    /// <summary>A Gemm whose weight lives in weights.bin next to the model (a fresh temporary folder).</summary>
    private static Mutant ExternalSeed()
    {
        string dir = Path.Combine(Path.GetTempPath(), $"neuralsharp-hostile-{Environment.ProcessId}");
        Directory.CreateDirectory(dir);
        var weights = new float[12];
        for (int i = 0; i < weights.Length; i++) weights[i] = i * 0.25f - 1f;
        var raw = new byte[4 + weights.Length * 4];
        Buffer.BlockCopy(weights, 0, raw, 4, weights.Length * 4);
        File.WriteAllBytes(Path.Combine(dir, "weights.bin"), raw);
        var model = OnnxTestModels.Model([OnnxTestModels.Node("Gemm", ["x", "w"], ["y"], OnnxTestModels.Attr("transB", 1L))],
            [OnnxTestModels.Input("x", OnnxElementType.Float, -1, 4)], [OnnxTestModels.Output("y")]);
        var w = new TensorProto { Name = "w", DataType = (int)OnnxElementType.Float, Dims = { 3, 4 }, DataLocation = TensorProto.Types.DataLocation.External };
        w.ExternalData.Add(new StringStringEntryProto { Key = "location", Value = "weights.bin" });
        w.ExternalData.Add(new StringStringEntryProto { Key = "offset", Value = "4" });
        w.ExternalData.Add(new StringStringEntryProto { Key = "length", Value = "48" });
        model.Graph.Initializer.Add(w);
        return new Mutant("external", model.ToByteArray(), dir, raw.Length);
    }
}
