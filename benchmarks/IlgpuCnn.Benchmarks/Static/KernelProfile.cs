using System.Reflection;
using IlgpuCnn.Benchmarks.Toolchain;
using IlgpuCnn.Device;

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

    public static KernelProfile Build(MethodInfo method, string workDir, int designFfmaPerKStep, int designStsPerKStep)
    {
        string name = KernelCatalog.ShortName(method);
        string ptx = KernelCatalog.CompilePtx(method);
        var sm90 = PtxAssembler.Assemble(ptx, "sm_90", workDir, name);
        var sm80 = PtxAssembler.Assemble(ptx, "sm_80", workDir, name);
        var sass = SassListing.Parse(CudaTools.Run("cuobjdump", ["-sass", sm90.CubinPath], workDir));
        var attr = method.GetCustomAttribute<KernelAttribute>()!;
        int group = attr.Grouped ? attr.GroupSize : GpuArch.Sm90.AutoGroupSize(sm90.Registers, sm90.SharedBytes);
        var loop = LoopShape.Of(sass, designFfmaPerKStep, designStsPerKStep);
        int inLoops = sass.Code.Count(i => sass.Loops.Any(l => i.Address >= l.Start && i.Address <= l.End));
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
            StraightLine = sass.Code.Count - inLoops,
            TotalInstructions = sass.Code.Count,
        };
    }

    /// <summary>The hot loop's mix, the K step's (for tiled GEMMs) and the exposed round trips per iteration.</summary>
    private sealed record LoopShape(SassMix? HotMix, SassMix? KStep, int Trips)
    {
        public static LoopShape Of(SassListing sass, int designFfma, int designSts)
        {
            var hot = sass.HotLoop();
            if (hot is null)
            {
                return new LoopShape(null, null, 0);
            }

            var hotMix = SassMix.Of(hot.Body);
            var k = hotMix.Ffma > 0 ? sass.Enclosing(hot) : null;
            if (k is not null && SassMix.Of(k.Body).Barriers > 0)
            {
                var expanded = Expand(sass, k, designFfma, designSts);
                return new LoopShape(hotMix, SassMix.Of(expanded), Toolchain.RoundTrips.Exposed(expanded));
            }

            if (hotMix.Barriers > 0 && hotMix.Ffma >= designFfma)
            {
                // The compute loop is unrolled into the K loop: the hot loop is the K step, or
                // several of them where ptxas unrolled the K loop too (FFMA counts the steps).
                int steps = Math.Max(1, hotMix.Ffma / Math.Max(1, designFfma));
                var kStep = hotMix.Per(steps);
                return new LoopShape(kStep, kStep, (Toolchain.RoundTrips.Exposed(hot.Body) + steps - 1) / steps);
            }

            return new LoopShape(hotMix, null, Toolchain.RoundTrips.Exposed(hot.Body));
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
