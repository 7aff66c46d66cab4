using ILGPU;
using ILGPU.Runtime;
using IlgpuCnn.Benchmarks.Toolchain;
using IlgpuCnn.Tensors;

namespace IlgpuCnn.Tests.Device;

/// <summary>The pieces of the static profile that can be checked without NVIDIA's tools: the CPU launch counter and the SASS reader.</summary>
[Collection(DeviceCollection.Name)]
public sealed class StaticProfileToolsTests
{
    private readonly DeviceFixture _fx;

    public StaticProfileToolsTests(DeviceFixture fx) => _fx = fx;

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
}
