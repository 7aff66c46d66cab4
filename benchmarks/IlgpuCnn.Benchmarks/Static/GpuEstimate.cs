using IlgpuCnn.Benchmarks.Toolchain;
using IlgpuCnn.Kernels;

namespace IlgpuCnn.Benchmarks.Static;

/// <summary>A GPU for the static estimate: public datasheet figures.</summary>
internal sealed record GpuSpec(string Name, int Sms, double ClockGHz, double DramTBs)
{
    /// <summary>Warp schedulers per SM (Volta to Hopper).</summary>
    public const int Schedulers = 4;
}

/// <summary>
/// One end of the estimate's range: the figures nobody can count without a GPU.
/// </summary>
/// <param name="Name">low, central or high</param>
/// <param name="GlobalLatency">cycles of a global load (L2 hit … DRAM)</param>
/// <param name="L1LinesPerClock">cache lines L1 serves per clock for one warp load touching many lines (4: tag-limited; 1: bank-serialised)</param>
/// <param name="GapUs">microseconds between back-to-back stream operations without a CUDA graph</param>
/// <param name="DramEfficiency">achievable share of the datasheet bandwidth</param>
/// <param name="AtomicsPerClock">float atomic adds the L2 completes per clock, whole GPU</param>
/// <param name="SharedLatency">cycles of a shared-memory load</param>
/// <param name="L2TBs">terabytes per second the L2 delivers to the SMs on hits, whole GPU</param>
/// <param name="Broadcast">whether a GEMM's A loads, two addresses per warp, take 2 shared wavefronts (<see cref="SharedBroadcast"/>) rather than 4</param>
internal sealed record Scenario(string Name, double GlobalLatency, double SharedLatency, double L1LinesPerClock, double GapUs, double DramEfficiency, double AtomicsPerClock, double L2TBs, bool Broadcast)
{
    public static readonly Scenario Low = new("low", 300, 24, 4, 1.5, 0.9, 384, 9, true);
    public static readonly Scenario Central = new("central", 450, 30, 2, 2.0, 0.8, 192, 7, true);
    public static readonly Scenario High = new("high", 600, 34, 1, 2.5, 0.7, 96, 5.5, false);
    public static readonly IReadOnlyList<Scenario> All = [Low, Central, High];

    public WarpLatencies Latencies { get; } = new(GlobalLatency, SharedLatency);
}

/// <summary>What one launch needs beyond its kernel's SASS: the cache lines of its operands' warp loads (GEMMs) and its atomic adds.</summary>
/// <param name="LinesA">A's lines per warp load (null: not a GEMM; then every global load is assumed to touch one line)</param>
/// <param name="LinesB">B's lines per warp load</param>
/// <param name="WarpLoadsA">warp loads of A per K step per group (tile elements / 32)</param>
/// <param name="WarpLoadsB">warp loads of B per K step per group</param>
/// <param name="Atomics">float atomic adds of the launch (split-K)</param>
internal sealed record LaunchTraffic(WarpLines? LinesA, WarpLines? LinesB, int WarpLoadsA, int WarpLoadsB, double Atomics)
{
    public static readonly LaunchTraffic None = new(null, null, 0, 0, 0);
}

/// <summary>
/// Time of one stream operation from counted SASS figures and modelled grids. Per SM and wave,
/// each work-loop iteration takes the slowest of: the issue of every resident warp's instructions
/// on its scheduler (warps per scheduler × instructions), one lone warp's cycles from the control
/// bits and latencies (<see cref="WarpTiming"/>: stalls, and waits for loads across the back
/// edge), the shared-memory wavefronts, and the L1's cache lines of the global loads; the
/// straight-line code (prologue, epilogue with its dependent round trips) likewise; the launch is
/// then at least its DRAM time and its atomics' L2 time, plus the gap per stream operation.
/// </summary>
internal static class GpuEstimate
{
    public static readonly GpuSpec H100Sxm = new("H100 SXM", 132, 1.755, 3.35);
    public static readonly GpuSpec H200 = new("H200", 132, 1.755, 4.8);

    public const double IssuePerClock = 1;            // warp instructions per clock per scheduler
    public const double SharedWavefrontsPerClock = 1; // 128 bytes per clock per SM

