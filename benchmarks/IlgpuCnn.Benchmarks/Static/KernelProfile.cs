using System.Reflection;
using IlgpuCnn.Benchmarks.Toolchain;
using IlgpuCnn.Device;
using IlgpuCnn.Kernels;

namespace IlgpuCnn.Benchmarks.Static;

/// <summary>
/// What the static profile knows of one kernel: ptxas's resources for sm_90 (and sm_80's
/// spills), the group size it is launched with, and the SASS of its hottest loop. For a tiled
/// GEMM (one with a K loop around its compute loop) also the whole K step, nested loops expanded.
/// </summary>
internal sealed class KernelProfile
{
    public required string Name { get; init; }

    public required AssembledKernel Sm90 { get; init; }

    public required AssembledKernel Sm80 { get; init; }

    /// <summary>Threads per group on the GPU: the [Kernel] attribute's, else what CUDA's occupancy calculator picks.</summary>
    public required int GroupSize { get; init; }

    public required bool AutoGrouped { get; init; }

    public required double Occupancy { get; init; }

    public required int BlocksPerSm { get; init; }

    /// <summary>Instruction mix of the hottest loop's body (null: no loop).</summary>
    public SassMix? HotLoop { get; init; }

    /// <summary>Instruction mix of one whole K step (K loop with nested loops expanded), for tiled GEMMs.</summary>
    public SassMix? KStep { get; init; }

    /// <summary>Exposed global round trips per hot-loop iteration (or per K step).</summary>
    public int RoundTrips { get; init; }

    /// <summary>Instructions outside every loop (run once per thread).</summary>
    public int StraightLine { get; init; }

    public int TotalInstructions { get; init; }

    /// <summary>Instructions per warp for one iteration of the work loop (a K step for GEMMs).</summary>
    public SassMix PerIteration => KStep ?? HotLoop ?? SassMix.Of([]);

    /// <summary>The SASS of <see cref="IterationSteps"/> iterations of the work loop as executed (a K step with nested loops expanded; empty: no loop).</summary>
    public IReadOnlyList<SassInstruction> IterationCode { get; init; } = [];

    /// <summary>Iterations <see cref="IterationCode"/> holds (more than 1 where ptxas unrolled the K loop).</summary>
    public int IterationSteps { get; init; } = 1;

    /// <summary>Instructions outside every loop, in order (prologue, epilogue).</summary>
    public IReadOnlyList<SassInstruction> StraightCode { get; init; } = [];

    /// <summary>Global loads of the work loop with their load-to-use distance across the back edge (counted).</summary>
    public IReadOnlyList<LoadUse> LoopLoads => _loopLoads ??= LoadUses.Of(IterationCode);

    /// <summary>
    /// The loop outside the work loop (neither inside nor around it) with the most global loads: a
    /// staging loop run before the work loop (<see cref="DirectConv"/>'s input window; empty: none).
    /// Its trips per thread come from the launch (<see cref="ModelLaunch.StagingTrips"/>).
    /// </summary>
    public IReadOnlyList<SassInstruction> StagingCode { get; init; } = [];

    /// <summary>Steady-state cycles of one lone warp per staging-loop trip (estimated, from the control bits).</summary>
    public double StagingCycles(WarpLatencies l) =>
        StagingCode.Count == 0 ? 0 : Memo(_staging, l, () => WarpTiming.SteadyCycles(StagingCode, l));

    /// <summary>Emulated divisions (I2F.RP) after the work loop, outside every loop: the epilogue's (counted).</summary>
    public int EpilogueDivisions { get; init; }

    /// <summary>Steady-state cycles of one lone warp per work-loop iteration (estimated, from the control bits).</summary>
    public double IterationCycles(WarpLatencies l) =>
        IterationCode.Count == 0 ? 0 : Memo(_iteration, l, () => WarpTiming.SteadyCycles(IterationCode, l) / IterationSteps);

    /// <summary>Cycles of one lone warp through the straight-line code (estimated, from the control bits).</summary>
    public double StraightCycles(WarpLatencies l) => Memo(_straight, l, () => WarpTiming.Cycles(StraightCode, l));

    /// <summary>The whole listing, and the work loop's first and last address (-1: no loop).</summary>
    public IReadOnlyList<SassInstruction> Listing { get; init; } = [];

