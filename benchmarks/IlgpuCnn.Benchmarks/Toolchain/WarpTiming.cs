using IlgpuCnn.Kernels;

namespace IlgpuCnn.Benchmarks.Toolchain;

/// <summary>Latencies (cycles) the warp timing assumes for the results of variable-latency instructions.</summary>
/// <param name="Global">a global load or atomic with a result (L2 hit to DRAM)</param>
/// <param name="Shared">a shared-memory load</param>
/// <param name="Special">S2R, MUFU, conversions (I2F of an emulated division) and other variable-latency ALU work</param>
/// <param name="SourcesRead">until a memory instruction has read its source registers (its read barrier)</param>
/// <param name="Barrier">a group barrier whose warps all arrive together</param>
public sealed record WarpLatencies(double Global, double Shared = 30, double Special = 20, double SourcesRead = 12, double Barrier = 20);

/// <summary>
/// Cycles one warp needs alone on its scheduler, from the control bits ptxas wrote: each
/// instruction issues after the previous one's stall count and once every scoreboard it waits
/// for is released; a variable-latency instruction releases its write scoreboard after its
/// latency (<see cref="WarpLatencies"/>). Run over a loop body several times in a row, loads
/// issued late in one pass and used early in the next (across the back edge) show their
/// latency as the wait they cause.
/// </summary>
public static class WarpTiming
{
    /// <summary>Cycles for one pass over straight-line <paramref name="code"/>, all scoreboards free at the start.</summary>
    public static double Cycles(IReadOnlyList<SassInstruction> code, WarpLatencies latencies)
    {
        var clock = new Clock(latencies);
        clock.Run(code);
        return clock.Drained();
    }

    /// <summary>Steady-state cycles per pass of a loop body run over and over (passes 3 and 4 of 4, averaged).</summary>
    public static double SteadyCycles(IReadOnlyList<SassInstruction> body, WarpLatencies latencies)
    {
        var clock = new Clock(latencies);
        clock.Run(body);
        clock.Run(body);
        double afterTwo = clock.Now;
        clock.Run(body);
        clock.Run(body);
        return (clock.Now - afterTwo) / 2;
    }

    /// <summary>Sum of the stall counts: the cycles a lone warp needs when no scoreboard makes it wait.</summary>
    public static int StallCycles(IEnumerable<SassInstruction> code) => code.Sum(i => Stall(i));

    private static int Stall(SassInstruction i) => i.Control.Known ? Math.Max(1, i.Control.Stall) : 1;

    /// <summary>Result latency of an instruction that sets a write scoreboard.</summary>
    private static double Latency(SassInstruction i, WarpLatencies l) => i.Base switch
    {
        "LD" or "LDG" or "ATOM" or "ATOMG" or "LDL" or "RED" => l.Global,
        "LDS" or "LDSM" or "ATOMS" or "SHFL" => l.Shared,
        _ => l.Special,
    };

    private sealed class Clock(WarpLatencies latencies)
    {
        private readonly double[] _ready = new double[6];

        public double Now { get; private set; }

        public void Run(IReadOnlyList<SassInstruction> code)
        {
            foreach (var i in code)
            {
                Issue(i);
            }
        }

        /// <summary>The time when everything issued has also completed.</summary>
        public double Drained() => Math.Max(Now, _ready.Max());

        private void Issue(SassInstruction i)
        {
            var c = i.Control.Known ? i.Control : SassControl.None;
            double t = Now;
            for (int b = 0; b < 6; b++)
            {
                t = (c.WaitMask & (1 << b)) != 0 ? Math.Max(t, _ready[b]) : t;
            }

            t += i.Base == "BAR" ? latencies.Barrier : 0;
            if (c.WriteBarrier < 6)
            {
                _ready[c.WriteBarrier] = Math.Max(_ready[c.WriteBarrier], t + Latency(i, latencies));
            }

            if (c.ReadBarrier < 6)
            {
                _ready[c.ReadBarrier] = Math.Max(_ready[c.ReadBarrier], t + latencies.SourcesRead);
            }

            Now = t + Stall(i);
        }
    }
}

/// <summary>A global load of a loop body and how far ahead of its first use it is issued.</summary>
/// <param name="Index">its position in the body</param>
/// <param name="Predicated">guarded by a predicate (ptxas if-converted a conditional load)</param>
/// <param name="Distance">instructions from the load to the first one reading its result on the load's own path — an unconditional forward branch jumps (what it skips is another path's code: the Cursor bodies' A and B staging share registers), conditional branches fall through — counted across the loop's back edge (the body's length + 1 when nothing reads it within two passes)</param>
public sealed record LoadUse(int Index, bool Predicated, int Distance);

/// <summary>Load-to-use distances of the global loads of a loop body, following uses across the back edge.</summary>
public static class LoadUses
{
    public static IReadOnlyList<LoadUse> Of(IReadOnlyList<SassInstruction> body)
    {
        var result = new List<LoadUse>();
        for (int i = 0; i < body.Count; i++)
        {
            if (body[i].IsGlobalLoad)
            {
                result.Add(new LoadUse(i, body[i].IsPredicated, Distance(body, i)));
            }
        }

        return result;
    }

