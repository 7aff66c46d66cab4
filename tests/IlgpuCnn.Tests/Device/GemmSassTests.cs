using IlgpuCnn.Benchmarks.Toolchain;

namespace IlgpuCnn.Tests.Device;

/// <summary>
/// The SASS (ptxas 12.4, sm_80 and sm_90; no GPU) of the GEMM kernels the recipe runs on CUDA, for
/// what the source cannot show: that every global load of the K loop is issued at least
/// <see cref="PrefetchDistance"/> instructions before its first use, counted along the load's path
/// through the loop and across its back edge (the register prefetch overlaps a K step's math instead of being sunk by
/// ptxas to just before the shared stores), and that the epilogue after the K loop does no
/// emulated integer division (the output's row cursor splits its first row by a host-prepared
/// <see cref="IlgpuCnn.Kernels.Divisor"/>). Missing tools fail
/// with the sentence naming the fetch script.
/// </summary>
public sealed class GemmSassTests
{
    /// <summary>Instructions between a K-loop load and its first use: about a third of a 64×64 K step (~720 instructions), enough for an L2 round trip at one instruction per cycle.</summary>
    public const int PrefetchDistance = 200;

    private readonly ITestOutputHelper _out;

    public GemmSassTests(ITestOutputHelper output) => _out = output;

    public static TheoryData<string, string> PrefetchingKernels() => Cross(
        "Conv2dKernels.ForwardRun64Kernel",
        "Conv2dKernels.ForwardRun32Kernel",
        "Conv2dKernels.BackwardDataRun64Kernel",
        "Conv2dKernels.BackwardDataRun32Kernel",
        "Conv2dKernels.BackwardWeightsRun64Kernel",
        "Conv2dKernels.BackwardWeightsRunShortKernel",
        "Conv2dKernels.ForwardCursorKernel");

    public static TheoryData<string, string> NchwEpilogueKernels() => Cross(
        "Conv2dKernels.ForwardRun64Kernel",
        "Conv2dKernels.ForwardRun32Kernel",
        "Conv2dKernels.BackwardDataRun64Kernel",
        "Conv2dKernels.BackwardDataRun32Kernel",
        "Conv2dKernels.ForwardCursorKernel",
        "Conv2dKernels.BackwardDataCursorKernel");

    [Theory]
    [MemberData(nameof(PrefetchingKernels))]
    public void KLoopLoadsAreIssuedAKStepAheadOfTheirUse(string kernel, string arch)
    {
        var (_, loop) = KLoop(kernel, arch);
        var distances = LoadToUse(loop).ToList();
        _out.WriteLine($"{kernel} {arch}: K loop of {loop.Count} instructions, {distances.Count} global loads, load-to-use {string.Join(" ", distances.Select(d => d.Distance))}");
        Assert.NotEmpty(distances);
        var near = distances.Where(d => d.Distance < PrefetchDistance).ToList();
        Assert.True(near.Count == 0, $"{kernel} on {arch}: {near.Count} of the K loop's {distances.Count} global loads are used fewer than {PrefetchDistance} instructions after they are issued ({string.Join(", ", near.Select(d => $"{d.Load.Address:x4}: {d.Distance}"))}): the prefetch does not overlap the math; keep the loads unconditional and before the barrier that opens the math");
    }

    [Theory]
    [MemberData(nameof(NchwEpilogueKernels))]
    public void EpilogueDoesNotDivide(string kernel, string arch)
    {
        var (code, loop) = KLoop(kernel, arch);
        int end = loop[^1].Address;
        var epilogue = code.Where(i => i.Address > end).ToList();
        int divisions = SassMix.Of(epilogue).Divisions;
        _out.WriteLine($"{kernel} {arch}: epilogue of {epilogue.Count} instructions, {divisions} emulated divisions (I2F.RP)");
        Assert.True(divisions == 0, $"{kernel} on {arch} does {divisions} emulated integer divisions after its K loop: the output should split its first row by a host-prepared Divisor and step the others (NchwOut.Seek/Next)");
    }

    public static TheoryData<string, string> WeightGradientKernels() => Cross(
        "Conv2dKernels.BackwardWeightsRun64Kernel",
        "Conv2dKernels.BackwardWeightsRunShortKernel",
        "Conv2dKernels.BackwardWeightsCursorKernel",
        "DenseKernels.GradGemmSmallKernel");

