using IlgpuCnn.Cli.Commands;
using IlgpuCnn.Device;
using IlgpuCnn.Diagnostics;
using IlgpuCnn.Kernels;
using IlgpuCnn.Tests.Cli.Commands;

namespace IlgpuCnn.Tests.Diagnostics;

/// <summary>
/// The self-test: its kernel checks agree on the GPU-shaped CPU accelerator, a wrong kernel result
/// (injected by wrapping one of its checks) is named with exit code 1, and the comparison itself.
/// </summary>
[Collection(ConsoleCollection.Name)]
public sealed class SelfTestTests
{
    /// <summary>A check whose device-under-test outputs (the run with a GPU's plan, not the reference's Simple) have one value changed.</summary>
    private sealed class Perturbed(SelfTestCheck inner, string output) : SelfTestCheck(inner.Kernel)
    {
        public override IReadOnlyList<CheckOutput> Run(ComputeDevice device, DeviceFigures planFor, int seed)
        {
            var outputs = inner.Run(device, planFor, seed);
            if (planFor.IsGpu)
            {
                var values = outputs.Single(o => o.Name == output).Values;
                values[values.Length / 2] += 0.01f * (1 + Math.Abs(values[values.Length / 2]));
            }

            return outputs;
        }
    }

    private static readonly SelfTestOptions Quick = SelfTestOptions.For(simulator: true, quick: true);

    [Fact]
    public void EveryKernelCheckAgreesOnTheGpuShapedCpu()
    {
        // The model step (about a minute on the simulator) is left to `ilgpucnn selftest --device cpu`.
        // `selftest --device cpu` runs these checks on this device (the GPU-shaped CPU accelerator with an H100's plan).
        var checks = SelfTest.DefaultChecks(Quick).Where(c => c is not ModelStepCheck).ToList();
        using var target = ComputeDevice.Create(DeviceKind.Cpu, gpuShapedCpu: true);
        using var reference = ComputeDevice.Create(DeviceKind.Cpu);
        var report = SelfTest.Run(target, reference, checks, Quick);
        Assert.True(report.Passed, report.FailureSentence);
        Assert.Contains(report.Rows, r => r.Kernel == "conv2d 40→48 backward-weights" && r.Body == "Run64");
        Assert.Contains(report.Rows, r => r.Kernel == "batchnorm+relu backward-data" && r.Body == "-");
        Assert.Equal(Enum.GetNames<KernelBody>().Where(b => b != nameof(KernelBody.Small)).Order(), report.Rows.Where(r => r.Kernel.StartsWith("conv2d", StringComparison.Ordinal)).Select(r => r.Body).Distinct().Order());
        Assert.All(report.Rows.Where(r => r.Kernel.StartsWith("dense", StringComparison.Ordinal)), r => Assert.Equal(nameof(KernelBody.Small), r.Body));
        Assert.All(report.Rows, r => Assert.InRange(r.MaxError, 0, r.Tolerance));

        // The conv rows reach RunGemm (all three tiles), the cursor GEMM, the Direct forward, the strided Simple body and the Simd body (whose bias gradient is the Simple path's BiasGradKernel), the dense rows the Small GEMM: the kernels launched say so.
        string[] expected =
        [
            "Conv2dKernels.ForwardRun64Kernel", "Conv2dKernels.ForwardRun32Kernel", "Conv2dKernels.ForwardCursorKernel", "Conv2dKernels.ForwardDirectKernel",
            "Conv2dKernels.BackwardDataRun64Kernel", "Conv2dKernels.BackwardDataRun32Kernel", "Conv2dKernels.BackwardDataCursorKernel", "Conv2dKernels.BackwardDataSimpleKernel",
            "Conv2dKernels.BackwardWeightsRun64Kernel", "Conv2dKernels.BackwardWeightsRunShortKernel", "Conv2dKernels.BackwardWeightsCursorKernel",
            "DenseKernels.GemmSmallKernel", "DenseKernels.GradGemmSmallKernel",
            "SimdConv.Forward8Kernel", "SimdConv.WeightGradKernel", "Conv2dKernels.BiasGradKernel",
            "Conv2dKernels.TransposeWeightsKernel", // the forward GEMM and Direct bodies' transposed weights
        ];
        Assert.Equal(expected.Order(), target.PlannedLaunches.Keys.Order());
        Assert.All(reference.PlannedLaunches.Keys, k => Assert.True(k.Contains("Simple", StringComparison.Ordinal) || k == "Conv2dKernels.BiasGradKernel", $"the CPU reference launched {k}"));
    }