    public int LoopStart { get; init; } = -1;

    public int LoopEnd { get; init; } = -1;

    /// <summary>
    /// A GEMM's code outside its K loop for one store mode: the straight-line code before the loop,
    /// then the epilogue followed along the branches that mode takes (<see cref="EpilogueWalk"/>):
    /// lone-warp cycles and instructions issued. Without a K loop: the straight-line code.
    /// </summary>
    public (double Cycles, int Issued) Tail(WarpLatencies l, GemmStoreMode mode)
    {
        if (KStep is null || LoopEnd < 0)
        {
            return (StraightCycles(l), StraightLine);
        }

        if (!_tails.TryGetValue((l, mode), out var tail))
        {
            var before = StraightCode.Where(i => i.Address < LoopStart).ToList();
            int after = Listing.Count(i => i.Address <= LoopEnd);
            var walk = EpilogueWalk.Run(Listing, after, l, mode);
            tail = (WarpTiming.Cycles(before, l) + walk.Cycles, before.Count + walk.Issued);
            _tails[(l, mode)] = tail;
        }

        return tail;
    }

    private readonly Dictionary<(WarpLatencies, GemmStoreMode), (double, int)> _tails = new();

    private readonly Dictionary<WarpLatencies, double> _iteration = new();
    private readonly Dictionary<WarpLatencies, double> _straight = new();
    private readonly Dictionary<WarpLatencies, double> _staging = new();
    private IReadOnlyList<LoadUse>? _loopLoads;

    private static double Memo(Dictionary<WarpLatencies, double> memo, WarpLatencies l, Func<double> f)
    {
        if (!memo.TryGetValue(l, out double v))
        {
            v = f();
            memo[l] = v;
        }

        return v;
    }

    public static KernelProfile Build(MethodInfo method, string workDir, int designFfmaPerKStep, int designStsPerKStep)
    {
        string name = KernelCatalog.ShortName(method);
        string ptx = KernelCatalog.CompilePtx(method);
        var sm90 = PtxAssembler.AssembleCached(ptx, "sm_90", workDir, name);
        var sm80 = PtxAssembler.AssembleCached(ptx, "sm_80", workDir, name);
        var sass = SassListing.Parse(Disassemble(sm90.CubinPath, workDir));
        var attr = method.GetCustomAttribute<KernelAttribute>()!;
        int group = attr.Grouped ? attr.GroupSize : GpuArch.Sm90.AutoGroupSize(sm90.Registers, sm90.SharedBytes);
        var loop = LoopShape.Of(sass, designFfmaPerKStep, designStsPerKStep);
        var straight = sass.Code.Where(i => !sass.Loops.Any(l => i.Address >= l.Start && i.Address <= l.End)).ToList();
        return new KernelProfile
        {
            Name = name,
            Sm90 = sm90,
            Sm80 = sm80,
            GroupSize = group,
            AutoGrouped = !attr.Grouped,
            Occupancy = GpuArch.Sm90.Occupancy(sm90.Registers, group, sm90.SharedBytes),
            BlocksPerSm = GpuArch.Sm90.BlocksPerSm(sm90.Registers, group, sm90.SharedBytes),
            HotLoop = loop.HotMix,
            KStep = loop.KStep,
            RoundTrips = loop.Trips,
            StraightLine = straight.Count,
            TotalInstructions = sass.Code.Count,
            IterationCode = loop.Code,
            IterationSteps = loop.Steps,
            StraightCode = straight,
            Listing = sass.Code,
            LoopStart = loop.Start,
            LoopEnd = loop.End,
            StagingCode = loop.End < 0 ? [] : StagingLoop(sass, loop.Start, loop.End),
            EpilogueDivisions = loop.End < 0 ? 0 : straight.Count(i => i.Address > loop.End && i.Base == "I2F" && i.Opcode.Contains(".RP", StringComparison.Ordinal)),
        };
    }

