using ILGPU;
using ILGPU.Runtime;
using IlgpuCnn.Benchmarks.Toolchain;
using IlgpuCnn.Kernels;
using IlgpuCnn.Tensors;

namespace IlgpuCnn.Tests.Device;

/// <summary>
/// The pieces of the static profile that can be checked without NVIDIA's tools: the CPU launch
/// counter, the SASS reader with its control bits, the lone-warp timing, the load-to-use distance
/// across a loop's back edge, and the address simulation of one warp's loads.
/// </summary>
[Collection(DeviceCollection.Name)]
public sealed class StaticProfileToolsTests
{
    private readonly DeviceFixture _fx;
    private readonly ITestOutputHelper _out;

    public StaticProfileToolsTests(DeviceFixture fx, ITestOutputHelper output) => (_fx, _out) = (fx, output);

    [Fact]
    public void CpuLaunchCounterCountsOnePerLaunchAndMemSetsSeparately()
    {
        Assert.SkipWhen(_fx.Device.IsCuda, "the launch counter reads the CPU accelerator");
        var device = _fx.Device;
        var launches = CpuLaunchCounter.For(device);
        using var buffer = device.Accelerator.Allocate1D<float>(37);
        var kernels = TensorKernels.For(device);
        long before = launches(), memsets = device.MemSets;
        kernels.Fill(buffer.View, 2f);
        kernels.Fill(buffer.View, 3f);
        Assert.Equal(2, launches() - before);
        device.Zero<float>(buffer.View);
        Assert.Equal(2, launches() - before);
        Assert.Equal(1, device.MemSets - memsets);
        ArrayView<float> view = buffer.View;
        Assert.All(view.GetAsArray(), v => Assert.Equal(0f, v));
    }

    [Fact]
    public void SassListingFindsTheLoopAndItsMix()
    {
        const string sass = """
                /*0000*/                   MOV R1, c[0x0][0x28] ;
                /*0010*/                   LD.E R4, [R2.64] ;
                /*0020*/                   STS [R5], R4 ;
                /*0030*/                   BAR.SYNC.DEFER_BLOCKING 0x0 ;
                /*0040*/                   LDS.128 R8, [R6] ;
                /*0050*/                   LDS R12, [R6+0x10] ;
                /*0060*/                   FFMA R20, R8, R12, R20 ;
                /*0070*/                   FFMA R21, R9, R12, R21 ;
                /*0080*/                   I2F.U32.RP R3, R7 ;
                /*0090*/              @!P0 BRA 0x40 ;
                /*00a0*/              @!P1 BRA 0x10 ;
                /*00b0*/                   EXIT ;
            """;
        var listing = SassListing.Parse(sass);
        Assert.Equal(12, listing.Code.Count);
        Assert.Equal(2, listing.Loops.Count);
        var hot = listing.HotLoop()!;
        Assert.Equal(0x40, hot.Start);
        var mix = SassMix.Of(hot.Body);
        Assert.Equal((2, 1, 1, 1), (mix.Ffma, mix.SharedLoads32, mix.SharedLoads128, mix.Divisions));
        Assert.Equal(5, mix.SharedWavefronts);
        var k = listing.Enclosing(hot)!;
        Assert.Equal(0x10, k.Start);
        // The load's result is stored to shared memory right away: one exposed round trip.
        Assert.Equal(1, RoundTrips.Exposed(k.Body));
    }

    /// <summary>A SASS line as cuobjdump prints it: instruction and low word, then the high word with the control bits.</summary>
    private static string Line(int address, string text, int stall, int writeBarrier = 7, int readBarrier = 7, int waitMask = 0)
    {
        ulong control = (ulong)(stall | (writeBarrier << 5) | (readBarrier << 8) | (waitMask << 11));
        return $"        /*{address:x4}*/ {text} ;   /* 0x0000000000000000 */\n" +
            $"                                   /* 0x{control << 41:x16} */\n";
    }

