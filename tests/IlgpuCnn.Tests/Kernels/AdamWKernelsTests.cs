using ILGPU.Runtime;
using IlgpuCnn.Kernels;
using IlgpuCnn.Tensors;
using IlgpuCnn.Tests.Reference;

namespace IlgpuCnn.Tests.Kernels;

/// <summary>The AdamW step against the double reference over several steps, and its 1 − β terms.</summary>
[Collection(DeviceCollection.Name)]
public class AdamWKernelsTests(DeviceFixture fx)
{
    [Fact]
    public void AdamWOneMinusBetaIsComputedInDoubleAsKerasDoes()
    {
        var s = new AdamWStep(1e-3, 0.003, 0.9, 0.999, 1e-7, 1);
        Assert.Equal((float)(1 - 0.999), s.OneMinusBeta2);
        Assert.Equal((float)(1 - 0.9), s.OneMinusBeta1);
        Assert.NotEqual(1f - 0.999f, s.OneMinusBeta2); // float32 arithmetic would give 0.99987e-3
    }

    [Fact]
    public void AdamWMatchesHandComputedStepsOverSeveralIterations()
    {
        var rng = new TestRandom();
        const int count = 37;
        double lr = 1e-3, wd = 0.003, b1 = 0.9, b2 = 0.999, eps = 1e-7;
        var w = rng.Floats(count).Select(v => (double)v).ToArray();
        var m = new double[count];
        var v = new double[count];
        var device = fx.Device;
        using var tw = Tensor.FromHost(device, new Shape(count, 1, 1, 1), w.Select(x => (float)x).ToArray());
        using var tg = Tensor.Allocate(device, tw.Shape, false);
        using var tm = Tensor.Allocate(device, tw.Shape, false);
        using var tv = Tensor.Allocate(device, tw.Shape, false);
        tm.View.MemSetToZero();
        tv.View.MemSetToZero();
        var k = AdamWKernels.For(device);
        for (int t = 1; t <= 5; t++)
        {
            var g = rng.Floats(count);
            tg.Upload(g);
            k.Step(new AdamWStep(lr, wd, b1, b2, eps, t), tw.View, tg.View, tm.View, tv.View);
            AdamWReference.Step(w, m, v, g, t, lr, wd, b1, b2, eps);
        }

        Assertions.Close(w, tw.ToHost(), rtol: 1e-5, atol: 1e-6, what: "weights after 5 steps", seed: rng.Seed);
        Assertions.Close(m, tm.ToHost(), rtol: 1e-5, atol: 1e-6, what: "first moments", seed: rng.Seed);
        Assertions.Close(v, tv.ToHost(), rtol: 1e-4, atol: 1e-7, what: "second moments", seed: rng.Seed);
    }
}