    [Fact]
    public void AWrongKernelResultIsNamedAndExitsOne()
    {
        var checks = new SelfTestCheck[]
        {
            new ElementwiseCheck("relu"),
            new Perturbed(new DenseCheck(), "backward-weights"),
            new Perturbed(new ElementwiseCheck("dropout"), "forward"), // a later failure: only the first is named
        };
        using var output = new StringWriter();
        using var error = new StringWriter();
        int code = SelfTestCommand.Run(DeviceKind.Cpu, Quick, checks, output, error);
        Assert.Equal(1, code);
        var lines = error.ToString().Trim().Split('\n');
        Assert.Single(lines);
        Assert.StartsWith("error: The self-test found that dense backward-weights (Small) on ILGPU CPU accelerator (GPU-shaped) disagrees", lines[0]);
        Assert.Contains("relu forward", output.ToString());
        Assert.Contains("DIFFERS", output.ToString());
        Assert.Matches(@"dense forward\s+Small\s+\S+\s+1E-004\s+\S+\s+ok", output.ToString());
    }

    [Fact]
    public void TheCommandPrintsItsTableAndExitsZero()
    {
        var (code, output, error) = CliRunner.Run("selftest", "--device", "cpu", "--quick", "--only", "relu", "adamw");
        Assert.True(code == 0, error);
        Assert.Contains("kernel", output);
        Assert.Contains("relu backward", output);
        Assert.Contains("adamw moments", output);
        Assert.Contains("4 of 4 outputs agree", output);

        var none = CliRunner.Run("selftest", "--device", "cpu", "--only", "nothing");
        Assert.Equal(1, none.Code);
        Assert.Contains("--only 'nothing' matches no check", none.Err);
    }

    [Fact]
    public void EveryPlanBodyIsCheckedWithTheShapesTheIssueAsksFor()
    {
        var checks = SelfTest.DefaultChecks(SelfTestOptions.For(simulator: false, quick: false));
        var shapes = Conv2dCheck.Shapes;
        Assert.Equal(shapes.Length + 1, checks.Count(c => c is Conv2dCheck));
        var cpuCores = Enum.GetValues<KernelPass>().Select(p => KernelPlanner.Conv(p, Conv2dCheck.CpuCoresShape, DeviceFigures.H100 with { CpuCores = true }).Body);
        var bodies = shapes.SelectMany(g => Enum.GetValues<KernelPass>().Select(p => KernelPlanner.Conv(p, g, DeviceFigures.H100).Body)).Concat(cpuCores).Distinct().Order();
        Assert.Equal(Enum.GetValues<KernelBody>().Where(b => b != KernelBody.Small).Order(), bodies); // Small: the dense passes (DenseCheck)
        Assert.Equal(KernelBody.Small, KernelPlanner.Dense(KernelPass.Forward, 64, 256, 10, DeviceFigures.H100).Body);
        Assert.Contains(shapes, g => g.Ci % 8 == 0 && g.Co % 8 == 0 && Math.Max(g.Ci, g.Co) <= 32);
        Assert.Contains(shapes, g => g.Ci % 8 == 0 && g.Co % 8 == 0 && g.Stride == 2);
        Assert.Single(checks, c => c is DenseCheck);
        Assert.Single(checks, c => c is ModelStepCheck);

        Assert.Contains(checks, c => c is InputPipelineCheck);
        Assert.Equal(3, SelfTestOptions.For(false, false).ModelSteps);
        Assert.Equal(32, SelfTestOptions.For(false, true).ModelImageSize);
    }

    [Fact]
    public void RelativeErrorIsTheTestsCriterion()
    {
        Assert.Equal(0, SelfTest.RelativeError([1f, -2f], [1f, -2f]));
        // |a − r| / (|r| + 0.1·max(1, scale)): 1e-4 at r = 2 (scale 2) is 2.2e-4 apart.
        Assert.Equal(1e-4, SelfTest.RelativeError([2f, 0.5f], [2f + 2.2e-4f, 0.5f]), 1e-6);
        Assert.Equal(double.PositiveInfinity, SelfTest.RelativeError([1f], [float.NaN]));
        Assert.Equal(double.PositiveInfinity, SelfTest.RelativeError([1f, 2f], [1f]));
    }
}
