using System.Numerics;

namespace NeuralSharp;

/// <summary>
/// A small, fast, seeded pseudo-random generator (xoshiro128**, seeded through SplitMix64) whose whole
/// state can be read and restored, so that initialisation, shuffling and dropout are reproducible
/// bit for bit and a checkpoint can resume a run exactly. Not thread-safe: give each thread its own.
/// </summary>
public sealed class RandomSource
{
    private uint _s0, _s1, _s2, _s3;
    private double _spareGaussian;
    private bool _hasSpare;

    [ThreadStatic] private static RandomSource? _global;

    /// <summary>
    /// This thread's default generator, used where no generator is passed (layer initialisation,
    /// dropout seeding). Seeded with 0 until <see cref="ManualSeed"/> is called (PyTorch's torch.manual_seed).
    /// </summary>
    public static RandomSource Global => _global ??= new RandomSource(0);

    /// <summary>Re-seeds this thread's <see cref="Global"/> generator.</summary>
    public static void ManualSeed(ulong seed) => Global.Reseed(seed);

    /// <summary>Creates a generator from a seed; equal seeds give equal sequences.</summary>
    public RandomSource(ulong seed) => Reseed(seed);

    /// <summary>Resets the generator to the sequence of <paramref name="seed"/>.</summary>
    public void Reseed(ulong seed)
    {
        ulong x = seed;
        ulong a = SplitMix(ref x), b = SplitMix(ref x);
        _s0 = (uint)a; _s1 = (uint)(a >> 32); _s2 = (uint)b; _s3 = (uint)(b >> 32);
        if ((_s0 | _s1 | _s2 | _s3) == 0) _s0 = 1;
        _hasSpare = false;
    }

    private static ulong SplitMix(ref ulong x)
    {
        ulong z = x += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    /// <summary>The next 32 random bits.</summary>
    public uint NextUInt32()
    {
        uint result = BitOperations.RotateLeft(_s1 * 5, 7) * 9;
        uint t = _s1 << 9;
        _s2 ^= _s0; _s3 ^= _s1; _s1 ^= _s2; _s0 ^= _s3;
        _s2 ^= t;
        _s3 = BitOperations.RotateLeft(_s3, 11);
        return result;
    }

    /// <summary>A float uniform in [0, 1) with 24 random bits.</summary>
    public float NextFloat() => (NextUInt32() >> 8) * (1.0f / (1 << 24));

    /// <summary>A double uniform in [0, 1) with 53 random bits.</summary>
    public double NextDouble() => (((ulong)NextUInt32() << 21) ^ (NextUInt32() >> 11)) * (1.0 / (1UL << 53));

    /// <summary>An integer uniform in [0, <paramref name="maxExclusive"/>), without modulo bias.</summary>
    public int NextInt(int maxExclusive)
    {
        if (maxExclusive <= 0) throw new ArgumentOutOfRangeException(nameof(maxExclusive), "RandomSource.NextInt: the bound must be positive.");
        // Lemire's multiply-shift with rejection.
        ulong m = (ulong)NextUInt32() * (uint)maxExclusive;
        uint low = (uint)m;
        if (low < (uint)maxExclusive)
        {
            uint threshold = (uint)(-maxExclusive) % (uint)maxExclusive;
            while (low < threshold)
            {
                m = (ulong)NextUInt32() * (uint)maxExclusive;
                low = (uint)m;
            }
        }
        return (int)(m >> 32);
    }

    /// <summary>A standard normal sample (Box–Muller in double, cached pair).</summary>
    public double NextGaussian()
    {
        if (_hasSpare)
        {
            _hasSpare = false;
            return _spareGaussian;
        }
        double u1 = 1.0 - NextDouble(); // (0, 1]
        double u2 = NextDouble();
        double r = Math.Sqrt(-2.0 * Math.Log(u1));
        _spareGaussian = r * Math.Sin(2 * Math.PI * u2);
        _hasSpare = true;
        return r * Math.Cos(2 * Math.PI * u2);
    }

    /// <summary>Shuffles <paramref name="items"/> in place (Fisher–Yates).</summary>
    public void Shuffle<T>(Span<T> items)
    {
        for (int i = items.Length - 1; i > 0; i--)
        {
            int j = NextInt(i + 1);
            (items[i], items[j]) = (items[j], items[i]);
        }
    }

    /// <summary>The complete state, for checkpoints.</summary>
    public RandomSourceState GetState() => new(_s0, _s1, _s2, _s3, _hasSpare, _spareGaussian);

    /// <summary>Restores a state taken with <see cref="GetState"/>.</summary>
    public void SetState(RandomSourceState state)
    {
        if ((state.S0 | state.S1 | state.S2 | state.S3) == 0) throw new ArgumentException("RandomSource.SetState: the all-zero state is invalid for xoshiro128**.");
        (_s0, _s1, _s2, _s3, _hasSpare, _spareGaussian) = (state.S0, state.S1, state.S2, state.S3, state.HasSpare, state.Spare);
    }
}
