using ILGPU.Runtime;
using IlgpuCnn.Kernels;
using IlgpuCnn.Tensors;
using IlgpuCnn.Tests.Reference;

namespace IlgpuCnn.Tests.Kernels;

/// <summary>
/// Batch norm training forward, moving statistics, backward and inference forward against the
/// double reference; on the GPU-shaped device with a GPU's figures, the larger shapes spread each
/// channel over several groups (ChannelSlices: 8 and 9 slices with an H100's figures, the last slice shorter).
/// </summary>
[Collection(DeviceCollection.Name)]
public class BatchNormKernelsTests(DeviceFixture fx)
{
    [Theory]
    [InlineData(false, 3, 5, 4, 6)]
    [InlineData(false, 7, 3, 1, 1)]
    [InlineData(true, 3, 5, 4, 6)]
    [InlineData(true, 2, 3, 5, 7)]
    [InlineData(true, 15, 3, 11, 13)]
    [InlineData(true, 16, 2, 12, 12)]
    [InlineData(true, 64, 2, 16, 17)]   // 2 slices of 8,704: per thread a whole 8-value trip, then one whose second step is partly or wholly past the slice
    [InlineData(true, 41, 3, 13, 11)]   // 5,863 values a channel: several trips per slice, an odd remainder
    public void BatchNormForwardBackward(bool gpuShaped, int n, int c, int h, int w)
    {
        var device = gpuShaped ? fx.GpuShaped : fx.Device;
        var rng = new TestRandom();
        const float eps = 1e-3f, momentum = 0.99f;
        int hw = h * w;
        var shape = new Shape(n, c, h, w);
        var x = rng.Floats(shape.Length, -2f, 3f);
        var gamma = rng.Floats(c, 0.5f, 1.5f);
        var beta = rng.Floats(c);
        var mm0 = rng.Floats(c);
        var mv0 = rng.Floats(c, 0.5f, 2f);
        var dy = rng.Floats(shape.Length);
        var dx0 = rng.Floats(shape.Length);
        var dg0 = rng.Floats(c);
        var db0 = rng.Floats(c);

        // dx is overwritten (dx0 is garbage it must replace); dγ and dβ accumulate onto dg0 and db0.
        var e = BatchNormReference.Run(x, gamma, beta, mm0, mv0, dy, n, c, hw, eps, momentum);
        using var tx = Tensor.FromHost(device, shape, x);
        using var tg = Tensor.FromHost(device, new Shape(c, 1, 1, 1), gamma);
        using var tb = Tensor.FromHost(device, new Shape(c, 1, 1, 1), beta);
        using var tmm = Tensor.FromHost(device, new Shape(c, 1, 1, 1), mm0);
        using var tmv = Tensor.FromHost(device, new Shape(c, 1, 1, 1), mv0);
        using var tmean = Tensor.Allocate(device, new Shape(c, 1, 1, 1), false);
        using var invstd = Tensor.Allocate(device, new Shape(c, 1, 1, 1), false);
        using var sums = Tensor.Allocate(device, new Shape(2 * c, 1, 1, 1), false);
        using var ty = Tensor.Allocate(device, shape, false);
        using var tdy = Tensor.FromHost(device, shape, dy);
        using var tdx = Tensor.FromHost(device, shape, dx0);
        using var tdg = Tensor.FromHost(device, new Shape(c, 1, 1, 1), dg0);
        using var tdb = Tensor.FromHost(device, new Shape(c, 1, 1, 1), db0);
        var k = BatchNormKernels.For(device);
        var d = new BatchNormDims(n, c, hw, eps, momentum);
        var buffers = new BatchNormBuffers
        {
            X = tx.View,
            Y = ty.View,
            Gamma = tg.View,
            Beta = tb.View,
            Mean = tmean.View,
            InvStd = invstd.View,
            MovingMean = tmm.View,
            MovingVar = tmv.View,
            Dy = tdy.View,
            Dx = tdx.View,
            DGamma = tdg.View,
            DBeta = tdb.View,
            Sums = sums.View,
        };
        var plan = gpuShaped ? fx.GpuPlan : (IlgpuCnn.Device.DeviceFigures?)null;
        k.ForwardTraining(d, buffers, plan);
        k.Backward(d, buffers, plan);
        foreach (var (t, v) in new[] { (tmm, mm0), (tmv, mv0), (tdg, dg0), (tdb, db0) })
        {
            t.View.CopyFromCPU(v); // a second launch of each: the slices' counters are back at 0
        }

        k.ForwardTraining(d, buffers, plan);
        k.Backward(d, buffers, plan);
        Assertions.Close(e.Y, ty.ToHost(), what: "bn forward", seed: rng.Seed);
        Assertions.Close(e.MovingMean, tmm.ToHost(), what: "bn moving mean", seed: rng.Seed);
        Assertions.Close(e.MovingVar, tmv.ToHost(), what: "bn moving variance", seed: rng.Seed);
        Assertions.Close(e.Dx, tdx.ToHost(), what: "bn dx", seed: rng.Seed);
        Assertions.Close(e.DGamma.Select((v, i) => v + dg0[i]).ToArray(), tdg.ToHost(), what: "bn dgamma", seed: rng.Seed);
        Assertions.Close(e.DBeta.Select((v, i) => v + db0[i]).ToArray(), tdb.ToHost(), what: "bn dbeta", seed: rng.Seed);

        k.ForwardInference(d, buffers);
        Assertions.Close(e.YInference, ty.ToHost(), what: "bn inference", seed: rng.Seed);
    }
}
