using System.Reflection;
using System.Text.RegularExpressions;
using IlgpuCnn.Device;
using IlgpuCnn.Kernels;
using IlgpuCnn.Models;

namespace IlgpuCnn.Tests.Device;

/// <summary>
/// Reads the PTX of the hot kernels (compiled for sm_80 without a GPU) for what would make them
/// slow on a GPU: local-memory traffic (register spills, <c>ld.local</c>/<c>st.local</c>), and for
/// the GEMM bodies the shared-memory tiles and barriers the design intends.
/// </summary>
public sealed partial class PtxInspectionTests
{
    private readonly ITestOutputHelper _out;

    public PtxInspectionTests(ITestOutputHelper output) => _out = output;

    /// <summary>
    /// "Namespace.Class.Method" of the conv and dense kernels the recipe (width 1, batch 64) runs on
    /// CUDA: KernelPlanner's plans of an H100 (<see cref="RecipePlans"/>), so this list is the plan and
    /// cannot drift from it.
    /// </summary>
    public static IEnumerable<(string Kernel, bool SharedTiles)> RecipeCudaKernels() =>
        RecipePlans.For(DeviceFigures.H100).SelectMany(l => l.All).Select(Named).Distinct();

    /// <summary>The GEMM kernels a GPU plan picks for a conv with no dimension a multiple of 8 (every pass on Cursor): the fallbacks other widths and image sizes run.</summary>
    public static IEnumerable<(string Kernel, bool SharedTiles)> CudaFallbackKernels()
    {
        var odd = new ConvGeometry(2, 3, 5, 5, 5, 3, 3, 1, 1);
        return Enum.GetValues<KernelPass>().Select(p => Named(KernelPlanner.Conv(p, odd, DeviceFigures.H100)));
    }

    /// <summary>The recipe's CUDA kernels, the Cursor fallbacks, then the other hot kernels (no plan: one body each); kernel, uses shared-memory tiles.</summary>
    public static TheoryData<string, bool> HotKernels()
    {
        var data = new TheoryData<string, bool>();
        var planned = RecipeCudaKernels().Concat(CudaFallbackKernels()).Distinct().ToList();
        (string, bool)[] others =
        [
            ($"{typeof(BatchNormKernels).FullName}.StatsKernel", true),
            ($"{typeof(BatchNormKernels).FullName}.BackwardSumsKernel", true),
            ($"{typeof(BatchNormKernels).FullName}.NormalizeKernel", false),
            ($"{typeof(ReluKernels).FullName}.ForwardKernel", false),
            ($"{typeof(MaxPoolKernels).FullName}.ForwardKernel", false),
            ($"{typeof(DropoutKernels).FullName}.ForwardKernel", false),
            ($"{typeof(AdamWKernels).FullName}.StepKernel", false),
            ($"{typeof(SoftmaxCrossEntropyKernels).FullName}.ForwardKernel", true),
        ];
        foreach (var (kernel, tiled) in planned.Concat(others))
        {
            data.Add(kernel, tiled);
        }

        return data;
    }

    /// <summary>The GEMM bodies among the planned kernels (Cursor, Run64, Run32), by method name.</summary>
    public static TheoryData<string> GemmKernels()
    {
        var data = new TheoryData<string>();
        foreach (var (kernel, _) in RecipeCudaKernels().Concat(CudaFallbackKernels()).Where(k => k.SharedTiles).Distinct())
        {
            data.Add(kernel[(kernel.LastIndexOf('.') + 1)..]);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(HotKernels))]
    public void NoLocalMemoryTrafficAndTheIntendedSharedMemory(string name, bool tiled)
    {
        var method = PtxCompilationTests.Kernels().Single(m => $"{m.DeclaringType!.FullName}.{m.Name}" == name);
        string ptx = PtxCompilationTests.Compile(method);
        int localLoads = Regex.Count(ptx, @"\bld\.local\b");
        int localStores = Regex.Count(ptx, @"\bst\.local\b");
        var shared = SharedDecl().Matches(ptx).Select(m => int.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture)).ToList();
        _out.WriteLine($"{method.Name}: {ptx.Length} chars of PTX, ld.local {localLoads}, st.local {localStores}, shared arrays [{string.Join(", ", shared)}] bytes, bar.sync {Regex.Count(ptx, @"\bbar\.sync\b")}");
        Assert.True(localLoads == 0 && localStores == 0, $"{method.Name} touches local memory (ld.local {localLoads}, st.local {localStores}): registers spill or an array went to local memory");
        if (tiled)
        {
            Assert.Contains("bar.sync", ptx);
            Assert.NotEmpty(shared);
            if (method.Name.Contains("Run", StringComparison.Ordinal) || method.Name.Contains("Cursor", StringComparison.Ordinal))
            {
                int tile = BlockedGemm.TileFloat4s * 16;
                Assert.True(shared.Count(s => s == tile) >= 1, $"{method.Name} should hold its {tile}-byte A tile in shared memory, has [{string.Join(", ", shared)}]");
            }
        }
        else
        {
            Assert.DoesNotContain("bar.sync", ptx);
        }
    }

    /// <summary>The GEMM bodies (Cursor, Run64, Run32, RunShort) read their register operands as 16-byte shared loads (SASS LDS.128); Direct its 8 channels' weights (two), its 4 pixels being scalar loads on consecutive words.</summary>
    [Theory]
    [MemberData(nameof(GemmKernels))]
    public void GemmBodiesUse128BitSharedLoads(string kernel)
    {
        var method = PtxCompilationTests.Kernels().Single(m => m.Name == kernel);
        string ptx = PtxCompilationTests.Compile(method);
        int v4 = Regex.Count(ptx, @"\bld\.shared\.v4\.f32\b");
        _out.WriteLine($"{kernel}: ld.shared.v4.f32 x{v4}, ld.shared.f32 x{Regex.Count(ptx, @"\bld\.shared\.f32\b")}");
        int want = kernel.EndsWith("DirectKernel", StringComparison.Ordinal) ? 2 : 3;
        Assert.True(v4 >= want, $"{kernel} should read its 8x4 register block's operands with ld.shared.v4.f32 ({want} or more, found {v4})");
    }

    /// <summary>A plan's kernel by full name; the GEMM bodies hold shared-memory tiles, a Simple body none.</summary>
    private static (string Kernel, bool SharedTiles) Named(KernelPlan plan) => ($"{typeof(Conv2dKernels).Namespace}.{plan.Kernel}", plan.Body != KernelBody.Simple);

    [GeneratedRegex(@"\.shared\s+\.align\s+\d+\s+\.b8\s+\w+\[(\d+)\]")]
    private static partial Regex SharedDecl();
}