    private static int Distance(IReadOnlyList<SassInstruction> body, int load)
    {
        var regs = RoundTrips.Registers(body[load].Operands);
        if (regs.Count == 0)
        {
            return body.Count + 1;
        }

        var written = Enumerable.Range(regs[0], RoundTrips.LoadWidth(body[load])).ToHashSet();
        var at = new Dictionary<int, int>();
        for (int i = 0; i < body.Count; i++)
        {
            at[body[i].Address] = i;
        }

        for (int d = 1, i = load; d <= 2 * body.Count; d++)
        {
            i = Next(body, at, i);
            var ins = body[i];
            var r = RoundTrips.Registers(ins.Operands);
            if (RoundTrips.Sources(ins, r).Any(written.Contains))
            {
                return d;
            }
        }

        return body.Count + 1;
    }

    /// <summary>The instruction after <paramref name="i"/> on its path: an unconditional forward branch's target inside the body, else the next one (the last wraps to the first: the back edge).</summary>
    private static int Next(IReadOnlyList<SassInstruction> body, Dictionary<int, int> at, int i)
    {
        var ins = body[i];
        return ins.Base == "BRA" && !ins.IsPredicated && at.TryGetValue(EpilogueWalk.Target(ins), out int target) && target > i ? target : (i + 1) % body.Count;
    }
}

/// <summary>
/// Straight-line SASS followed along its branches, for an epilogue whose store mode is a kernel
/// parameter (Write, Add, AtomicAdd: one path each, inlined per stored value): an unconditional
/// forward branch jumps; a conditional forward branch jumps over its region when the region holds
/// only another mode's stores (<see cref="Skips"/>); a backward branch falls through; an
/// unpredicated EXIT ends the walk. Returns the lone warp's cycles and the instructions issued.
/// </summary>
public static partial class EpilogueWalk
{
    public static (double Cycles, int Issued) Run(IReadOnlyList<SassInstruction> code, int start, WarpLatencies latencies, GemmStoreMode mode)
    {
        var at = new Dictionary<int, int>();
        for (int i = 0; i < code.Count; i++)
        {
            at[code[i].Address] = i;
        }

        var path = new List<SassInstruction>();
        for (int i = start, guard = 0; i >= 0 && i < code.Count && guard < 200_000; guard++)
        {
            var ins = code[i];
            path.Add(ins);
            if (ins.Base == "EXIT" && !ins.IsPredicated)
            {
                break;
            }

            i = Next(code, at, i, mode);
        }

        return (WarpTiming.Cycles(path, latencies), path.Count(p => p.Opcode != "NOP"));
    }

    /// <summary>True when the region a conditional branch can jump over stores only in modes other than <paramref name="mode"/>.</summary>
    public static bool Skips(IReadOnlyList<SassInstruction> region, GemmStoreMode mode)
    {
        var (write, add, atomic) = Signatures(region);
        bool own = mode switch { GemmStoreMode.Write => write, GemmStoreMode.Add => add, _ => atomic };
        bool foreign = mode switch { GemmStoreMode.Write => add || atomic, GemmStoreMode.Add => write || atomic, _ => write || add };
        return foreign && !own;
    }

    private static int Next(IReadOnlyList<SassInstruction> code, Dictionary<int, int> at, int i, GemmStoreMode mode)
    {
        var ins = code[i];
        if (ins.Base != "BRA" || !at.TryGetValue(Target(ins), out int target) || target <= i)
        {
            return i + 1;
        }

        return !ins.IsPredicated || Skips(code.Skip(i + 1).Take(target - i - 1).ToList(), mode) ? target : i + 1;
    }

    /// <summary>Plain stores, load-add-store pairs (a store to the address a load of the region read) and atomics.</summary>
    private static (bool Write, bool Add, bool Atomic) Signatures(IReadOnlyList<SassInstruction> region)
    {
        var loaded = new HashSet<string>();
        bool write = false, add = false, atomic = false;
        foreach (var ins in region)
        {
            if (ins.Base is "ATOM" or "ATOMG" or "RED" or "REDG")
            {
                atomic = true;
            }
            else if (ins.Base is "LD" or "LDG")
            {
                loaded.Add(Address(ins.Operands));
            }
            else if (ins.Base is "ST" or "STG")
            {
                bool same = loaded.Contains(Address(ins.Operands));
                (add, write) = (add || same, write || !same);
            }

            if (ins.Base is not ("ST" or "STG" or "STS" or "BRA" or "LD" or "LDG") && RoundTrips.Registers(ins.Operands) is [int dest, ..])
            {
                loaded.RemoveWhere(a => a.StartsWith($"[R{dest}.", StringComparison.Ordinal) || a.StartsWith($"[R{dest - 1}.64", StringComparison.Ordinal) || a == $"[R{dest}]");
            }
        }

        return (write, add, atomic);
    }

    private static string Address(string operands)
    {
        var m = AddressPattern().Match(operands);
        return m.Success ? m.Value : operands;
    }

    /// <summary>A branch's target address (-1 when it names none).</summary>
    internal static int Target(SassInstruction ins)
    {
        var m = TargetPattern().Match(ins.Operands);
        return m.Success ? int.Parse(m.Groups[1].Value, System.Globalization.NumberStyles.HexNumber, System.Globalization.CultureInfo.InvariantCulture) : -1;
    }

    [System.Text.RegularExpressions.GeneratedRegex(@"\[R\d+(\.64)?(\+0x[0-9a-f]+)?\]")]
    private static partial System.Text.RegularExpressions.Regex AddressPattern();

    [System.Text.RegularExpressions.GeneratedRegex(@"0x([0-9a-f]+)")]
    private static partial System.Text.RegularExpressions.Regex TargetPattern();
}
