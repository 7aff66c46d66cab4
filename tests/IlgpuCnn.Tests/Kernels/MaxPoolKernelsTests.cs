using ILGPU.Runtime;
using IlgpuCnn.Kernels;
using IlgpuCnn.Tensors;
using IlgpuCnn.Tests.Reference;

namespace IlgpuCnn.Tests.Kernels;

/// <summary>2×2 max-pool forward and backward against the double reference, odd sizes included.</summary>
[Collection(DeviceCollection.Name)]
public class MaxPoolKernelsTests(DeviceFixture fx)
{
    [Theory]
    [InlineData(1, 1, 2, 2)]
    [InlineData(2, 3, 8, 6)]
    [InlineData(3, 2, 7, 9)]
    public void MaxPoolForwardBackward(int n, int c, int h, int w)
    {
        var rng = new TestRandom();
        var shape = new Shape(n, c, h, w);
        var x = rng.Floats(shape.Length);
        int oh = h / 2, ow = w / 2;
        var dy = rng.Floats((long)n * c * oh * ow);
        var dx0 = rng.Floats(shape.Length);
        // The kernel overwrites every input of every 2x2 window (0 off the argmax); an odd last
        // row/column is in no window and keeps what was there (the layer zeroes it).
        var (ey, edx) = ElementwiseReference.MaxPool(x, dy, dx0, n * c, h, w);
        using var tx = Tensor.FromHost(fx.Device, shape, x);
        using var ty = Tensor.Allocate(fx.Device, new Shape(n, c, oh, ow), false);
        using var arg = fx.Device.Accelerator.Allocate1D<int>(ty.Length);
        using var tdy = Tensor.FromHost(fx.Device, ty.Shape, dy);
        using var tdx = Tensor.FromHost(fx.Device, shape, dx0);
        var k = MaxPoolKernels.For(fx.Device);
        k.Forward(n * c, h, w, tx.View, ty.View, arg.View);
        k.Backward(n * c, h, w, tdy.View, arg.View, tdx.View);
        Assertions.Close(ey, ty.ToHost(), what: "maxpool forward", seed: rng.Seed);
        Assertions.Close(edx, tdx.ToHost(), what: "maxpool backward", seed: rng.Seed);
    }
}