    [Fact]
    public void ControlBitsDecodeAsPtxasWritesThem()
    {
        // Two instructions of a real sm_90 listing (ForwardRun64Kernel): I2F.RP sets scoreboard 3, MUFU.RCP waits for it and sets it again.
        const string sass = """
                    /*00b0*/                   I2F.RP R3, R2 ;                                     /* 0x0000000200037306 */
                                                                                                   /* 0x000ee20000209400 */
                    /*0160*/                   MUFU.RCP R3, R3 ;                                   /* 0x0000000300037308 */
                                                                                                   /* 0x008ee20000001000 */
                    /*0170*/              @!P5 LD.E R24, desc[UR14][R12.64] ;                  /* 0x0000000e0c18d980 */
                                                                                                   /* 0x000164000c101900 */
            """;
        var code = SassListing.Parse(sass).Code;
        Assert.Equal(new SassControl(1, 3, 7, 0, true), code[0].Control);
        Assert.Equal(new SassControl(1, 3, 7, 1 << 3, true), code[1].Control);
        Assert.Equal("@!P5", code[2].Guard);
        Assert.True(code[2].IsPredicated && code[2].IsGlobalLoad);
        Assert.False(code[0].IsPredicated);
    }

    [Fact]
    public void ALoadUsedAcrossTheBackEdgeShowsItsLatencyInTheLoneWarpsCycles()
    {
        // Body: the staged value is stored to shared memory first (waiting for scoreboard 0), 40 FFMA of 2 cycles, then the next pass's predicated load.
        var lines = new System.Text.StringBuilder();
        lines.Append(Line(0, "STS [R5], R4", 1, waitMask: 1));
        for (int i = 0; i < 40; i++)
        {
            lines.Append(Line(16 * (i + 1), "FFMA R20, R8, R12, R20", 2));
        }

        lines.Append(Line(16 * 41, "@P3 LD.E R4, desc[UR14][R2.64]", 1, writeBarrier: 0));
        var body = SassListing.Parse(lines.ToString()).Code;
        Assert.Equal(42, body.Count);
        Assert.Equal(82, WarpTiming.StallCycles(body));
        var uses = LoadUses.Of(body);
        Assert.Equal(new LoadUse(41, true, 1), Assert.Single(uses));
        // Steady state: the load, issued 81 cycles into a pass, is waited for at the top of the next: 81 + its latency per pass.
        Assert.Equal(581, WarpTiming.SteadyCycles(body, new WarpLatencies(Global: 500)), 6);
        Assert.Equal(91, WarpTiming.SteadyCycles(body, new WarpLatencies(Global: 10)), 6);
        // A load that returns within its one stall cycle leaves the stall counts.
        Assert.Equal(82, WarpTiming.SteadyCycles(body, new WarpLatencies(Global: 1)), 6);
    }

    [Fact]
    public void LoadUseDistanceCountsTheInstructionsBetweenALoadAndItsReader()
    {
        var lines = new System.Text.StringBuilder();
        lines.Append(Line(0, "LD.E R4, desc[UR14][R2.64]", 1, writeBarrier: 0));
        lines.Append(Line(16, "IADD3 R6, R7, R8, RZ", 1));
        lines.Append(Line(32, "FADD R9, R4, R4", 1, waitMask: 1));
        lines.Append(Line(48, "BRA 0x0", 1));
        var use = Assert.Single(LoadUses.Of(SassListing.Parse(lines.ToString()).Code));
        Assert.Equal(new LoadUse(0, false, 2), use);
    }

