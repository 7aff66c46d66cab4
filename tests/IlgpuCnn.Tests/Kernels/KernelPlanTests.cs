using System.Reflection;
using ILGPU.Runtime;
using IlgpuCnn.Device;
using IlgpuCnn.Kernels;
using IlgpuCnn.Models;
using IlgpuCnn.Tests.Architecture;

namespace IlgpuCnn.Tests.Kernels;

/// <summary>
/// The kernel plan (<see cref="KernelPlanner"/>): its decisions, and that the three places that show
/// them — the table in Conv2dKernels.cs's header, the static profile's launches (benchmarks/STATIC.md,
/// written from StepModel) and the plan itself — agree.
/// </summary>
public sealed class KernelPlanTests
{
    private const string Begin = "// RECIPE-TABLE-BEGIN";
    private const string End = "// RECIPE-TABLE-END";

    [Fact]
    public void TheDirectBodyTakesShortReductionsThatFitItsWindowAndGrid()
    {
        var h100 = DeviceFigures.H100;
        ConvGeometry First(int n = 64, int ci = 3, int k = 3, int stride = 1) => new(n, ci, 32, 32, 32, k, k, stride, (k - 1) / 2);
        Assert.Equal(KernelBody.Direct, KernelPlanner.Conv(KernelPass.Forward, First(), h100).Body); // the recipe's first layer: K = 27
        Assert.Equal(KernelBody.Cursor, KernelPlanner.Conv(KernelPass.Forward, First(k: 5), h100).Body); // K = 75 > 64
        Assert.Equal(KernelBody.Cursor, KernelPlanner.Conv(KernelPass.Forward, First(ci: 5, stride: 2), h100).Body); // a 5 × 33 × 65 window > 8,192 floats
        Assert.Equal(KernelBody.Cursor, KernelPlanner.Conv(KernelPass.Forward, First(n: 70_000), h100).Body); // images past a grid's y (65,535)
        Assert.Equal(KernelBody.Run32, KernelPlanner.Conv(KernelPass.Forward, First(ci: 8), h100).Body); // runs of 8 come first
        Assert.NotEqual(KernelBody.Direct, KernelPlanner.Conv(KernelPass.Forward, First(), h100 with { CpuCores = true }).Body); // never on CPU cores
        Assert.NotEqual(KernelBody.Direct, KernelPlanner.Conv(KernelPass.BackwardData, First(ci: 5), h100).Body); // forward only
    }

    [Fact]
    public void TheConvHeaderTableIsThePlans()
    {
        string path = Path.Combine(MethodLengthTests.RepoRoot(), "src", "IlgpuCnn", "Kernels", "Conv2dKernels.cs");
        var lines = File.ReadAllLines(path);
        int begin = Array.IndexOf(lines, Begin), end = Array.IndexOf(lines, End);
        Assert.True(begin >= 0 && end > begin, $"{path} has no {Begin} … {End} block");
        var table = lines[(begin + 1)..end].Select(l => l.TrimEnd().StartsWith("// ", StringComparison.Ordinal) ? l.TrimEnd()[3..] : l.TrimEnd()).ToList();
        var expected = RecipePlans.ConvTable().Select(l => l.TrimEnd()).ToList();
        Assert.True(
            expected.SequenceEqual(table),
            $"the layer → body table in {path} disagrees with KernelPlanner; replace the lines between {Begin} and {End} with:\n" + string.Join("\n", expected.Select(l => "// " + l)));
    }

