using ILGPU.Runtime;
using IlgpuCnn.Device;
using IlgpuCnn.Kernels;
using IlgpuCnn.Tensors;

namespace IlgpuCnn.Diagnostics;

/// <summary>Fused softmax + cross-entropy: probabilities, mean loss, metric sums and the logits' gradient.</summary>
public sealed class SoftmaxCrossEntropyCheck() : SelfTestCheck("softmax-cross-entropy")
{
    public override IReadOnlyList<CheckOutput> Run(ComputeDevice device, DeviceFigures planFor, int seed)
    {
        var rng = new Random(seed);
        const int n = 33, k = 10;
        var logits = Floats(rng, n * k, -4f, 4f);
        logits[0] = 40f; // a large logit: log-softmax must stay finite
        using var z = Tensor.FromHost(device, new Shape(n, k, 1, 1), logits);
        using var labels = device.Accelerator.Allocate1D(Ints(rng, n, k));
        using var probs = Tensor.Allocate(device, z.Shape, false);
        using var sampleLoss = Tensor.Allocate(device, new Shape(n, 1, 1, 1), false);
        using var sampleCorrect = Tensor.Allocate(device, new Shape(n, 1, 1, 1), false);
        using var loss = Tensor.FromHost(device, new Shape(1, 1, 1, 1), [0f]);
        using var dloss = Tensor.FromHost(device, new Shape(1, 1, 1, 1), [1f]);
        using var metrics = Tensor.FromHost(device, new Shape(SoftmaxCrossEntropyKernels.MetricCount, 1, 1, 1), [0.5f, 2f, 4f]);
        using var dz = Tensor.FromHost(device, z.Shape, Floats(rng, z.Length));
        var kernels = SoftmaxCrossEntropyKernels.For(device);
        kernels.Forward(n, k, z.View, labels.View, probs.View, sampleLoss.View, sampleCorrect.View, loss.View, metrics.View);
        kernels.Backward(n, k, probs.View, labels.View, dloss.View, dz.View);
        return [new("softmax", probs.ToHost()), new("per-sample", [.. sampleLoss.ToHost(), .. sampleCorrect.ToHost()]), new("loss-and-metrics", [.. loss.ToHost(), .. metrics.ToHost()]), new("backward", dz.ToHost())];
    }
}