    [Fact]
    public void LoadUseDistanceFollowsTheLoadsPathOverAnotherPathsCode()
    {
        // The load's path jumps over code of the other path (which reuses R4) to its own reader.
        var lines = new System.Text.StringBuilder();
        lines.Append(Line(0x00, "LD.E R4, desc[UR14][R2.64]", 1, writeBarrier: 0));
        lines.Append(Line(0x10, "BRA 0x30", 1));
        lines.Append(Line(0x20, "FADD R9, R4, R4", 1));
        lines.Append(Line(0x30, "IADD3 R6, R7, R8, RZ", 1));
        lines.Append(Line(0x40, "FADD R10, R4, R4", 1, waitMask: 1));
        lines.Append(Line(0x50, "BRA 0x0", 1));
        var use = Assert.Single(LoadUses.Of(SassListing.Parse(lines.ToString()).Code));
        Assert.Equal(new LoadUse(0, false, 3), use);
    }

    [Fact]
    public void TheWarpAddressSimulationCountsCacheLinesThroughTheOperandsOwnIndexCode()
    {
        Assert.SkipWhen(_fx.Device.IsCuda, "the simulation reads an index-valued buffer on the CPU accelerator");
        // 32 output channels of 16 input channels: forward weights are read from the transposed copy, one column (co) per
        // lane, the 32 lanes' floats consecutive: one line a load (from w itself they would be 16·9 floats apart, a line each).
        var g = new ConvGeometry(2, 16, 8, 8, 32, 3, 3, 1, 1);
        using var w = new WarpAddresses(_fx.Device, (long)g.Co * g.Ci * 9);
        var weights = WarpAddresses.Runs(new ForwardWeightsRun(w.View, g), [0], [0, 16, 32], g.Co);
        Assert.Equal((1.0, 1, 24), (weights.Mean, weights.Max, weights.Loads));

        // The patches of x: 32 consecutive output pixels (4 rows of 8) of one channel plane, 1-pixel padding: at most 3 lines a load.
        using var x = new WarpAddresses(_fx.Device, (long)g.N * g.Ci * g.H * g.W);
        var patches = WarpAddresses.Runs(ConvTapRun.Forward(x.View, g), [0, 32, 96], [0, 8, 64], g.N * g.H * g.W);
        Assert.InRange(patches.Max, 1, 3);

        // A row-major matrix read along k with lanes along rows (the dense A) vs along columns (the dense B).
        using var m = new WarpAddresses(_fx.Device, 64 * 40);
        Assert.Equal(32, WarpAddresses.Cursor(new StridedCursor(m.View, 40, 1), [0], [0], 64, 4).Max);
        Assert.Equal(1.0, WarpAddresses.Cursor(new StridedCursor(m.View, 1, 64), [0], [0, 4], 32, 4).Mean);
    }

    /// <summary>MultiplyTile's 16-byte shared loads: A (float4 2·ty, two or four addresses per warp, lane pairs equal) in 2 wavefronts, B (float4 tx, 16 distinct) in 4.</summary>
    [Fact]
    public void SharedLoadsWhoseLanePairsShareAnAddressTakeTwoWavefronts()
    {
        Assert.Equal(2, SharedBroadcast.Wavefronts128(lane => 2 * (lane >> 4)));
        Assert.Equal(2, SharedBroadcast.Wavefronts128(lane => 2 * (lane >> 3)));
        Assert.Equal(4, SharedBroadcast.Wavefronts128(lane => lane & 15));
        Assert.Equal(4, SharedBroadcast.Wavefronts128(lane => lane == 31 ? 0 : 1));
    }