    [Fact]
    public void TheStaticProfileLaunchesThePlansKernels()
    {
        string path = Path.Combine(MethodLengthTests.RepoRoot(), "benchmarks", "STATIC.md");
        var launches = Launches(File.ReadAllLines(path));
        var wrong = new List<string>();
        foreach (var layer in RecipePlans.For(DeviceFigures.H100))
        {
            string[] forward = [layer.Forward.Kernel];
            string[] backward = layer.All.Skip(1).Select(p => p.Kernel).ToArray();
            foreach (var (pass, kernels) in new[] { ("forward", forward), ("backward", backward) })
            {
                var profiled = launches.Where(l => l.Layer == layer.Layer && l.Pass == pass && l.Kernel != "memset").Select(l => l.Kernel).ToArray();
                if (!profiled.SequenceEqual(kernels))
                {
                    wrong.Add($"{layer.Layer} {pass}: the plan runs {string.Join(", ", kernels)}; STATIC.md has {string.Join(", ", profiled)}");
                }
            }
        }

        Assert.True(wrong.Count == 0, $"benchmarks/STATIC.md (StepModel's view) disagrees with KernelPlanner; regenerate it (dotnet run -c Release --project benchmarks/IlgpuCnn.Benchmarks -- static):\n" + string.Join("\n", wrong));
    }

    [Fact]
    public void TheCpuRunsSimpleAndTheRecipeRunsRunGemmOnSevenOfEightConvs()
    {
        Assert.All(RecipePlans.For(DeviceFigures.Cpu).SelectMany(l => l.All), p => Assert.Equal(KernelBody.Simple, p.Body));
        var gpu = RecipePlans.For(DeviceFigures.H100).Where(l => l.Forward.Kernel.StartsWith("Conv2dKernels.", StringComparison.Ordinal)).ToList();
        Assert.Equal(8, gpu.Count);
        Assert.Equal(7, gpu.Count(l => l.All.All(p => p.Body is KernelBody.Run32 or KernelBody.Run64 or KernelBody.RunShort)));
        Assert.Equal(KernelBody.Direct, gpu[0].Forward.Body); // 3 input channels: no runs of 8; K = 27
    }

    /// <summary>
    /// Weight gradients at most 32 tall (Co ≤ 32) run the 32×64 tile on a GPU: the recipe's
    /// block1.conv1 and block1.conv2 (32 × 28 and 32 × 289), split by the one rule for their 2-warp
    /// groups and added atomically into dw; 33 channels run the 64×64 tile; an OpenCL device made of
    /// CPU cores keeps the choice measured there (Simd, or Simple where the 64×64 tile would be
    /// mostly padding), never the short tile.
    /// </summary>
    [Fact]
    public void WeightGradientsAtMost32TallRunTheShortTile()
    {
        var convs = RecipePlans.For(DeviceFigures.H100).Where(l => l.Layer.Contains(".conv", StringComparison.Ordinal)).ToList();
        Assert.Equal(["block1.conv1", "block1.conv2"], convs.Where(l => l.BackwardWeights.Body == KernelBody.RunShort).Select(l => l.Layer));
        foreach (var p in convs.Take(2).Select(l => l.BackwardWeights))
        {
            Assert.Equal(("32×64", "Conv2dKernels.BackwardWeightsRunShortKernel", GemmStoreMode.AtomicAdd, RunGemm.ShortGroupSize), (p.Tile, p.Kernel, p.Store, p.Config.GroupDim.X));
            // SplitK's count, less the slices its rounding to whole K steps would leave empty: every slice has work
            int split = KernelPlanner.SplitK(RunGemm.ShortTiles(p.M, p.N), RunGemm.ShortGroupSize, p.K, DeviceFigures.H100);
            Assert.Equal((p.K + BlockedGemm.SliceLength(p.K, split) - 1) / BlockedGemm.SliceLength(p.K, split), p.Splits);
            Assert.True(p.Splits <= split && (p.Splits - 1) * p.Slice < p.K && p.Splits * p.Slice >= p.K, $"{p}: {p.Splits} slices of {p.Slice}");
            Assert.True(p.Splits > 1 && p.Config.GridDim.Y == 1, $"{p}");
        }

        var g = new ConvGeometry(8, 16, 8, 8, 32, 3, 3, 1, 1);
        Assert.Equal(KernelBody.RunShort, KernelPlanner.Conv(KernelPass.BackwardWeights, g, DeviceFigures.H100).Body);
        Assert.Equal(KernelBody.Run64, KernelPlanner.Conv(KernelPass.BackwardWeights, new ConvGeometry(8, 16, 8, 8, 33, 3, 3, 1, 1), DeviceFigures.H100).Body);
        var wide = new ConvGeometry(8, 16, 8, 8, 32, 5, 5, 1, 2);
        Assert.Equal(KernelBody.Cursor, KernelPlanner.Conv(KernelPass.BackwardWeights, wide, DeviceFigures.H100).Body); // padding 2: x not in contiguous runs (PatchRowRun.Fits)
        var pocl = new DeviceFigures(AcceleratorType.OpenCL, 2, 4096, 4 << 20, CpuCores: true);
        Assert.Equal(KernelBody.Simple, KernelPlanner.Conv(KernelPass.BackwardWeights, wide, pocl).Body); // 5×5: no Simd; a 64-row tile under half full
        Assert.Equal(KernelBody.RunShort, KernelPlanner.Conv(KernelPass.BackwardWeights, g, pocl.AsGpu).Body);
        Assert.All(new[] { 0.25, 0.5, 1.0 }, w => Assert.DoesNotContain(KernelBody.RunShort, RecipePlans.For(pocl, w).SelectMany(l => l.All).Select(p => p.Body)));
    }