    /// <summary>
    /// A split weight gradient adds with global reductions (REDG: fire and forget), never with the
    /// generic ATOM.E ptxas makes of ILGPU's generic-address <c>red.add.f32</c>, whose result
    /// predicate the warp waits for before its fallback branches (FloatAtomic.AddAt).
    /// </summary>
    [Theory]
    [MemberData(nameof(WeightGradientKernels))]
    public void WeightGradientsAddWithGlobalReductions(string kernel, string arch)
    {
        var (code, _) = KLoop(kernel, arch);
        // float adds (the slice counters of the in-kernel sums are integer atomics whose result is used)
        var adds = code.Where(i => i.Base is "ATOM" or "ATOMG" or "RED" or "REDG" or "ATOMS" && i.Opcode.Contains("F32", StringComparison.Ordinal)).ToList();
        int spaceChecks = code.Count(i => i.Base == "QSPC");
        _out.WriteLine($"{kernel} {arch}: {string.Join(", ", adds.GroupBy(i => i.Opcode).Select(g => $"{g.Count()} {g.Key}"))}; {spaceChecks} QSPC");
        Assert.True(adds.Count > 0 && adds.All(i => i.Base is "RED" or "REDG") && spaceChecks == 0, $"{kernel} on {arch} adds with {string.Join(", ", adds.Select(i => i.Opcode).Distinct())} and {spaceChecks} address-space checks (QSPC): expected only global reductions (RED/REDG from red.global); a generic-address add waits for its result predicate per add");
    }

    [Fact]
    public void LoadToUseCountsAcrossTheBackEdge()
    {
        var body = new List<SassInstruction>
        {
            new(0x00, "FFMA", "R1, R2, R3, R1"),
            new(0x10, "STS", "[R9], R4"),
            new(0x20, "LD.E", "R4, desc[UR4][R6.64]"),
            new(0x30, "LD.E.64", "R10, desc[UR4][R6.64+0x4]"),
            new(0x40, "FADD", "R12, R11, R1"),
            new(0x50, "BRA", "0x0"),
        };
        var d = LoadToUse(body).Select(x => x.Distance).ToList();
        Assert.Equal(new[] { 5, 1 }, d); // R4: used by the STS after the back edge; R11 (of R10.64): the next instruction
    }

    private static TheoryData<string, string> Cross(params string[] kernels)
    {
        var data = new TheoryData<string, string>();
        foreach (string k in kernels)
        {
            foreach (var arch in GpuArch.All)
            {
                data.Add(k, arch.Name);
            }
        }

        return data;
    }

    /// <summary>The kernel's SASS and its K loop: the smallest loop holding both a barrier and FFMA.</summary>
    private static (IReadOnlyList<SassInstruction> Code, List<SassInstruction> Loop) KLoop(string kernel, string arch)
    {
        Assert.True(CudaTools.Find("ptxas") is not null && CudaTools.Find("cuobjdump") is not null, CudaTools.MissingMessage("ptxas"));
        var method = KernelCatalog.Kernels().Single(m => KernelCatalog.ShortName(m) == kernel);
        using var dir = new TempDirectory();
        var assembled = PtxAssembler.Assemble(KernelCatalog.CompilePtx(method), arch, dir.Path, method.Name);
        var listing = SassListing.Parse(CudaTools.Run("cuobjdump", ["-sass", assembled.CubinPath], dir.Path));
        var loop = listing.Loops
            .Where(l => SassMix.Of(l.Body) is { Ffma: > 0, Barriers: > 0 })
            .OrderBy(l => l.End - l.Start)
            .FirstOrDefault();
        Assert.True(loop is not null, $"{kernel} on {arch}: no loop with both a barrier and FFMA in its SASS");
        return (listing.Code, loop.Body.Where(i => i.Opcode != "NOP").ToList());
    }

    /// <summary>For each global load of a loop body: instructions from it to the first instruction that reads what it loaded, along the load's own path (<see cref="LoadUses"/>: an unconditional forward branch jumps over another path's code, as the Cursor bodies' A and B staging), following the loop round its back edge.</summary>
    private static IEnumerable<(SassInstruction Load, int Distance)> LoadToUse(List<SassInstruction> body) =>
        LoadUses.Of(body).Select(u => (body[u.Index], u.Distance));
}
