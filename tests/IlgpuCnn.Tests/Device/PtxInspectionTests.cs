using System.Reflection;
using System.Text.RegularExpressions;
using IlgpuCnn.Device;
using IlgpuCnn.Kernels;

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

    public static TheoryData<string, bool> HotKernels() => new()
    {
        // kernel, uses shared-memory tiles. The conv and dense kernels the recipe runs on CUDA
        // (KernelPlanner for an H100, checked by RecipeKernelsAreInspected), then the other hot ones.
        { $"{typeof(Conv2dKernels).FullName}.ForwardCursorKernel", true },
        { $"{typeof(Conv2dKernels).FullName}.ForwardRun32Kernel", true },
        { $"{typeof(Conv2dKernels).FullName}.ForwardRun64Kernel", true },
        { $"{typeof(Conv2dKernels).FullName}.BackwardDataRun32Kernel", true },
        { $"{typeof(Conv2dKernels).FullName}.BackwardDataRun64Kernel", true },
        { $"{typeof(Conv2dKernels).FullName}.BackwardWeightsRun64Kernel", true },
        { $"{typeof(DenseKernels).FullName}.GemmCursorKernel", true },
        { $"{typeof(DenseKernels).FullName}.GradGemmCursorKernel", true },
        { $"{typeof(Conv2dKernels).FullName}.BackwardDataCursorKernel", true },
        { $"{typeof(Conv2dKernels).FullName}.BackwardWeightsCursorKernel", true },
        { $"{typeof(BatchNormKernels).FullName}.StatsKernel", true },
        { $"{typeof(BatchNormKernels).FullName}.BackwardSumsKernel", true },
        { $"{typeof(BatchNormKernels).FullName}.NormalizeKernel", false },
        { $"{typeof(ReluKernels).FullName}.ForwardKernel", false },
        { $"{typeof(MaxPoolKernels).FullName}.ForwardKernel", false },
        { $"{typeof(DropoutKernels).FullName}.ForwardKernel", false },
        { $"{typeof(AdamWKernels).FullName}.StepKernel", false },
        { $"{typeof(SoftmaxCrossEntropyKernels).FullName}.ForwardKernel", false },
    };

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

    /// <summary>The GEMM bodies (Cursor, Run64, Run32) read their register operands as 16-byte shared loads (SASS LDS.128).</summary>
    [Theory]
    [InlineData("ForwardCursorKernel")]
    [InlineData("BackwardDataCursorKernel")]
    [InlineData("BackwardWeightsCursorKernel")]
    [InlineData("GemmCursorKernel")]
    [InlineData("GradGemmCursorKernel")]
    [InlineData("ForwardRun64Kernel")]
    [InlineData("ForwardRun32Kernel")]
    [InlineData("BackwardDataRun32Kernel")]
    [InlineData("BackwardWeightsRun64Kernel")]
    public void GemmBodiesUse128BitSharedLoads(string kernel)
    {
        var method = PtxCompilationTests.Kernels().Single(m => m.Name == kernel);
        string ptx = PtxCompilationTests.Compile(method);
        int v4 = Regex.Count(ptx, @"\bld\.shared\.v4\.f32\b");
        _out.WriteLine($"{kernel}: ld.shared.v4.f32 x{v4}, ld.shared.f32 x{Regex.Count(ptx, @"\bld\.shared\.f32\b")}");
        Assert.True(v4 >= 3, $"{kernel} should read its 8x4 register block's operands with ld.shared.v4.f32 (found {v4})");
    }

    [GeneratedRegex(@"\.shared\s+\.align\s+\d+\s+\.b8\s+\w+\[(\d+)\]")]
    private static partial Regex SharedDecl();
}
