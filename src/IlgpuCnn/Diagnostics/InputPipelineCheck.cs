using ILGPU.Runtime;
using IlgpuCnn.Data;
using IlgpuCnn.Device;
using IlgpuCnn.Kernels;
using IlgpuCnn.Tensors;

namespace IlgpuCnn.Diagnostics;

/// <summary>
/// The batch path before the model: the gather of shuffled rows and the augmentation kernel
/// (flip + rotation + zoom, bilinear, reflect). Trigonometry may round differently on a GPU, so
/// augmentation is allowed 1e-3.
/// </summary>
public sealed class InputPipelineCheck() : SelfTestCheck("gather+augmentation")
{
    public override double Tolerance => 1e-3;

    public override IReadOnlyList<CheckOutput> Run(ComputeDevice device, DeviceFigures planFor, int seed)
    {
        var rng = new Random(seed);
        const int rows = 11, count = 5;
        var order = Enumerable.Range(0, rows).OrderBy(_ => rng.Next()).ToArray();
        using var images = Tensor.FromHost(device, new Shape(rows, 3, 32, 32), Floats(rng, (long)rows * CifarDataset.ImageFloats, 0f, 1f));
        using var labels = device.Accelerator.Allocate1D(Ints(rng, rows, 10));
        using var orderBuffer = device.Accelerator.Allocate1D(order);
        using var batch = Tensor.Allocate(device, new Shape(count, 3, 32, 32), false);
        using var batchLabels = device.Accelerator.Allocate1D<int>(count);
        using var augmented = Tensor.Allocate(device, batch.Shape, false);
        BatchGather.For(device).Gather(3, count, orderBuffer.View, images.View, labels.View, batch.View, batchLabels.View);
        Augmentation.For(device).Apply(batch.View, augmented.View, count, (uint)seed, 2, 5);
        var gathered = batch.ToHost();
        var gatheredLabels = batchLabels.GetAsArray1D().Select(l => (float)l);
        return [new("gather", [.. gathered, .. gatheredLabels]), new("augmentation", augmented.ToHost())];
    }
}
