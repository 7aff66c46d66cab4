using ILGPU.Runtime;
using IlgpuCnn.Autograd;
using IlgpuCnn.Device;
using IlgpuCnn.Kernels;
using IlgpuCnn.Layers;
using IlgpuCnn.Models;
using IlgpuCnn.Tensors;
using IlgpuCnn.Training;

namespace IlgpuCnn.Diagnostics;

/// <summary>
/// A few training steps of the width-0.25 model (or <paramref name="width"/>) (every conv and dense layer on the plan of the device under test, BN,
/// pooling, dropout, loss and AdamW as training runs them), compared step by step: the loss, every
/// parameter gradient and the BN moving statistics. Step s starts from the initial weights moved
/// by a small host-drawn offset (the same on both devices), not from the previous step's AdamW
/// result: AdamW turns a gradient that is zero up to rounding (a conv bias before BN) into a
/// ±lr step whose sign is noise, so chained steps would differ for reasons that are no fault.
/// </summary>
public sealed class ModelStepCheck(int steps, int batch, int imageSize = 32, double width = ModelStepCheck.Width) : SelfTestCheck("model-step")
{
    /// <summary>The self-test's model width.</summary>
    public const double Width = 0.25;

    /// <summary>The width of the model this check steps.</summary>
    public double ModelWidth { get; } = width;

    public int Steps { get; } = steps;

    public int Batch { get; } = batch;

    public int ImageSize { get; } = imageSize;

    /// <summary>Relative error allowed: looser than a single kernel's, as a step chains thousands of float sums.</summary>
    public override double Tolerance => 1e-3;

    public override IReadOnlyList<CheckOutput> Run(ComputeDevice device, DeviceFigures planFor, int seed)
    {
        var rng = new Random(seed);
        using var model = VggModel.Create(device, ModelWidth, (uint)seed);
        model.UsePlan(planFor);
        var tape = new GradientTape(device);
        var optimizer = new AdamW(device, model.Store);
        var shape = new Shape(Batch, 3, ImageSize, ImageSize);
        using var images = Tensor.FromHost(device, shape, Floats(rng, shape.Length, 0f, 1f));
        using var labels = device.Accelerator.Allocate1D(Ints(rng, Batch, model.Classes));
        var initial = model.Store.Download();
        var outputs = new List<CheckOutput>();
        var grads = new float[model.Store.TrainableCount];
        for (int step = 1; step <= Steps; step++)
        {
            var start = (float[])initial.Clone();
            var offsets = Floats(rng, model.Store.TrainableCount, -0.02f, 0.02f);
            for (int i = 0; i < offsets.Length; i++)
            {
                start[i] += offsets[i];
            }

            model.Store.Upload(start);
            tape.Begin(ForwardPass.Training((uint)seed, optimizer.Iterations));
            var loss = model.ForwardLoss(images, labels.View, tape);
            model.Store.ZeroGrad();
            tape.Backward(loss);
            model.Store.Grads.SubView(0, grads.Length).CopyToCPU(grads);
            optimizer.Step();
            var after = model.Store.Download();
            outputs.Add(new($"step {step} loss", loss.ToHost()));
            outputs.Add(new($"step {step} gradients", (float[])grads.Clone()));
            outputs.Add(new($"step {step} bn-moving-stats", after[(int)model.Store.TrainableCount..]));
        }

        return outputs;
    }
}
