using ILGPU.Runtime;
using IlgpuCnn.Device;
using IlgpuCnn.Kernels;
using IlgpuCnn.Tensors;

namespace IlgpuCnn.Diagnostics;

/// <summary>2×2 max-pool forward and backward, plain or with the block's dropout fused (as the model runs it).</summary>
public sealed class MaxPoolCheck(float dropoutRate) : SelfTestCheck(dropoutRate > 0 ? "maxpool+dropout" : "maxpool")
{
    private static readonly (int N, int C, int H, int W)[] Shapes = [(3, 5, 8, 6), (2, 3, 7, 9), (1, 7, 4, 4)];

    public override IReadOnlyList<CheckOutput> Run(ComputeDevice device, DeviceFigures planFor, int seed)
    {
        var rng = new Random(seed);
        var (n, c, h, w) = Shapes[seed % Shapes.Length];
        var shape = new Shape(n, c, h, w);
        uint key = DropoutKernels.MaskKey((uint)seed, 1, 7);
        var k = MaxPoolKernels.For(device);
        using var x = Tensor.FromHost(device, shape, Floats(rng, shape.Length));
        using var y = Tensor.Allocate(device, new Shape(n, c, h / 2, w / 2), false);
        using var argmax = device.Accelerator.Allocate1D<int>(y.Length);
        using var dy = Tensor.FromHost(device, y.Shape, Floats(rng, y.Length));
        using var dx = Tensor.FromHost(device, shape, Floats(rng, shape.Length));
        k.Forward(n * c, h, w, x.View, y.View, argmax.View, key, dropoutRate);
        k.Backward(n * c, h, w, dy.View, argmax.View, dx.View, key, dropoutRate);
        return [new("forward", y.ToHost()), new("backward", dx.ToHost())];
    }
}
