using ILGPU.Runtime;
using IlgpuCnn.Autograd;
using IlgpuCnn.Device;
using IlgpuCnn.Kernels;
using IlgpuCnn.Layers;
using IlgpuCnn.Models;
using IlgpuCnn.Tensors;
using IlgpuCnn.Training;

namespace IlgpuCnn.Tests.Layers;

/// <summary>
/// A network's forward on a GPU's plan reads its conv kernels' transposed copies
/// (<see cref="ConvForwardCopies"/>), written by one launch at the start of each pass: the pass
/// after an optimizer step or a direct write of the weights (a checkpoint's load) computes with the
/// new weights, as the Simple bodies (which read the weights themselves) do.
/// </summary>
[Collection(DeviceCollection.Name)]
public sealed class ConvForwardCopiesTests
{
    private const string Transpose = "Conv2dKernels.TransposeWeightsKernel";
    private readonly DeviceFixture _fx;

    public ConvForwardCopiesTests(DeviceFixture fx) => _fx = fx;

    [Fact]
    public void AForwardAfterAStepOrAWeightWriteReadsTheNewWeights()
    {
        var rng = new TestRandom();
        var device = _fx.GpuShaped;
        // Width 0.25 on 16×16 images: block1.conv1 forward on Direct (3 channels), blocks 1-3 on Run32, block 4 on Run64.
        using var model = VggModel.Create(device, 0.25, (uint)rng.Seed);
        model.UsePlan(_fx.GpuPlan);
        var bodies = model.Network.Layers.OfType<Conv2d>().Select((c, i) => c.PlanFor is { } f ? KernelPlanner.Conv(KernelPass.Forward, Geometry(c, i), f).Body : KernelBody.Simple).Distinct().Order();
        Assert.Equal([KernelBody.Run64, KernelBody.Run32, KernelBody.Direct], bodies);
        var shape = new Shape(2, 3, 16, 16);
        using var images = Tensor.FromHost(device, shape, rng.Floats(shape.Length, 0f, 1f));
        using var labels = device.Accelerator.Allocate1D(rng.Ints(2, model.Classes));
        var before = SameOnBothPlans(model, images, "the initial weights", rng.Seed);

        // One training step (a large learning rate: every weight moves by about 0.05).
        var tape = new GradientTape(device);
        tape.Begin(ForwardPass.Training((uint)rng.Seed, 0));
        tape.Backward(model.ForwardLoss(images, labels.View, tape));
        new AdamW(device, model.Store, new AdamWOptions { LearningRate = 0.05 }).Step();
        var stepped = SameOnBothPlans(model, images, "after an AdamW step", rng.Seed);

        // A direct write of every value (what loading a checkpoint does).
        var values = model.Store.Download();
        var fresh = rng.Floats(model.Store.TrainableCount, -0.3f, 0.3f);
        Array.Copy(fresh, values, fresh.Length);
        model.Store.Upload(values);
        var written = SameOnBothPlans(model, images, "after the weights were overwritten", rng.Seed);

        // The comparisons above could tell stale copies apart: the outputs moved far beyond their tolerance.
        Assert.True(MaxDifference(before, stepped) > 1e-2 && MaxDifference(stepped, written) > 1e-2, $"the outputs barely moved (seed {rng.Seed})");
    }

    [Fact]
    public void ANetworkPassLaunchesOneCopyForAllItsConvLayersAndNoneOnTheSimpleBodies()
    {
        var device = _fx.GpuShaped;
        using var model = VggModel.Create(device, 0.0625, 1);
        using var images = Tensor.FromHost(device, new Shape(1, 3, 16, 16), new TestRandom().Floats(3 * 16 * 16, 0f, 1f));
        model.UsePlan(_fx.GpuPlan);
        Assert.Equal(2, Launches(device, () => Forward(model, images, 2)));
        model.UsePlan(DeviceFigures.Cpu);
        Assert.Equal(0, Launches(device, () => Forward(model, images, 2)));

        // A conv layer run on its own (outside the network's pass) writes its own copy first.
        model.UsePlan(_fx.GpuPlan);
        var conv = model.Network.Layers.OfType<Conv2d>().First();
        var tape = new GradientTape(device);
        tape.Begin(ForwardPass.Inference);
        Assert.Equal(1, Launches(device, () => conv.Forward(images, tape)));
    }

    /// <summary>The network's output on the GPU's plan and on the CPU accelerator's (Simple bodies), which must agree.</summary>
    private float[] SameOnBothPlans(VggModel model, Tensor images, string what, int seed)
    {
        model.UsePlan(_fx.GpuPlan);
        var gpu = Forward(model, images, 1);
        model.UsePlan(DeviceFigures.Cpu);
        var simple = Forward(model, images, 1);
        Assertions.Close(simple, gpu, rtol: 1e-3, atol: 1e-4, what: $"logits {what}", seed: seed);
        return gpu;
    }

    private static float[] Forward(VggModel model, Tensor images, int passes)
    {
        var tape = new GradientTape(model.Device);
        float[] logits = [];
        for (int i = 0; i < passes; i++)
        {
            tape.Begin(ForwardPass.Inference);
            logits = model.Forward(images, tape).ToHost();
        }

        return logits;
    }

    private static long Launches(ComputeDevice device, Action a)
    {
        long n = device.PlannedLaunches.GetValueOrDefault(Transpose);
        a();
        return device.PlannedLaunches.GetValueOrDefault(Transpose) - n;
    }

    private static double MaxDifference(float[] a, float[] b) => a.Zip(b, (x, y) => Math.Abs(x - y)).Max();

    /// <summary>Conv layer <paramref name="i"/>'s geometry on 16×16 images, batch 2 (two convs per block, 2×2 pooling after each block).</summary>
    private static ConvGeometry Geometry(Conv2d c, int i)
    {
        int size = 16 >> (i / 2);
        return new ConvGeometry(2, c.InChannels, size, size, c.OutChannels, c.KernelSize, c.KernelSize, c.Stride, c.Padding);
    }
}
