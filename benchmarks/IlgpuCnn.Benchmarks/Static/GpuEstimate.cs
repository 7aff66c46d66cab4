namespace IlgpuCnn.Benchmarks.Static;

/// <summary>A GPU for the static estimate: public datasheet figures.</summary>
internal sealed record GpuSpec(string Name, int Sms, double ClockGHz, double DramTBs);

/// <summary>
/// Time of one stream operation from counted SASS figures and modelled grids: the slowest of an
/// issue bound (warp instructions over 4 schedulers per SM), a shared-memory bound (one 128-byte
/// wavefront per clock per SM), a latency bound (exposed global round trips, serial per thread,
/// overlapped across the groups resident on an SM) and a DRAM bound (compulsory bytes), plus a
/// fixed cost per stream operation. Every constant is printed with the result.
/// </summary>
internal static class GpuEstimate
{
    public static readonly GpuSpec H100Sxm = new("H100 SXM", 132, 1.755, 3.35);
    public static readonly GpuSpec H200 = new("H200", 132, 1.755, 4.8);

    public const double IssuePerClock = 4;          // warp instructions per clock per SM (4 schedulers)
    public const double SharedWavefrontsPerClock = 1; // 128 bytes per clock per SM
    public const double LatencyCycles = 550;        // one global load round trip (between an L2 hit and DRAM)
    public const double DramEfficiency = 0.8;       // achievable share of peak DRAM bandwidth
    public const double PerOperationMicroseconds = 2.0; // launch gap per kernel or memset on one stream (no CUDA graph)

    public static IReadOnlyList<string> Assumptions(GpuSpec a, GpuSpec b) =>
    [
        $"{a.Name}: {a.Sms} SMs at {a.ClockGHz} GHz (sustained boost), {a.DramTBs} TB/s HBM; {b.Name}: {b.Sms} SMs at {b.ClockGHz} GHz, {b.DramTBs} TB/s (datasheets; clock assumed).",
        $"Issue bound: {IssuePerClock} warp instructions per clock per SM; instructions per warp = per-thread loop trips x SASS instructions of one trip (a whole K step for tiled GEMMs, nested loops expanded) + straight-line code.",
        $"Shared-memory bound: {SharedWavefrontsPerClock} wavefront (128 bytes) per clock per SM; LDS.32 = 1, LDS.64 = 2, LDS.128 = 4, STS = 1 wavefront per warp.",
        $"Latency bound: {LatencyCycles} cycles per exposed global round trip (a load's result used within 64 instructions of its issue), serial within a thread, overlapped by the groups resident on one SM; +1 round trip per thread for its first load.",
        $"DRAM bound: compulsory bytes (each tensor read or written once per launch; re-reads of tiles assumed to hit L2) at {DramEfficiency:P0} of peak.",
        $"Per stream operation: +{PerOperationMicroseconds} us (launch gap between back-to-back kernels on one stream without CUDA graphs; host enqueue assumed to run ahead).",
        "Groups per SM: the occupancy from ptxas's registers and shared memory (sm_90 limits); groups spread evenly, ceil(blocks / SMs) per SM, in waves of the resident count.",
        "Auto-grouped kernels: the group size CUDA's occupancy calculator picks (largest multiple of 32 with the highest occupancy).",
        "Tiled GEMMs: one K step = the K loop's SASS with nested loops repeated by their design trip counts; where ptxas unrolled the K loop itself into n K steps (n times the design's FFMA per K step), its counts are divided by n. Both sides of a warp-uniform branch in the K loop count for every warp.",
        "Not modelled: tensor cores (unused), L2 misses beyond compulsory traffic, bank conflicts, barrier stalls, clock throttling, host-side work between steps.",
    ];

    /// <summary>Estimated microseconds of one launch on <paramref name="gpu"/>.</summary>
    public static Breakdown Time(ModelLaunch l, KernelProfile? p, GpuSpec gpu)
    {
        double dram = l.Bytes / (gpu.DramTBs * 1e12 * DramEfficiency) * 1e6;
        if (l.IsMemSet || p is null)
        {
            return new Breakdown(0, 0, 0, dram, dram + PerOperationMicroseconds);
        }

        int resident = Math.Max(1, p.BlocksPerSm);
        double perSm = Math.Ceiling(l.Blocks / (double)gpu.Sms);
        double waves = Math.Ceiling(perSm / resident);
        double warps = Math.Ceiling(l.Threads / 32.0);
        var mix = p.PerIteration;
        double instrPerWarp = (l.Iterations * mix.Instructions) + p.StraightLine;
        double cyclesPerUs = gpu.ClockGHz * 1e3;
        double issue = perSm * warps * instrPerWarp / IssuePerClock / cyclesPerUs;
        double shared = perSm * warps * l.Iterations * mix.SharedWavefronts / SharedWavefrontsPerClock / cyclesPerUs;
        double latency = waves * ((l.Iterations * p.RoundTrips) + 1) * LatencyCycles / cyclesPerUs;
        double t = Math.Max(Math.Max(issue, shared), Math.Max(latency, dram)) + PerOperationMicroseconds;
        return new Breakdown(issue, shared, latency, dram, t);
    }

    /// <summary>The terms of one launch's estimate (microseconds).</summary>
    internal sealed record Breakdown(double Issue, double Shared, double Latency, double Dram, double Total)
    {
        public string Bound =>
            Math.Max(Math.Max(Issue, Shared), Math.Max(Latency, Dram)) switch
            {
                var m when m <= 0 => "launch",
                var m when m == Issue => "issue",
                var m when m == Shared => "shared",
                var m when m == Latency => "latency",
                _ => "DRAM",
            };
    }
}
