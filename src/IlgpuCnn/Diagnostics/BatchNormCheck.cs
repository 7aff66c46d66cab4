using IlgpuCnn.Device;
using IlgpuCnn.Kernels;
using IlgpuCnn.Tensors;

namespace IlgpuCnn.Diagnostics;

/// <summary>Batch norm (optionally with ReLU fused) in training (statistics, moving averages, y), backward (dx, dγ, dβ) and inference.</summary>
public sealed class BatchNormCheck(bool fuseRelu) : SelfTestCheck(fuseRelu ? "batchnorm+relu" : "batchnorm")
{
    private static readonly (int N, int C, int H, int W)[] Shapes = [(3, 5, 7, 9), (7, 3, 1, 1), (2, 33, 5, 3)];

    public override IReadOnlyList<CheckOutput> Run(ComputeDevice device, DeviceFigures planFor, int seed)
    {
        var rng = new Random(seed);
        var (n, c, h, w) = Shapes[seed % Shapes.Length];
        var shape = new Shape(n, c, h, w);
        var channel = new Shape(c, 1, 1, 1);
        var k = BatchNormKernels.For(device);
        using var x = Tensor.FromHost(device, shape, Floats(rng, shape.Length, -2f, 3f));
        using var gamma = Tensor.FromHost(device, channel, Floats(rng, c, 0.5f, 1.5f));
        using var beta = Tensor.FromHost(device, channel, Floats(rng, c));
        using var movingMean = Tensor.FromHost(device, channel, Floats(rng, c));
        using var movingVar = Tensor.FromHost(device, channel, Floats(rng, c, 0.5f, 2f));
        using var mean = Tensor.Allocate(device, channel, false);
        using var invstd = Tensor.Allocate(device, channel, false);
        using var sums = Tensor.Allocate(device, new Shape(2 * c, 1, 1, 1), false);
        using var y = Tensor.Allocate(device, shape, false);
        using var dy = Tensor.FromHost(device, shape, Floats(rng, shape.Length));
        using var dx = Tensor.FromHost(device, shape, Floats(rng, shape.Length));
        using var dgamma = Tensor.FromHost(device, channel, Floats(rng, c));
        using var dbeta = Tensor.FromHost(device, channel, Floats(rng, c));
        var d = new BatchNormDims(n, c, h * w, 1e-3f, 0.99f, fuseRelu);
        var p = new BatchNormBuffers
        {
            X = x.View, Y = y.View, Gamma = gamma.View, Beta = beta.View, Mean = mean.View, InvStd = invstd.View,
            MovingMean = movingMean.View, MovingVar = movingVar.View, Dy = dy.View, Dx = dx.View, DGamma = dgamma.View, DBeta = dbeta.View, Sums = sums.View,
        };
        k.ForwardTraining(d, p);
        var forward = y.ToHost();
        k.Backward(d, p);
        var outputs = new List<CheckOutput>
        {
            new("forward", forward), new("moving-stats", [.. movingMean.ToHost(), .. movingVar.ToHost()]),
            new("backward-data", dx.ToHost()), new("dgamma-dbeta", [.. dgamma.ToHost(), .. dbeta.ToHost()]),
        };
        k.ForwardInference(d, p);
        outputs.Add(new("inference", y.ToHost()));
        return outputs;
    }
}
