using Xunit.Abstractions;

namespace NeuralSharp.Onnx.Tests.Conformance;

/// <summary>ONNX's backend conformance data, one test per case (see <see cref="ConformanceSuite"/>).</summary>
public class ConformanceTests(ITestOutputHelper output)
{
    public static TheoryData<string, string> Cases()
    {
        var data = new TheoryData<string, string>();
        foreach (var (suite, name) in ConformanceSuite.Cases()) data.Add(suite, name);
        if (!ConformanceSuite.Present) data.Add("absent", "absent");
        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Case(string suite, string name)
    {
        if (!ConformanceSuite.Present)
        {
            output.WriteLine($"SKIPPED: ONNX conformance data not installed ({ConformanceSuite.Root}); apt-get install libonnx-testdata");
            Console.WriteLine($"ONNX conformance: SKIPPED, {ConformanceSuite.Root} is absent (apt-get install libonnx-testdata)");
            return;
        }
        var result = ConformanceSuite.Run(suite, name);
        output.WriteLine($"{result.Outcome}: {result.Detail}");
        Assert.True(result.Outcome != ConformanceSuite.Outcome.Failed, $"{suite}/{name}: {result.Detail}");
    }

    /// <summary>The figures the README quotes: per suite, cases run and passed, refused, and float32 cases of supported operators.</summary>
    [Fact]
    public void Summary()
    {
        if (!ConformanceSuite.Present)
        {
            Console.WriteLine($"ONNX conformance: SKIPPED, {ConformanceSuite.Root} is absent (apt-get install libonnx-testdata)");
            return;
        }
        var lines = new List<string>();
        int failures = 0;
        foreach (var suite in ConformanceSuite.Suites)
        {
            var cases = ConformanceSuite.Cases().Where(c => c.Suite == suite).ToList();
            var results = cases.Select(c => ConformanceSuite.Run(c.Suite, c.Name)).ToList();
            for (int i = 0; i < cases.Count; i++)
                if (results[i].Outcome == ConformanceSuite.Outcome.Failed) output.WriteLine($"FAILED {suite}/{cases[i].Name}: {results[i].Detail}");
            int passed = results.Count(r => r.Outcome == ConformanceSuite.Outcome.Passed);
            int refused = results.Count(r => r.Outcome == ConformanceSuite.Outcome.Refused);
            int failed = results.Count(r => r.Outcome == ConformanceSuite.Outcome.Failed);
            int f32 = results.Count(r => r.MustRun);
            int f32Passed = results.Count(r => r.MustRun && r.Outcome == ConformanceSuite.Outcome.Passed);
            failures += failed;
            lines.Add($"ONNX conformance {suite}: {results.Count} cases, {passed} passed, {refused} refused as unsupported, {failed} failed; " +
                $"float32 cases of supported operators: {f32Passed} of {f32} passed");
        }
        foreach (var line in lines)
        {
            output.WriteLine(line);
            Console.WriteLine(line);
        }
        Assert.Equal(0, failures);
    }
}