    /// <summary>The body of the outermost loop outside the work loop [<paramref name="start"/>, <paramref name="end"/>] with the most global loads (empty: none).</summary>
    private static IReadOnlyList<SassInstruction> StagingLoop(SassListing sass, int start, int end) =>
        sass.Loops
            .Where(l => (l.End < start || l.Start > end) && !sass.Loops.Any(o => o.Contains(l)))
            .Select(l => l.Body)
            .Where(b => SassMix.Of(b).GlobalLoads > 0)
            .OrderByDescending(b => SassMix.Of(b).GlobalLoads)
            .FirstOrDefault() ?? [];

    /// <summary>cuobjdump -sass of a cubin, kept beside it (and reused while the cubin is not newer).</summary>
    private static string Disassemble(string cubin, string workDir)
    {
        string path = cubin + ".sass";
        if (File.Exists(path) && File.GetLastWriteTimeUtc(path) >= File.GetLastWriteTimeUtc(cubin))
        {
            return File.ReadAllText(path);
        }

        string sass = CudaTools.Run("cuobjdump", ["-sass", cubin], workDir);
        File.WriteAllText(path, sass);
        return sass;
    }

    /// <summary>The hot loop's mix, the K step's (for tiled GEMMs), the exposed round trips per iteration, and the code of <paramref name="Steps"/> iterations as executed (the outer loop ends at <paramref name="End"/>).</summary>
    private sealed record LoopShape(SassMix? HotMix, SassMix? KStep, int Trips, IReadOnlyList<SassInstruction> Code, int Steps, int Start, int End)
    {
        public static LoopShape Of(SassListing sass, int designFfma, int designSts)
        {
            var hot = sass.HotLoop();
            if (hot is null)
            {
                return new LoopShape(null, null, 0, [], 1, -1, -1);
            }

            var hotMix = SassMix.Of(hot.Body);
            var k = hotMix.Ffma > 0 ? sass.Enclosing(hot) : null;
            if (k is not null && SassMix.Of(k.Body).Barriers > 0)
            {
                var expanded = Expand(sass, k, designFfma, designSts);
                return new LoopShape(hotMix, SassMix.Of(expanded), Toolchain.RoundTrips.Exposed(expanded), expanded, 1, k.Start, k.End);
            }

            if (hotMix.Barriers > 0 && hotMix.Ffma >= designFfma)
            {
                // The compute loop is unrolled into the K loop: the hot loop is the K step, or
                // several of them where ptxas unrolled the K loop too (FFMA counts the steps).
                int steps = Math.Max(1, hotMix.Ffma / Math.Max(1, designFfma));
                var kStep = hotMix.Per(steps);
                return new LoopShape(kStep, kStep, (Toolchain.RoundTrips.Exposed(hot.Body) + steps - 1) / steps, hot.Body, steps, hot.Start, hot.End);
            }

            return new LoopShape(hotMix, null, Toolchain.RoundTrips.Exposed(hot.Body), hot.Body, 1, hot.Start, hot.End);
        }
    }

    /// <summary>
    /// One K step as executed: the K loop's own instructions with each loop nested in it repeated
    /// by its trip count, which the design fixes (FFMA per thread per K step for the compute loop,
    /// staged elements per thread for a staging loop).
    /// </summary>
    private static List<SassInstruction> Expand(SassListing sass, SassLoop k, int designFfma, int designSts)
    {
        var nested = sass.Loops.Where(l => k.Contains(l) && !sass.Loops.Any(o => o != k && o.Contains(l) && k.Contains(o))).OrderBy(l => l.Start).ToList();
        var outside = k.Body.Where(i => !nested.Any(l => i.Address >= l.Start && i.Address <= l.End)).ToList();
        var outsideMix = SassMix.Of(outside);
        var result = new List<SassInstruction>();
        foreach (var ins in k.Body)
        {
            var loop = nested.FirstOrDefault(l => ins.Address >= l.Start && ins.Address <= l.End);
            if (loop is null)
            {
                result.Add(ins);
            }
            else if (ins.Address == loop.Start)
            {
                var mix = SassMix.Of(loop.Body);
                int reps = mix.Ffma > 0
                    ? Math.Max(1, (designFfma - outsideMix.Ffma) / mix.Ffma)
                    : mix.SharedStores > 0 ? Math.Max(1, (designSts - outsideMix.SharedStores) / mix.SharedStores) : 1;
                for (int r = 0; r < reps; r++)
                {
                    result.AddRange(loop.Body);
                }
            }
        }

        return result;
    }
}