    /// <summary>Conv backward-data at stride ≠ 1 on a GPU runs the Simple body, by decision: the GEMM operands gather dy at stride 1 only (Conv2dKernelsTests checks its result on the GPU-shaped device).</summary>
    [Theory]
    [InlineData(2)]
    [InlineData(3)]
    public void StridedBackwardDataOnAGpuIsSimple(int stride)
    {
        var g = new ConvGeometry(2, 16, 9, 9, 16, 3, 3, stride, 1);
        Assert.Equal(KernelBody.Simple, KernelPlanner.Conv(KernelPass.BackwardData, g, DeviceFigures.H100).Body);
        Assert.Equal(KernelBody.Run32, KernelPlanner.Conv(KernelPass.Forward, g, DeviceFigures.H100).Body);
    }

    [Fact]
    public void SplitKGivesTheBusiestMultiprocessorTheLeastWork()
    {
        // block4.conv2's weights: 256 × (2304 + 1) over K = 64·4·4 = 1024: 4·37 = 148 groups of 4 warps.
        // On an H100's 132 SMs: 1 slice puts 2 groups on the busiest SM (all of K, and too few warps: it counts as 3),
        // 2 slices 3 (half of K each), 3 slices 4 (a third each: 4/3 < 3/2 < 3); each slice adds atomically into dw
        // (no zeroing: dw accumulates).
        var g = new ConvGeometry(64, 256, 4, 4, 256, 3, 3, 1, 1);
        var small = DeviceFigures.H100 with { Multiprocessors = 16 };
        var large = DeviceFigures.H100 with { Multiprocessors = 300 };
        var h100 = KernelPlanner.Conv(KernelPass.BackwardWeights, g, DeviceFigures.H100);
        Assert.Equal((3, GemmStoreMode.AtomicAdd, false), (h100.Splits, h100.Store, h100.ZeroesOutput));
        Assert.Equal(6, KernelPlanner.Conv(KernelPass.BackwardWeights, g, large).Splits); // 888 groups on 300 SMs: 3 on the busiest, a sixth of K each
        Assert.Equal(1, KernelPlanner.Conv(KernelPass.BackwardWeights, g, small).Splits);
        Assert.Equal(12, KernelPlanner.SplitK(1, 128, 1 << 20, DeviceFigures.H100 with { Multiprocessors = 4 })); // 3 groups of 4 warps per SM
        Assert.Equal(16, KernelPlanner.SplitK(1, 64, 1 << 20, DeviceFigures.H100 with { Multiprocessors = 4 })); // 2-warp groups: twice the slices
        Assert.Equal(2, KernelPlanner.SplitK(1, 128, 256, DeviceFigures.H100)); // each slice keeps 8 K steps of 16

        // block1.conv2's weights (32 × 289: 5 groups) over K = 65,536: 77 slices put 3 groups on the busiest SM
        // (385 groups), within 3 % of the least work (79 slices, 395 groups); 53 slices (265 groups) would also put
        // 3 there, each with half as much more K.
        Assert.Equal(77, KernelPlanner.SplitK(5, 128, 65536, DeviceFigures.H100));

        // Block 4's forward (64 groups) splits K too, summed in the kernel: written with the bias, no memset;
        // 6 slices (3 groups on the busiest SM, a sixth of K each) beat 5 (3 groups, a fifth each).
        var forward = KernelPlanner.Conv(KernelPass.Forward, g, DeviceFigures.H100);
        Assert.Equal((KernelBody.Run64, 6, GemmStoreMode.Write, false), (forward.Body, forward.Splits, forward.Store, forward.ZeroesOutput));

        // The Cursor body's slices add atomically into a zeroed dx (30 output channels: no runs of 8).
        var data = KernelPlanner.Conv(KernelPass.BackwardData, new ConvGeometry(1, 3, 4, 4, 30, 3, 3, 1, 1), DeviceFigures.H100);
        Assert.True(data.Body == KernelBody.Cursor && data.Splits > 1 && data.Store == GemmStoreMode.AtomicAdd && data.ZeroesOutput, $"{data}");
        Assert.All(Enum.GetValues<KernelPass>(), p => Assert.Equal(1, KernelPlanner.Dense(p, 64, 256, 10, DeviceFigures.Cpu).Splits));
    }

