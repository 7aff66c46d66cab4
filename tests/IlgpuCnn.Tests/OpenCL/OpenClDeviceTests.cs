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
        Assert.True(fx.Device.Figures.IsGpu, "the kernel plan runs the GEMM bodies on OpenCL");
        Assert.Equal(fx.Device.Accelerator.NumMultiprocessors, fx.Device.Figures.Multiprocessors);
        bool cpuDevice = fx.Device.Accelerator is ILGPU.Runtime.OpenCL.CLAccelerator { Device.DeviceType: ILGPU.Runtime.OpenCL.CLDeviceType.CL_DEVICE_TYPE_CPU };
        Assert.Equal(cpuDevice, fx.Device.Figures.CpuCores);
        Assert.True(ChannelReduce.GroupSize(fx.Device) is > 1 and <= ChannelReduce.MaxGroup, "per-channel reductions run a shared-memory tree on OpenCL");
    }

    /// <summary>The recipe's conv shapes: the 64→64 3×3 conv at 16×16 (RunGemm all three passes), the 3-channel first layer at 32×32 (forward on Direct; its weight gradient on the 32-row tile), 128→128 at 8×8.</summary>
    [Theory]
    [InlineData("Run64 Run64 Run64", 16, 64, 16, 16, 64)]
    [InlineData("Direct Run32 RunShort", 16, 3, 32, 32, 32)]
    [InlineData("Run64 Run64 Run64", 8, 128, 8, 8, 128)]
    public void RealisticConvMatchesTheReference(string bodies, int n, int ci, int h, int w, int co) =>
        new Conv2dKernelsTests(fx).ForwardAndBackwardMatchReference(bodies, n, ci, h, w, co, 3, 1, 1);

    /// <summary>The same shapes on the device's own plan (PoCL: the Simd body where it fits; the first layer's backward-data falls back), and the 4×4 maps of block 4.</summary>
    [Theory]
    [InlineData("Simd Simd Simd", 16, 64, 16, 16, 64)]
    [InlineData("Simd Simple Simd", 16, 3, 32, 32, 32)]
    [InlineData("Simd Simd Simd", 8, 128, 8, 8, 128)]
    [InlineData("Simd Simd Simd", 8, 256, 4, 4, 256)]
    public void RealisticSimdConvMatchesTheReference(string bodies, int n, int ci, int h, int w, int co)
    {
        Assert.True(fx.Device.Figures.CpuCores, $"{fx.Device.Name} is not made of CPU cores: the Simd body is PoCL's");
        new Conv2dKernelsTests(fx).SimdBodyMatchesReference(bodies, n, ci, h, w, co);
    }

    [Fact]
    public void RealisticDenseMatchesTheReference() => new DenseKernelsTests(fx).DenseForwardBackward(KernelBody.Small, 64, 256, 10);

    [Fact]
    public void RealisticBatchNormMatchesTheReference() => new BatchNormKernelsTests(fx).BatchNormForwardBackward(true, 16, 64, 16, 16);

    /// <summary>Finite differences through the blocked conv with 64 channels each way (the 64×64 tile).</summary>
    [Fact]
    public void WideConvGradientsMatchFiniteDifferences() => new GradientCheckTests(fx).Conv2dRuns(1, 64, 64);

    /// <summary>
    /// A whole width-1 VGG training step at batch 8 on CIFAR-sized images equals the CPU accelerator's:
    /// the loss and the BN statistics within the self-test's 1e-3 (largest error over the largest value),
    /// the 1.2 million gradients within 1e-2 in the L2 norm. The gradients are not held to the largest
    /// element: among millions of ReLU inputs and max-pool windows a few sit within float rounding of
    /// their kink, so the two devices may route a few gradients differently, and the difference grows
    /// back to block 1 (seen: seed 5 agrees to 2.4e-5 of the largest element; seed 742450712 differs
    /// by 6e-2 of it, 3.3e-3 in L2, loss and BN statistics equal to 1.6e-7). A wrong kernel is far off
    /// in L2; each kernel alone is held to 1e-4 by the self-test below.
    /// </summary>
    [Fact]
    public void AWidthOneVggStepEqualsTheCpuAccelerators()
    {
        using var reference = ComputeDevice.Create(DeviceKind.Cpu);
        var check = new ModelStepCheck(steps: 1, batch: 8, imageSize: 32, width: 1.0);
        int seed = new TestRandom().Seed;
        var actual = check.Run(fx.Device, fx.Device.Figures, seed);
        var expected = check.Run(reference, reference.Figures, seed);
        for (int i = 0; i < expected.Count; i++)
        {
            bool gradients = expected[i].Name.EndsWith("gradients", StringComparison.Ordinal);
            double error = gradients ? L2Error(expected[i].Values, actual[i].Values) : SelfTest.RelativeError(expected[i].Values, actual[i].Values);
            Assert.True(error <= (gradients ? 1e-2 : 1e-3), $"width-1 VGG step on OpenCL: {expected[i].Name} differs from the CPU accelerator's by {error:E2} ({(gradients ? "L2" : "largest element")}; seed {seed})");
        }
    }

    private static double L2Error(IReadOnlyList<float> expected, IReadOnlyList<float> actual)
    {
        double diff = 0, norm = 0;
        for (int i = 0; i < expected.Count; i++)
        {
            diff += Math.Pow(expected[i] - actual[i], 2);
            norm += Math.Pow(expected[i], 2);
        }

        return Math.Sqrt(diff / Math.Max(norm, 1e-30));
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
        Assert.Matches(@"conv2d 16→16 CPU cores forward\s+Simd", output.ToString());
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
