using ILGPU.Runtime;
using IlgpuCnn.Kernels;
using IlgpuCnn.Tensors;
using IlgpuCnn.Tests.Reference;

namespace IlgpuCnn.Tests.Kernels;

/// <summary>Global average pooling forward and backward against the double reference.</summary>
[Collection(DeviceCollection.Name)]
public class GlobalAvgPoolKernelsTests(DeviceFixture fx)
{
    [Theory]
    [InlineData(1, 1, 1, 1)]
    [InlineData(3, 5, 4, 4)]
    [InlineData(2, 7, 5, 3)]
    public void GlobalAvgPoolForwardBackward(int n, int c, int h, int w)
    {
        var rng = new TestRandom();
        var shape = new Shape(n, c, h, w);
        var x = rng.Floats(shape.Length);
        var dy = rng.Floats((long)n * c);
        var dx0 = rng.Floats(shape.Length);
        int hw = h * w;
        var (ey, edx) = ElementwiseReference.GlobalAvgPool(x, dy, n * c, hw); // dx is overwritten
        using var tx = Tensor.FromHost(fx.Device, shape, x);
        using var ty = Tensor.Allocate(fx.Device, new Shape(n, c, 1, 1), false);
        using var tdy = Tensor.FromHost(fx.Device, ty.Shape, dy);
        using var tdx = Tensor.FromHost(fx.Device, shape, dx0);
        var k = GlobalAvgPoolKernels.For(fx.Device);
        k.Forward(n * c, hw, tx.View, ty.View);
        k.Backward(hw, tdy.View, tdx.View);
        Assertions.Close(ey, ty.ToHost(), what: "gap forward", seed: rng.Seed);
        Assertions.Close(edx, tdx.ToHost(), what: "gap backward", seed: rng.Seed);
    }
}