    /// <summary>
    /// An OpenCL device made of 2 CPU cores (PoCL here): the recipe's conv passes whose GEMM tiles
    /// would be mostly padding run Simple, the rest the GPU's bodies; without its CPU choices
    /// (<see cref="DeviceFigures.AsGpu"/>) it plans as a GPU does; CUDA never picks Simple for them.
    /// </summary>
    [Theory]
    [InlineData(1.0, "Simd / - / Simd|Simd / Simd / Simd|Simd / Simd / Simd|Simd / Simd / Simd|Simd / Simd / Simd|Simd / Simd / Simd|Simd / Simd / Simd|Simd / Simd / Simd")]
    [InlineData(0.25, "Simple / - / Simple|Run32 / Simple / Simple|Simd / Simple / Simd|Simd / Simd / Simd|Simd / Simd / Simd|Simd / Simd / Simd|Simd / Simd / Simd|Simd / Simd / Simd")]
    public void CpuCoresRunSimdWhereItFitsAndSimpleWhereTheTilesAreMostlyPadding(double width, string bodies)
    {
        var pocl = new DeviceFigures(AcceleratorType.OpenCL, 2, 4096, 4 << 20, CpuCores: true);
        List<LayerPlans> Convs(DeviceFigures device) => RecipePlans.For(device, width).Where(l => l.Layer.Contains(".conv", StringComparison.Ordinal)).ToList();
        Assert.Equal(bodies, string.Join('|', Convs(pocl).Select(l => l.Bodies)));
        var gpu = Convs(pocl.AsGpu).SelectMany(l => l.All).ToList();
        var h100 = Convs(DeviceFigures.H100).SelectMany(l => l.All).ToList();
        Assert.Equal(h100.Select(p => p.Body), gpu.Select(p => p.Body));
        Assert.DoesNotContain(KernelBody.Simple, h100.Select(p => p.Body));
        Assert.All(
            Convs(pocl).SelectMany(l => l.All).Zip(gpu),
            pair => Assert.Equal(pair.First.Body == KernelBody.Simple, pair.First.Body != KernelBody.Simd && KernelPlanner.TileFill(pair.Second.Body, pair.Second.M, pair.Second.N) < KernelPlanner.SimpleBelow(pair.First.Pass)));
    }

