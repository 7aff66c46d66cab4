using ILGPU.Runtime;
using IlgpuCnn.Kernels;
using IlgpuCnn.Tensors;
using IlgpuCnn.Tests.Reference;

namespace IlgpuCnn.Tests.Kernels;

/// <summary>
/// Softmax cross-entropy: probabilities, mean loss, metric sums and dlogits against the double
/// reference, on the product's device (one row per group on the CPU accelerator) and the
/// GPU-shaped one (groups of 32 rows: several groups, the last one's ordered sum over several
/// chunks). The forward runs twice: the second launch finds its group counter back at 0.
/// </summary>
[Collection(DeviceCollection.Name)]
public class SoftmaxCrossEntropyKernelsTests(DeviceFixture fx)
{
    [Theory]
    [InlineData(false, 1, 2)]
    [InlineData(false, 9, 10)]
    [InlineData(false, 33, 7)]
    [InlineData(true, 1, 2)]
    [InlineData(true, 9, 10)]
    [InlineData(true, 33, 7)]
    [InlineData(true, 70, 13)]
    public void SoftmaxCrossEntropyForwardBackward(bool gpu, int n, int k)
    {
        var rng = new TestRandom();
        var z = rng.Floats((long)n * k, -4f, 4f);
        z[0] = 40f; // a large logit: log-softmax must stay finite
        var labels = rng.Ints(n, k);
        var dz0 = rng.Floats(z.Length);
        var (ep, lossSum, correct, edz) = SoftmaxCrossEntropyReference.Run(z, labels, n, k); // dz is overwritten (dz0 is garbage it must replace)

        var device = fx.On(gpu).Device;
        using var tz = Tensor.FromHost(device, new Shape(n, k, 1, 1), z);
        using var lab = device.Accelerator.Allocate1D<int>(labels);
        using var probs = Tensor.Allocate(device, tz.Shape, false);
        using var sl = Tensor.Allocate(device, new Shape(n, 1, 1, 1), false);
        using var sc = Tensor.Allocate(device, new Shape(n, 1, 1, 1), false);
        using var loss = Tensor.FromHost(device, new Shape(1, 1, 1, 1), [0f]);
        using var dloss = Tensor.FromHost(device, new Shape(1, 1, 1, 1), [1f]);
        using var metrics = Tensor.FromHost(device, new Shape(3, 1, 1, 1), [0.5f, 2f, 4f]);
        using var tdz = Tensor.FromHost(device, tz.Shape, dz0);
        var kernels = SoftmaxCrossEntropyKernels.For(device);
        kernels.Forward(n, k, tz.View, lab.View, probs.View, sl.View, sc.View, loss.View, metrics.View);
        kernels.Forward(n, k, tz.View, lab.View, probs.View, sl.View, sc.View, loss.View, metrics.View);
        kernels.Backward(n, k, probs.View, lab.View, dloss.View, tdz.View);
        Assertions.Close(ep, probs.ToHost(), what: "softmax", seed: rng.Seed);
        Assertions.Close([lossSum / n], loss.ToHost(), what: "mean loss", seed: rng.Seed);
        Assertions.Close([0.5 + (2 * lossSum), 2.0 + (2 * correct), 6.0], metrics.ToHost(), what: "metric sums and finite batches", seed: rng.Seed);
        Assertions.Close(edz, tdz.ToHost(), what: "dlogits", seed: rng.Seed);
    }
}
