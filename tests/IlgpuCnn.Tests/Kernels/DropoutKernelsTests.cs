using ILGPU.Runtime;
using IlgpuCnn.Kernels;
using IlgpuCnn.Tensors;
using IlgpuCnn.Tests.Reference;

namespace IlgpuCnn.Tests.Kernels;

/// <summary>Dropout: the mask rate, the 1/(1 − rate) scaling and a fresh mask per step.</summary>
[Collection(DeviceCollection.Name)]
public class DropoutKernelsTests(DeviceFixture fx)
{
    [Fact]
    public void DropoutKeepsAboutOneMinusRateAndScales()
    {
        var rng = new TestRandom();
        const float rate = 0.3f;
        var shape = new Shape(4, 7, 33, 35);
        var x = rng.Floats(shape.Length, 0.5f, 2f);
        var dy = rng.Floats(shape.Length);
        uint key = DropoutKernels.MaskKey((uint)rng.Seed, 3, 17);
        using var tx = Tensor.FromHost(fx.Device, shape, x);
        using var ty = Tensor.Allocate(fx.Device, shape, false);
        using var tdy = Tensor.FromHost(fx.Device, shape, dy);
        using var tdx = Tensor.Allocate(fx.Device, shape, false);
        tdx.View.MemSetToZero();
        var k = DropoutKernels.For(fx.Device);
        k.Forward(key, rate, tx.View, ty.View);
        k.Backward(key, rate, tdy.View, tdx.View);
        var y = ty.ToHost();
        var dx = tdx.ToHost();
        int kept = 0;
        for (int i = 0; i < y.Length; i++)
        {
            bool keep = DropoutKernels.Keep(key, i, rate);
            kept += keep ? 1 : 0;
            double ey = ElementwiseReference.Dropout(x[i], keep, rate);
            double edx = ElementwiseReference.Dropout(dy[i], keep, rate);
            Assert.True(Math.Abs(y[i] - ey) <= 1e-5 * Math.Abs(ey) + 1e-7, $"y[{i}] = {y[i]}, expected {ey} (seed {rng.Seed})");
            Assert.True(Math.Abs(dx[i] - edx) <= 1e-5 * Math.Abs(edx) + 1e-7, $"dx[{i}] = {dx[i]}, expected {edx} (seed {rng.Seed})");
        }

        double keepRate = kept / (double)y.Length;
        Assert.InRange(keepRate, 0.7 - 0.01, 0.7 + 0.01);

        // Another step draws another mask.
        uint key2 = DropoutKernels.MaskKey((uint)rng.Seed, 3, 18);
        int same = 0;
        for (int i = 0; i < 10000; i++)
        {
            same += DropoutKernels.Keep(key, i, rate) == DropoutKernels.Keep(key2, i, rate) ? 1 : 0;
        }

        Assert.InRange(same / 10000.0, 0.55, 0.62); // 0.7² + 0.3² = 0.58 for independent masks
    }
}