    /// <summary>Every conv launch of the recipe gives each scheduler of an H100's busiest SM (ceil(groups / 132) groups on it) at least two warps.</summary>
    [Fact]
    public void EveryRecipeConvLaunchGivesEachSchedulerTwoWarps()
    {
        var device = DeviceFigures.H100;
        var launches = RecipePlans.For(device).Where(l => l.Forward.Kernel.StartsWith("Conv2dKernels.", StringComparison.Ordinal))
            .SelectMany(l => l.All.Select(p => (l.Layer, Plan: p, Warps: (p.Config.GridDim.Size + device.Multiprocessors - 1) / device.Multiprocessors * ((p.Config.GroupDim.Size + 31) / 32))))
            .ToList();
        Assert.Equal(23, launches.Count);
        int wanted = 2 * KernelPlanner.SchedulersPerMultiprocessor; // issue 17: at least 2 warps per scheduler
        var few = launches.Where(x => x.Warps < wanted).Select(x => $"{x.Layer} {x.Plan.Pass}: {x.Plan} puts {x.Warps} warps on the busiest SM").ToList();
        Assert.True(few.Count == 0, $"these conv launches give the busiest SM's schedulers fewer than 2 warps each ({wanted} warps):\n{string.Join("\n", few)}");
    }

    [Fact]
    public void FiguresComeFromTheAccelerator()
    {
        using var cpu = ComputeDevice.Create(DeviceKind.Cpu);
        Assert.Equal(AcceleratorType.CPU, cpu.Figures.Type);
        Assert.False(cpu.Figures.IsGpu);
        Assert.Equal(cpu.Accelerator.NumMultiprocessors, cpu.Figures.Multiprocessors);
        Assert.Equal(cpu.Accelerator.MaxNumThreadsPerGroup, cpu.Figures.MaxGroupSize);
        Assert.True(DeviceFigures.H100.IsGpu);
        Assert.False(cpu.Figures.CpuCores || DeviceFigures.H100.CpuCores, "only an OpenCL CPU device has CpuCores");
    }

    [Fact]
    public void EveryPlannedKernelIsAKernelMethod()
    {
        var kernels = typeof(ComputeDevice).Assembly.GetTypes()
            .SelectMany(t => t.GetMethods(BindingFlags.Static | BindingFlags.Public | BindingFlags.NonPublic).Where(m => m.GetCustomAttribute<KernelAttribute>() is not null).Select(m => $"{t.Name}.{m.Name}"))
            .ToHashSet();
        var shapes = new[] { new ConvGeometry(2, 3, 5, 5, 5, 3, 3, 1, 1), new ConvGeometry(2, 8, 4, 4, 16, 3, 3, 1, 1), new ConvGeometry(2, 40, 4, 4, 48, 3, 3, 2, 1) };
        var planned = from device in new[] { DeviceFigures.Cpu, DeviceFigures.H100, new DeviceFigures(AcceleratorType.OpenCL, 2, 4096, 4 << 20, CpuCores: true) }
                      from pass in Enum.GetValues<KernelPass>()
                      from plan in shapes.Select(g => KernelPlanner.Conv(pass, g, device)).Append(KernelPlanner.Dense(pass, 3, 5, 7, device))
                      select plan.Kernel;
        Assert.All(planned.Distinct(), k => Assert.Contains(k, kernels));
    }

    private static List<(string Layer, string Pass, string Kernel)> Launches(string[] lines)
    {
        int header = Array.FindIndex(lines, l => l.StartsWith("| layer | pass | kernel |", StringComparison.Ordinal));
        Assert.True(header >= 0, "benchmarks/STATIC.md has no launch table (| layer | pass | kernel | …)");
        return lines.Skip(header + 2).TakeWhile(l => l.StartsWith('|')).Select(l => l.Split('|', StringSplitOptions.TrimEntries)).Select(c => (c[1], c[2], c[3])).ToList();
    }
}