    [Theory]
    [InlineData(GemmStoreMode.Write, 4, false)]
    [InlineData(GemmStoreMode.Add, 7, true)]
    [InlineData(GemmStoreMode.AtomicAdd, 4, false)]
    public void TheEpilogueWalkFollowsTheStoreModesPathOnly(GemmStoreMode mode, int issued, bool waitsForALoad)
    {
        // if (atomic) atomic add; else if (add) load-add-store; else store — as GemmStore.Put inlines it.
        string sass =
            Line(0x00, "@P0 BRA 0x30", 1) +
            Line(0x10, "ATOM.E.ADD.F32.FTZ.RN.STRONG.GPU PT, RZ, desc[UR4][R2.64], R4", 1) +
            Line(0x20, "BRA 0x90", 1) +
            Line(0x30, "@P1 BRA 0x80", 1) +
            Line(0x40, "LD.E R6, desc[UR4][R2.64]", 1, writeBarrier: 0) +
            Line(0x50, "FADD R6, R6, R4", 1, waitMask: 1) +
            Line(0x60, "ST.E desc[UR4][R2.64], R6", 1) +
            Line(0x70, "BRA 0x90", 1) +
            Line(0x80, "ST.E desc[UR4][R2.64], R4", 1) +
            Line(0x90, "EXIT", 1);
        var code = SassListing.Parse(sass).Code;
        var (cycles, count) = EpilogueWalk.Run(code, 0, new WarpLatencies(Global: 450), mode);
        Assert.Equal(issued, count);
        Assert.Equal(waitsForALoad, cycles > 450);
    }

    [Fact]
    public void ABiasLoadBeforeAStoreElsewhereIsAPlainWriteNotAnAdd()
    {
        string region =
            Line(0x00, "LD.E R6, desc[UR4][R8.64]", 1, writeBarrier: 0) +
            Line(0x10, "FADD R6, R6, R4", 1, waitMask: 1) +
            Line(0x20, "ST.E desc[UR4][R2.64], R6", 1);
        var code = SassListing.Parse(region).Code;
        Assert.True(EpilogueWalk.Skips(code, GemmStoreMode.Add));
        Assert.False(EpilogueWalk.Skips(code, GemmStoreMode.Write));
    }

    /// <summary>
    /// The Run kernels' K loops read through ptxas 12.4 as the static command reads them: one whole K
    /// step of 512 FFMA, its global loads with their load-to-use distance across the back edge, and
    /// the stall cycles of a lone warp. The output lists issue 17's first SASS criterion per kernel
    /// (predicated loads closer than 200 instructions to their use); the static command judges it per launch.
    /// </summary>
    [Theory]
    [InlineData("IlgpuCnn.Kernels.Conv2dKernels.ForwardRun64Kernel")]
    [InlineData("IlgpuCnn.Kernels.Conv2dKernels.BackwardWeightsRun64Kernel")]
    public void TheKLoopOfARealKernelIsReadAcrossItsBackEdge(string kernel)
    {
        Assert.True(CudaTools.Find("ptxas") is not null && CudaTools.Find("cuobjdump") is not null, CudaTools.MissingMessage("ptxas/cuobjdump"));
        var method = KernelCatalog.Find(kernel);
        using var dir = new TempDirectory();
        var k = PtxAssembler.Assemble(KernelCatalog.CompilePtx(method), "sm_90", dir.Path, method.Name);
        var sass = SassListing.Parse(CudaTools.Run("cuobjdump", ["-sass", k.CubinPath], dir.Path));
        var loop = sass.HotLoop()!;
        var mix = SassMix.Of(loop.Body);
        var uses = LoadUses.Of(loop.Body);
        int stalls = WarpTiming.StallCycles(loop.Body);
        int close = uses.Count(u => u.Predicated && u.Distance < 200);
        _out.WriteLine($"{method.Name}: K step {loop.Body.Count} instructions, {mix.Ffma} FFMA, {stalls} stall cycles; {uses.Count} global loads, load-to-use {uses.Min(u => u.Distance)}–{uses.Max(u => u.Distance)} instructions across the back edge, {close} predicated closer than 200");
        Assert.True(sass.Code.All(i => i.Control.Known), "every instruction of cuobjdump's listing carries its control bits");
        Assert.True(mix.Ffma > 0 && mix.Ffma % 512 == 0, $"the hot loop holds {mix.Ffma} FFMA, not whole K steps of 512");
        Assert.NotEmpty(uses);
        Assert.All(uses, u => Assert.InRange(u.Distance, 1, 2 * loop.Body.Count));
        Assert.InRange(stalls, loop.Body.Count, 16 * loop.Body.Count);
    }
}
