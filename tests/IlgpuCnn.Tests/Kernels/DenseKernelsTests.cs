using ILGPU.Runtime;
using IlgpuCnn.Kernels;
using IlgpuCnn.Tensors;
using IlgpuCnn.Tests.Reference;

namespace IlgpuCnn.Tests.Kernels;

/// <summary>Dense forward, backward-data and backward-weights, every body of the plan (Simple on the CPU accelerator, Small on a GPU: K split into slices summed in the kernel), against the double reference.</summary>
[Collection(DeviceCollection.Name)]
public class DenseKernelsTests(DeviceFixture fx)
{
    [Theory]
    [InlineData(KernelBody.Simple, 1, 1, 1)]
    [InlineData(KernelBody.Simple, 5, 7, 3)]
    [InlineData(KernelBody.Small, 5, 7, 3)]
    [InlineData(KernelBody.Small, 67, 70, 33)]
    [InlineData(KernelBody.Small, 130, 9, 65)]
    [InlineData(KernelBody.Small, 3, 63, 64)]
    public void DenseForwardBackward(KernelBody variant, int n, int inF, int outF)
    {
        var (device, plan) = fx.On(variant != KernelBody.Simple);
        var rng = new TestRandom();
        var x = rng.Floats((long)n * inF);
        var w = rng.Floats((long)inF * outF);
        var b = rng.Floats(outF);
        var dy = rng.Floats((long)n * outF);
        var dx0 = rng.Floats(x.Length);
        var dw0 = rng.Floats(w.Length);
        var db0 = rng.Floats(outF);
        var ey = DenseReference.Forward(x, w, b, n, inF, outF);
        var (edx, edw, edb) = DenseReference.Backward(x, w, dy, n, inF, outF);
        using var tx = Tensor.FromHost(device, new Shape(n, inF, 1, 1), x);
        using var tw = Tensor.FromHost(device, new Shape(inF, outF, 1, 1), w);
        using var tb = Tensor.FromHost(device, new Shape(outF, 1, 1, 1), b);
        using var ty = Tensor.Allocate(device, new Shape(n, outF, 1, 1), false);
        using var tdy = Tensor.FromHost(device, ty.Shape, dy);
        using var tdx = Tensor.FromHost(device, tx.Shape, dx0);
        using var tdw = Tensor.FromHost(device, tw.Shape, dw0);
        using var tdb = Tensor.FromHost(device, tb.Shape, db0);
        var k = DenseKernels.For(device);
        Assert.Equal(variant, k.Forward(n, inF, outF, tx.View, tw.View, tb.View, ty.View, plan).Body);
        Assert.Equal(variant, k.BackwardData(n, inF, outF, tdy.View, tw.View, tdx.View, plan).Body);
        Assert.Equal(variant, k.BackwardWeights(n, inF, outF, tx.View, tdy.View, tdw.View, tdb.View, plan).Body);
        Assertions.Close(ey, ty.ToHost(), what: $"{variant} dense forward", seed: rng.Seed);
        Assertions.Close(edx, tdx.ToHost(), what: $"{variant} dense dx (overwritten)", seed: rng.Seed);
        Assertions.Close(edw.Select((v, i) => v + dw0[i]).ToArray(), tdw.ToHost(), what: $"{variant} dense dw", seed: rng.Seed);
        Assertions.Close(edb.Select((v, i) => v + db0[i]).ToArray(), tdb.ToHost(), what: $"{variant} dense db", seed: rng.Seed);
    }
}
