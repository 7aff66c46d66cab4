using ILGPU.Runtime;
using IlgpuCnn.Kernels;
using IlgpuCnn.Tensors;
using IlgpuCnn.Tests.Reference;

namespace IlgpuCnn.Tests.Kernels;

/// <summary>ReLU forward and backward against the double reference.</summary>
[Collection(DeviceCollection.Name)]
public class ReluKernelsTests(DeviceFixture fx)
{
    [Theory]
    [InlineData(1, 1, 1, 1)]
    [InlineData(3, 5, 7, 9)]
    [InlineData(2, 3, 33, 31)]
    public void ReluForwardBackward(int n, int c, int h, int w)
    {
        var rng = new TestRandom();
        var shape = new Shape(n, c, h, w);
        var x = rng.Floats(shape.Length);
        var dy = rng.Floats(shape.Length);
        var dx0 = rng.Floats(shape.Length);
        using var tx = Tensor.FromHost(fx.Device, shape, x);
        using var ty = Tensor.Allocate(fx.Device, shape, false);
        using var tdy = Tensor.FromHost(fx.Device, shape, dy);
        using var tdx = Tensor.FromHost(fx.Device, shape, dx0);
        var k = ReluKernels.For(fx.Device);
        k.Forward(tx.View, ty.View);
        k.Backward(ty.View, tdy.View, tdx.View);
        Assertions.Close(ElementwiseReference.ReluForward(x), ty.ToHost(), what: "relu forward", seed: rng.Seed);
        Assertions.Close(ElementwiseReference.ReluBackward(x, dy), tdx.ToHost(), what: "relu backward (overwrites dx)", seed: rng.Seed);
    }
}
