using System.Diagnostics;

namespace NeuralSharp.Bench;

/// <summary>Median and minimum of the per-iteration times of one measurement, in seconds.</summary>
internal readonly record struct Timing(double Median, double Min, int Reps, int ItersPerRep)
{
    /// <summary>A rate (work / time) at the median time and at the best (minimum) time.</summary>
    public (double Median, double Best) Rate(double work) => (work / Median, work / Min);
}

/// <summary>How long to measure: repetitions, the time one repetition should take, warm-up time.</summary>
internal sealed record BenchOptions(int Reps, double RepSeconds, double WarmupSeconds, bool Quick)
{
    public static BenchOptions Full { get; } = new(Reps: 9, RepSeconds: 0.10, WarmupSeconds: 0.40, Quick: false);
    public static BenchOptions QuickRun { get; } = new(Reps: 3, RepSeconds: 0.02, WarmupSeconds: 0.25, Quick: true);
}

/// <summary>
/// A plain Stopwatch harness: warm up (so the JIT reaches its optimised tier and caches and thread pools are
/// hot), calibrate the number of iterations per repetition so one repetition takes about
/// <see cref="BenchOptions.RepSeconds"/>, then time <see cref="BenchOptions.Reps"/> repetitions and report the
/// median and the minimum time per iteration.
/// </summary>
internal static class Harness
{
    public static Timing Measure(Action body, BenchOptions o, int minIters = 1)
    {
        int iters = Calibrate(body, o, minIters);
        var times = new double[o.Reps];
        for (int r = 0; r < o.Reps; r++) times[r] = TimeRep(body, iters);
        return new Timing(Median(times), times.Min(), o.Reps, iters);
    }

    /// <summary>Like <see cref="Measure"/>, returning the seconds per iteration of every repetition (one round of several).</summary>
    public static double[] MeasureTimes(Action body, BenchOptions o)
    {
        int iters = Calibrate(body, o, 1);
        var times = new double[o.Reps];
        for (int r = 0; r < o.Reps; r++) times[r] = TimeRep(body, iters);
        return times;
    }

    /// <summary>
    /// Like <see cref="Measure"/> for several bodies whose ratios matter, with their repetitions interleaved (rep r of
    /// every body before rep r + 1 of any), so a change in the machine's state during the measurement (another
    /// tenant's memory traffic, a slower second vCPU) affects all of them alike instead of whichever ran then.
    /// </summary>
    public static Timing[] MeasureInterleaved(Action[] bodies, BenchOptions o)
    {
        int[] iters = bodies.Select(b => Calibrate(b, o, 1)).ToArray();
        var times = new double[bodies.Length][];
        for (int b = 0; b < bodies.Length; b++) times[b] = new double[o.Reps];
        for (int r = 0; r < o.Reps; r++)
            for (int b = 0; b < bodies.Length; b++) times[b][r] = TimeRep(bodies[b], iters[b]);
        return times.Select((t, b) => new Timing(Median(t), t.Min(), o.Reps, iters[b])).ToArray();
    }

    /// <summary>Warms up (at least three calls and WarmupSeconds of wall time) and returns the iterations per repetition.</summary>
    private static int Calibrate(Action body, BenchOptions o, int minIters)
    {
        long start = Stopwatch.GetTimestamp();
        int calls = 0;
        double once = double.MaxValue;
        while (calls < 3 || Seconds(start) < o.WarmupSeconds)
        {
            long t0 = Stopwatch.GetTimestamp();
            body();
            once = Math.Min(once, Seconds(t0));
            calls++;
        }
        return Math.Max(minIters, (int)Math.Ceiling(o.RepSeconds / Math.Max(once, 1e-9)));
    }

    /// <summary>Seconds per iteration over one repetition of <paramref name="iters"/> calls.</summary>
    private static double TimeRep(Action body, int iters)
    {
        long t0 = Stopwatch.GetTimestamp();
        for (int i = 0; i < iters; i++) body();
        return Seconds(t0) / iters;
    }

    /// <summary>Times each call separately (for latency): the seconds of each of <paramref name="calls"/> calls after warm-up.</summary>
    public static double[] EachCallTimes(Action body, int calls, double warmupSeconds)
    {
        long start = Stopwatch.GetTimestamp();
        int n = 0;
        while (n < 10 || Seconds(start) < warmupSeconds) { body(); n++; }
        var times = new double[calls];
        for (int i = 0; i < calls; i++)
        {
            long t0 = Stopwatch.GetTimestamp();
            body();
            times[i] = Seconds(t0);
        }
        return times;
    }

    /// <summary>The index of the list of times with the lowest median (the fastest configuration), or -1 when there is none.</summary>
    public static int IndexOfLowestMedian(IReadOnlyList<List<double>> times)
    {
        int best = -1;
        for (int i = 0; i < times.Count; i++)
            if (best < 0 || Median([.. times[i]]) < Median([.. times[best]])) best = i;
        return best;
    }

    public static double Seconds(long since) => Stopwatch.GetElapsedTime(since).TotalSeconds;

    public static double Median(double[] values)
    {
        var s = (double[])values.Clone();
        Array.Sort(s);
        int n = s.Length;
        return n == 0 ? double.NaN : n % 2 == 1 ? s[n / 2] : 0.5 * (s[n / 2 - 1] + s[n / 2]);
    }

    // The warm-up is long enough for tiered compilation: call counting starts 100 ms after the last tier-0 JIT
    // activity, and the optimised code is installed a few milliseconds after 30 more calls.

    /// <summary>Lets other libraries' spinning worker threads go to sleep before the next measurement.</summary>
    public static void Settle(bool quick) => Thread.Sleep(quick ? 20 : 200);
}
