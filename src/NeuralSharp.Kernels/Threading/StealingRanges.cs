namespace NeuralSharp.Kernels;

/// <summary>The body of <see cref="StealingRanges.For{TBody}"/>: one unit of work.</summary>
internal interface IUnitBody
{
    /// <summary>Runs unit <paramref name="unit"/> (called concurrently for different units).</summary>
    void Run(int unit);
}

/// <summary>
/// Units of work split into one contiguous range per thread; a thread takes units from the front of its own range and,
/// when that is empty, steals from the back of the others'. Balanced threads each run exactly their own range (the
/// same contiguous split as equal parts), while a thread that falls behind (a vCPU descheduled or shared) has its tail
/// taken over. Each range's state sits in its own cache line, so taking from one's own range does not touch a line
/// the other threads use.
/// </summary>
/// <remarks>
/// The slots live in the caller's stack frame for the duration of one parallel call. Which thread runs which unit
/// varies from call to call, so a body must compute each unit the same way wherever it runs.
/// </remarks>
internal readonly unsafe struct StealingRanges
{
    /// <summary>Longs per range slot: one 64-byte line each (the caller allocates parts * SlotLongs + 7 longs).</summary>
    public const int SlotLongs = 8;

    private readonly long* _slots;
    private readonly int _parts;

    /// <summary>Splits [0, units) into <paramref name="parts"/> equal contiguous ranges in <paramref name="memory"/>.</summary>
    public StealingRanges(long* memory, int parts, int units)
    {
        _slots = (long*)(((nint)memory + 63) & ~(nint)63);
        _parts = parts;
        for (int p = 0; p < parts; p++)
            _slots[p * SlotLongs] = Pack(KernelThreads.PartStart(units, p, parts), KernelThreads.PartStart(units, p + 1, parts));
    }

    /// <summary>The next unit for the thread running part <paramref name="part"/>: its own next, else one stolen; false when all are taken.</summary>
    public bool Next(int part, out int unit)
    {
        if (Take(part, fromFront: true, out unit)) return true;
        for (int k = 1; k < _parts; k++)
            if (Take((part + k) % _parts, fromFront: false, out unit)) return true;
        return false;
    }

    private bool Take(int part, bool fromFront, out int unit)
    {
        long* slot = _slots + part * SlotLongs;
        while (true)
        {
            long old = Volatile.Read(ref *slot);
            int lo = (int)old, hi = (int)(old >> 32);
            if (lo >= hi) { unit = -1; return false; }
            long next = fromFront ? Pack(lo + 1, hi) : Pack(lo, hi - 1);
            if (Interlocked.CompareExchange(ref *slot, next, old) == old)
            {
                unit = fromFront ? lo : hi - 1;
                return true;
            }
        }
    }

    private static long Pack(int lo, int hi) => (uint)lo | (long)hi << 32;

    /// <summary>
    /// Runs <paramref name="body"/> for every unit in [0, <paramref name="units"/>) on <paramref name="parts"/> kernel
    /// threads, each starting on its own contiguous range (see the type's summary).
    /// </summary>
    public static void For<TBody>(int parts, int units, TBody body) where TBody : struct, IUnitBody
    {
        long* memory = stackalloc long[parts * SlotLongs + SlotLongs];
        KernelThreads.For(parts, new Loop<TBody> { Body = body, Ranges = new StealingRanges(memory, parts, units) });
    }

    private struct Loop<TBody> : IKernelLoopBody where TBody : struct, IUnitBody
    {
        public TBody Body;
        public StealingRanges Ranges;

        public readonly void Invoke(int part)
        {
            while (Ranges.Next(part, out int unit)) Body.Run(unit);
        }
    }
}