    public static IReadOnlyList<string> Assumptions(GpuSpec a, GpuSpec b) =>
    [
        $"{a.Name}: {a.Sms} SMs × {GpuSpec.Schedulers} schedulers at {a.ClockGHz} GHz (sustained boost), {a.DramTBs} TB/s HBM; {b.Name}: {b.Sms} SMs at {b.ClockGHz} GHz, {b.DramTBs} TB/s (datasheets; clock assumed).",
        $"Issue: {IssuePerClock} warp instruction per clock per scheduler; resident warps spread over the {GpuSpec.Schedulers} schedulers (warps per scheduler = ceil(resident warps / {GpuSpec.Schedulers})); instructions per warp = loop trips × SASS instructions of one trip (a whole K step for tiled GEMMs, nested loops expanded) + straight-line code.",
        "Lone warp (counted stalls, estimated waits): cycles one warp needs on its scheduler from ptxas's control bits — each instruction's stall count, and the wait for every scoreboard it names (global load and shared load: the scenario's latencies; S2R/MUFU/I2F and other variable-latency ALU work 20; sources read 12; barrier 20). The work loop is run 4 times in a row and passes 3–4 averaged, so a load issued late in one K step and used early in the next waits across the back edge. A scheduler with w warps needs max(w × instructions, lone-warp cycles) per iteration (perfect overlap of the others' issue with one warp's waits).",
        $"Shared memory: {SharedWavefrontsPerClock} wavefront (128 bytes) per clock per SM; LDS.32 = 1, LDS.64 = 2, LDS.128 = 4, STS = 1 wavefront per warp; in the low and central scenarios a tiled GEMM's A loads (MultiplyTile: every lane's address equal to its neighbour's) take 2 per LDS.128 (NVIDIA's guidance for Volta and later, and an Nsight Compute measurement on an H100 of the same pattern), in the high scenario 4; B's keep 4.",
        "L1: lines per warp load of each GEMM operand from the address simulation (derived); a load costs max(1, lines / the scenario's lines per clock) L1 cycles, shared by the SM's warps; other kernels' loads are taken as one line per warp load (grid-stride, lanes along the contiguous index: assumed).",
        "Per SM and wave: each iteration takes the slowest of issue, lone warp, shared memory and L1; the straight-line code the slower of issue and lone warp. The busiest SM's ceil(blocks / SMs) groups run as full waves of the resident groups per SM, then the groups left over as one last, smaller wave at its own warps per scheduler (a block starts as soon as a slot frees, so the leftovers of every SM run together). A per-channel reduction spread over slices (ChannelSlices) runs its slices' groups, then — counted after them, as if no channel finished early — one finishing group per channel (normalisation or dx of the whole channel). The launch takes at least its memory time — its compulsory bytes (each tensor read or written once) at the DRAM's bandwidth, or all its bytes including the re-reads (a channel reduction's later passes over the channel: L2 hits) at the L2's, whichever is longer — and its split-K atomics' L2 time, plus the gap per stream operation.",
        "Groups per SM: the occupancy from ptxas's registers and shared memory (sm_90 limits). Auto-grouped kernels: the group size CUDA's occupancy calculator picks (largest multiple of 32 with the highest occupancy).",
        $"Direct conv (no GEMM): the work loop is its K loop (K / the k's one trip holds); its staging loop (the input window, before the barrier) runs ceil(window / ({DirectConv.StageUnroll} × {DirectConv.GroupSize})) trips per thread, each the slowest of issue, lone warp, shared stores and L1 lines, counted with the straight-line code.",
        "Tiled GEMMs: one K step = the K loop's SASS with nested loops repeated by their design trip counts; where ptxas unrolled the K loop itself into n K steps, cycles and counts are divided by n. Both sides of a warp-uniform branch in the K loop count for every warp. A GEMM's epilogue is followed along the branches its launch's store mode takes (Write, Add: load–add–store per value, AtomicAdd), so its dependent round trips (a bias load per stored value, Add's load before each store) and emulated divisions count once per value; other kernels' straight-line code runs whole.",
        .. Scenario.All.Select(s => $"Scenario {s.Name}: {(s.Broadcast ? "A's broadcast loads 2 wavefronts" : "every LDS.128 4 wavefronts")}, global load latency {s.GlobalLatency} cycles, shared load {s.SharedLatency} cycles, L1 {s.L1LinesPerClock} lines per clock, {s.GapUs} us per stream operation, DRAM at {s.DramEfficiency:P0} of peak, {s.AtomicsPerClock} float atomics per clock in L2, L2 hits at {s.L2TBs} TB/s."),
        "Why these ranges: global latency from an L2 hit (~300 cycles; the K loops re-read weights and activations other groups just read) to DRAM (~600); L1 4 lines per clock if only the tag lookups limit a 32-line warp load (8 cycles), 1 if the lines' same word offset serialises the banks (32 cycles) — the open question a GPU visit settles (GPU-VISIT.md); launch gap and DRAM efficiency as commonly seen without CUDA graphs; float atomics from coalesced (8 per 32-byte sector) to one per sector in L2; L2 hit bandwidth around public microbenchmark figures for Hopper (~5.5–10 TB/s, against 132 SMs × 64 bytes per clock = 14.8 TB/s at 1.755 GHz).",
        "Not modelled: tensor cores (unused), L2 misses beyond compulsory traffic, bank conflicts of shared memory, barrier skew between warps, uncoalesced stores, clock throttling, host-side work between steps.",
    ];

    /// <summary>Estimated microseconds of one launch on <paramref name="gpu"/> in scenario <paramref name="s"/>.</summary>
    public static Breakdown Time(ModelLaunch l, KernelProfile? p, GpuSpec gpu, Scenario s, LaunchTraffic traffic)
    {
        double cyclesPerUs = gpu.ClockGHz * 1e3;
        // compulsory bytes from DRAM, or every byte read (re-reads included) from the L2, whichever is longer
        double dram = Math.Max(l.Bytes / (gpu.DramTBs * 1e12 * s.DramEfficiency), (l.Bytes + l.Reread) / (s.L2TBs * 1e12)) * 1e6;
        double atomics = traffic.Atomics / s.AtomicsPerClock / cyclesPerUs;
        if (l.IsMemSet || p is null)
        {
            return new Breakdown(0, 0, 0, 0, 0, dram, atomics, dram + s.GapUs, 0);
        }

        var w = Wave.Of(l, p, gpu);
        var (tailCycles, tailIssued) = l.Plan is { Body: not KernelBody.Simple } plan ? p.Tail(s.Latencies, plan.Store) : (p.StraightCycles(s.Latencies), p.StraightLine);
        double compute = 0;
        var b = new Breakdown(0, 0, 0, 0, 0, dram, atomics, 0, w.PerScheduler);
        foreach (var wave in w.Parts)
        {
            // the full waves of the busiest SM, then its last, smaller wave at its own warps per scheduler
            var it = PerIteration(wave, p, s, traffic, l.Plan);
            double straight = Math.Max(wave.PerScheduler * tailIssued / IssuePerClock, tailCycles) + (l.StagingTrips * Staging(wave, p, s, traffic));
            compute += wave.Waves * ((l.Iterations * it.Max) + straight) / cyclesPerUs;
            double Us(double perIt) => wave.Waves * l.Iterations * perIt / cyclesPerUs;
            b = b with { Issue = b.Issue + Us(it.Issue), Warp = b.Warp + Us(it.Warp), Shared = b.Shared + Us(it.Shared), L1 = b.L1 + Us(it.L1), Straight = b.Straight + (wave.Waves * straight / cyclesPerUs) };
        }

        if (l.Finish is { } f)
        {
            // the groups that finish a channel after its slices (ChannelSlices), one per channel, after them
            foreach (var wf in Wave.Of(l with { Blocks = f.Blocks, Finish = null }, p, gpu).Parts)
            {
                var fi = PerIteration(wf, p, s, traffic, l.Plan);
                double Uf(double perIt) => wf.Waves * f.Iterations * perIt / cyclesPerUs;
                compute += Uf(fi.Max);
                b = b with { Issue = b.Issue + Uf(fi.Issue), Warp = b.Warp + Uf(fi.Warp), Shared = b.Shared + Uf(fi.Shared), L1 = b.L1 + Uf(fi.L1) };
            }
        }

        return b with { Total = Math.Max(compute, Math.Max(dram, atomics)) + s.GapUs };
    }

    /// <summary>Cycles of one work-loop iteration on one SM: issue, lone warp, shared memory, L1, and the slowest of them.</summary>
    private static (double Issue, double Warp, double Shared, double L1, double Max) PerIteration(Wave w, KernelProfile p, Scenario s, LaunchTraffic traffic, KernelPlan? plan)
    {
        var mix = p.PerIteration;
        double issue = w.PerScheduler * mix.Instructions / IssuePerClock;
        double warp = p.IterationCycles(s.Latencies);
        double wavefronts = mix.SharedWavefronts - (s.Broadcast ? SharedBroadcast.Saved(plan, mix) : 0);
        double shared = w.WarpsOnSm * wavefronts / SharedWavefrontsPerClock;
        double l1 = L1Cycles(w, mix, traffic, s);
        return (issue, warp, shared, l1, Math.Max(Math.Max(issue, warp), Math.Max(shared, l1)));
    }

    /// <summary>Cycles of one staging-loop trip on one SM: the slowest of issue, lone warp, shared stores and the L1 lines of its loads (<see cref="LaunchTraffic.LinesA"/>: the staged operand's).</summary>
    private static double Staging(Wave w, KernelProfile p, Scenario s, LaunchTraffic t)
    {
        if (p.StagingCode.Count == 0)
        {
            return 0;
        }

        var mix = SassMix.Of(p.StagingCode);
        double issue = w.PerScheduler * mix.Instructions / IssuePerClock;
        double shared = w.WarpsOnSm * mix.SharedWavefronts / SharedWavefrontsPerClock;
        double l1 = w.WarpsOnSm * mix.GlobalLoads * Math.Max(1, (t.LinesA?.Mean ?? 1) / s.L1LinesPerClock);
        return Math.Max(Math.Max(issue, p.StagingCycles(s.Latencies)), Math.Max(shared, l1));
    }

    /// <summary>L1 cycles per iteration for the warps of one SM.</summary>
    private static double L1Cycles(Wave w, SassMix mix, LaunchTraffic t, Scenario s)
    {
        double Cost(WarpLines? lines) => Math.Max(1, (lines?.Mean ?? 1) / s.L1LinesPerClock);
        return t.LinesA is null
            ? w.WarpsOnSm * mix.GlobalLoads * Cost(null)
            : w.Groups * ((t.WarpLoadsA * Cost(t.LinesA)) + (t.WarpLoadsB * Cost(t.LinesB)));
    }

    /// <summary>
    /// How a launch sits on its busiest SM (ceil(blocks / SMs) groups): <see cref="Waves"/> waves of
    /// <see cref="Groups"/> resident groups, their warps and warps per scheduler, then
    /// <see cref="Rest"/>, the last wave of the groups left over (null when they divide evenly),
    /// which runs with fewer warps per scheduler.
    /// </summary>
    internal sealed record Wave(int Groups, int WarpsOnSm, int PerScheduler, double Waves, Wave? Rest)
    {
        /// <summary>The full waves, then the last smaller one.</summary>
        public IEnumerable<Wave> Parts => Rest is null ? [this] : [this, Rest];

        public static Wave Of(ModelLaunch l, KernelProfile p, GpuSpec gpu)
        {
            // a grouped kernel launched with fewer threads than its attribute's (ChannelReduce.Fit) fits more groups
            int resident = Math.Max(1, l.Threads == p.GroupSize ? p.BlocksPerSm : GpuArch.Sm90.BlocksPerSm(p.Sm90.Registers, l.Threads, p.Sm90.SharedBytes));
            int perSm = (int)Math.Max(1, Math.Ceiling(l.Blocks / (double)gpu.Sms));
            int full = perSm / resident;
            int rest = perSm % resident;
            return full == 0
                ? Sized(rest, l.Threads, 1, null)
                : Sized(resident, l.Threads, full, rest == 0 ? null : Sized(rest, l.Threads, 1, null));
        }

        private static Wave Sized(int groups, int threads, int waves, Wave? rest)
        {
            int warps = groups * (int)Math.Ceiling(threads / 32.0);
            return new Wave(groups, warps, (warps + GpuSpec.Schedulers - 1) / GpuSpec.Schedulers, waves, rest);
        }
    }

    /// <summary>The terms of one launch's estimate (microseconds; each the launch's whole time were it the only limit) and its warps per scheduler.</summary>
    internal sealed record Breakdown(double Issue, double Warp, double Shared, double L1, double Straight, double Dram, double Atomics, double Total, int WarpsPerScheduler)
    {
        public string Bound =>
            Math.Max(Math.Max(Math.Max(Issue, Warp), Math.Max(Shared, L1)), Math.Max(Math.Max(Dram, Atomics), Straight)) switch
            {
                var m when m <= 0 => "launch",
                var m when m == Straight => "straight-line",
                var m when m == Issue => "issue",
                var m when m == Warp => "lone warp",
                var m when m == Shared => "shared",
                var m when m == L1 => "L1",
                var m when m == Atomics => "atomics",
                _ => "DRAM",
            };
    }
}
