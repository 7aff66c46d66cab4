using System.Reflection;
using IlgpuCnn.Benchmarks.Toolchain;
using IlgpuCnn.Device;

namespace IlgpuCnn.Tests.Device;

/// <summary>
/// Every kernel of the library, assembled by NVIDIA's ptxas (CUDA 12.4, fetched by
/// <c>benchmarks/tools/fetch-cuda-tools.sh</c>; no GPU needed) for sm_80 and sm_90: it must
/// assemble, spill nothing, use no stack frame, and fit the group size the code launches it with
/// (registers × threads and shared memory within the architecture's limits; a 1,024-thread kernel
/// at most 64 registers, said in its own sentence). Missing tools fail
/// the test with a sentence naming the fetch script; it is never skipped.
/// </summary>
public sealed class AssemblerTests
{
    /// <summary>Threads of the largest group a kernel is launched with (the per-channel reductions: <c>ChannelReduce.MaxGroup</c>).</summary>
    private const int MaxGroup = IlgpuCnn.Kernels.ChannelReduce.MaxGroup;

    /// <summary>Registers per thread a <see cref="MaxGroup"/>-thread group may use: the 65,536 registers of a multiprocessor shared by 1,024 threads.</summary>
    private const int MaxGroupRegisters = 64;

    /// <summary>Implicitly grouped kernels get ILGPU's occupancy-chosen group size; each must at least fit this many threads.</summary>
    private const int ImplicitGroupSize = 256;

    private readonly ITestOutputHelper _out;

    public AssemblerTests(ITestOutputHelper output) => _out = output;

    public static TheoryData<string, string> KernelsAndArchitectures()
    {
        var data = new TheoryData<string, string>();
        foreach (var m in KernelCatalog.Kernels())
        {
            foreach (var arch in GpuArch.All)
            {
                data.Add(KernelCatalog.FullName(m), arch.Name);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(KernelsAndArchitectures))]
    public void AssemblesWithoutSpillsAndFitsItsLaunch(string name, string archName)
    {
        Assert.True(CudaTools.Find("ptxas") is not null, CudaTools.MissingMessage("ptxas"));
        var method = KernelCatalog.Find(name);
        var arch = GpuArch.All.Single(a => a.Name == archName);
        var attribute = method.GetCustomAttribute<KernelAttribute>()!;
        Assert.True(!attribute.Grouped || attribute.GroupSize > 0, $"{KernelCatalog.ShortName(method)} is a grouped kernel but its [Kernel] attribute does not say its GroupSize");
        int threads = attribute.Grouped ? attribute.GroupSize : ImplicitGroupSize;

        string ptx = KernelCatalog.CompilePtx(method);
        using var dir = new TempDirectory();
        var k = PtxAssembler.Assemble(ptx, arch.Name, dir.Path, method.Name);
        int blocks = arch.BlocksPerSm(k.Registers, threads, k.SharedBytes);
        _out.WriteLine($"{KernelCatalog.ShortName(method)} {arch.Name}: {k.Registers} registers, {k.SharedBytes} bytes shared, stack {k.StackFrame}, spills {k.SpillStores}/{k.SpillLoads}; {threads} threads/group -> {blocks} groups/SM, occupancy {arch.Occupancy(k.Registers, threads, k.SharedBytes):P0}");

        Assert.True(k.SpillStores == 0 && k.SpillLoads == 0, $"{method.Name} spills registers on {arch.Name}: {k.SpillStores} bytes stored, {k.SpillLoads} loaded");
        Assert.True(k.StackFrame == 0, $"{method.Name} uses a {k.StackFrame}-byte stack frame on {arch.Name} (local memory)");
        Assert.True(threads < MaxGroup || k.Registers <= MaxGroupRegisters, $"{method.Name} is launched with {threads} threads per group but uses {k.Registers} registers on {arch.Name} (at most {MaxGroupRegisters}): the launch would fail on a GPU; keep its body lean (fewer live values) or launch fewer threads");
        Assert.True(blocks >= 1, $"{method.Name} does not fit its launch on {arch.Name}: {k.Registers} registers x {threads} threads, {k.SharedBytes} bytes of shared memory");
        Assert.True(blocks >= attribute.MinGroupsPerMultiprocessor, $"{method.Name} asks for {attribute.MinGroupsPerMultiprocessor} groups per SM (its launch bounds) but fits {blocks} on {arch.Name}");
        Assert.True(attribute.MinGroupsPerMultiprocessor == 0 || ptx.Contains($".minnctapersm {attribute.MinGroupsPerMultiprocessor}", StringComparison.Ordinal), $"{method.Name}'s PTX does not carry its launch bounds (.minnctapersm {attribute.MinGroupsPerMultiprocessor})");
        Assert.True(!SplitsK(method.Name) || blocks >= IlgpuCnn.Kernels.KernelPlanner.MaxGroupsPerMultiprocessor, $"{method.Name} fits {blocks} groups per SM on {arch.Name}, but KernelPlanner.SplitK may put {IlgpuCnn.Kernels.KernelPlanner.MaxGroupsPerMultiprocessor} on one (a second wave): keep its registers and shared memory down or lower MaxGroupsPerMultiprocessor");
    }

    /// <summary>The GEMM kernels whose K KernelPlanner may split: every Run and Small body, and Cursor backward-data and backward-weights.</summary>
    private static bool SplitsK(string kernel) =>
        kernel.EndsWith("Run64Kernel", StringComparison.Ordinal) || kernel.EndsWith("Run32Kernel", StringComparison.Ordinal) || kernel.EndsWith("RunShortKernel", StringComparison.Ordinal)
        || kernel.EndsWith("SmallKernel", StringComparison.Ordinal) || (kernel.EndsWith("CursorKernel", StringComparison.Ordinal) && !kernel.StartsWith("Forward", StringComparison.Ordinal));

    [Fact]
    public void OccupancyModelMatchesKnownCases()
    {
        // 32 registers x 256 threads: 8 groups by registers (65536 / 8192), 8 by threads: 100%.
        Assert.Equal(8, GpuArch.Sm90.BlocksPerSm(32, 256, 0));
        Assert.Equal(1.0, GpuArch.Sm90.Occupancy(32, 256, 0));
        // 128 registers x 256 threads: 2 groups -> 16 of 64 warps.
        Assert.Equal(0.25, GpuArch.Sm90.Occupancy(128, 256, 0));
        // 33 registers round up to 40 per thread (1,280 per warp).
        Assert.Equal(1280, GpuArch.RegistersPerWarp(33));
        // 40 KB of shared memory: 228 KB / 41 KB = 5 groups on sm_90, 164 / 41 = 4 on sm_80.
        Assert.Equal(5, GpuArch.Sm90.BlocksPerSm(32, 128, 40 * 1024));
        Assert.Equal(4, GpuArch.Sm80.BlocksPerSm(32, 128, 40 * 1024));
        Assert.Equal(0, GpuArch.Sm90.BlocksPerSm(256, 256, 0));
    }

    [Fact]
    public void ParsesAPtxasReport()
    {
        const string report = """
            ptxas info    : 0 bytes gmem
            ptxas info    : Compiling entry function 'Kernel' for 'sm_90'
            ptxas info    : Function properties for Kernel
                8 bytes stack frame, 4 bytes spill stores, 12 bytes spill loads
            ptxas info    : Used 72 registers, 8192 bytes smem, 400 bytes cmem[0]
            """;
        var k = PtxAssembler.Parse(report, "x.cubin");
        Assert.Equal(new AssembledKernel(72, 8192, 8, 4, 12, "x.cubin"), k);
    }
}
