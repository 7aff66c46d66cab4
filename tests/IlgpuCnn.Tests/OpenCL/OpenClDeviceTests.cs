using IlgpuCnn.Cli.Commands;
using IlgpuCnn.Device;
using IlgpuCnn.Diagnostics;
using IlgpuCnn.Kernels;
using IlgpuCnn.Tests.Cli;
using IlgpuCnn.Tests.Kernels;
using IlgpuCnn.Tests.Layers;

namespace IlgpuCnn.Tests.OpenCL;

/// <summary>
/// The OpenCL device at realistic sizes: the GPU bodies at the recipe's shapes against the double
/// references, a whole width-1 VGG training step equal to the CPU accelerator's, the self-test as
/// <c>selftest --device opencl</c> runs it, and the one sentence a user without OpenCL sees.
/// </summary>
[Collection(OpenClCollection.Name)]
public sealed class OpenClDeviceTests(OpenClFixture fx)
{
    [Fact]
    public void TheDeviceIsOpenClAndRunsTheGpuBodies()
    {
        Assert.True(fx.Device.IsOpenCL, $"the OpenCL fixture opened {fx.Device.Name}");
        Assert.Equal(KernelVariant.Blocked, KernelVariant.Auto.On(fx.Device));
        Assert.True(ChannelReduce.GroupSize(fx.Device) is > 1 and <= ChannelReduce.MaxGroup, "per-channel reductions run a shared-memory tree on OpenCL");
    }

    /// <summary>The recipe's conv shapes: the 64→64 3×3 conv at 16×16 (RunGemm all three passes), the 3-channel first layer at 32×32 (the fallbacks), 128→128 at 8×8.</summary>
    [Theory]
    [InlineData(16, 64, 16, 16, 64)]
    [InlineData(16, 3, 32, 32, 32)]
    [InlineData(8, 128, 8, 8, 128)]
    public void RealisticConvMatchesTheReference(int n, int ci, int h, int w, int co) =>
        new Conv2dKernelsTests(fx).ForwardAndBackwardMatchReference(KernelVariant.Blocked, n, ci, h, w, co, 3, 1, 1);

    [Fact]
    public void RealisticDenseMatchesTheReference() => new DenseKernelsTests(fx).DenseForwardBackward(KernelVariant.Blocked, 64, 256, 10);

    [Fact]
    public void RealisticBatchNormMatchesTheReference() => new BatchNormKernelsTests(fx).BatchNormForwardBackward(true, 16, 64, 16, 16);

    /// <summary>Finite differences through the blocked conv with 64 channels each way (the 64×64 tile).</summary>
    [Fact]
    public void WideConvGradientsMatchFiniteDifferences() => new GradientCheckTests(fx).Conv2dRuns(1, 64, 64);

    /// <summary>A whole width-1 VGG training step at batch 8 on CIFAR-sized images: loss, every gradient and the BN statistics equal the CPU accelerator's within the self-test's tolerance.</summary>
    [Fact]
    public void AWidthOneVggStepEqualsTheCpuAccelerators()
    {
        using var reference = ComputeDevice.Create(DeviceKind.Cpu);
        var check = new ModelStepCheck(KernelVariant.Blocked, steps: 1, batch: 8, imageSize: 32, width: 1.0);
        var report = SelfTest.Run(fx.Device, reference, [check], new SelfTestOptions { Seeds = [new TestRandom().Seed] });
        Assert.True(report.Passed, report.FailureSentence);
    }

    /// <summary><c>selftest --device opencl</c>: every kernel variant and three model steps against the CPU accelerator's simple kernels.</summary>
    [Fact]
    public void SelfTestPassesOnOpenCl()
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        int code = SelfTestCommand.Run(DeviceKind.OpenCL, SelfTestOptions.For(simulator: false, quick: false), SelfTest.DefaultChecks(SelfTestOptions.For(simulator: false, quick: false)), output, error);
        Assert.True(code == 0, $"selftest --device opencl exited {code}: {error}\n{output}");
        Assert.Contains("OpenCL", output.ToString(), StringComparison.Ordinal);
    }

    /// <summary><c>devices</c> lists the OpenCL device as usable, with its compute units and local memory.</summary>
    [Fact]
    public void DevicesListsTheOpenClDeviceAsUsable()
    {
        using var child = CliProcess.Start(["devices"]);
        int? code = child.WaitForExit(TimeSpan.FromSeconds(60));
        Assert.True(code == 0, $"devices exited {code}: {child.Err}");
        var line = child.Out.Split('\n').FirstOrDefault(l => l.StartsWith("opencl", StringComparison.Ordinal) && l.EndsWith("usable", StringComparison.Ordinal));
        Assert.True(line is not null, $"devices shows no usable OpenCL device:\n{child.Out}");
        Assert.Contains($"compute units {fx.Device.Accelerator.NumMultiprocessors}", line, StringComparison.Ordinal);
        Assert.Contains("local memory", line, StringComparison.Ordinal);
    }

    /// <summary>With no OpenCL device (the loader shown an empty vendors folder), <c>--device opencl</c> says what is missing and names the script, in one sentence, exit 1.</summary>
    [Fact]
    public void WithoutADeviceOpenClIsRefusedInOneSentence()
    {
        using var empty = new TempDirectory();
        using var child = CliProcess.Start(["bench", "--device", "opencl", "--steps", "1"], new Dictionary<string, string> { ["OCL_ICD_VENDORS"] = empty.Path });
        int? code = child.WaitForExit(TimeSpan.FromSeconds(60));
        Assert.Equal(1, code);
        var lines = child.Err.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Single(lines);
        Assert.Contains(OpenClDevices.SetupScript, lines[0], StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", child.Err, StringComparison.Ordinal);
    }
}
