using IlgpuCnn.Device;
using IlgpuCnn.Kernels;
using IlgpuCnn.Tensors;

namespace IlgpuCnn.Diagnostics;

/// <summary>Three AdamW steps (decoupled decay, moments, bias-corrected update) on an odd-sized vector.</summary>
public sealed class AdamWCheck() : SelfTestCheck("adamw")
{
    public override IReadOnlyList<CheckOutput> Run(ComputeDevice device, DeviceFigures planFor, int seed)
    {
        var rng = new Random(seed);
        var shape = new Shape(1001, 1, 1, 1);
        using var w = Tensor.FromHost(device, shape, Floats(rng, shape.Length));
        using var g = Tensor.Allocate(device, shape, false);
        using var m = Tensor.FromHost(device, shape, new float[shape.Length]);
        using var v = Tensor.FromHost(device, shape, new float[shape.Length]);
        var kernels = AdamWKernels.For(device);
        for (int t = 1; t <= 3; t++)
        {
            g.Upload(Floats(rng, shape.Length));
            kernels.Step(new AdamWStep(1e-3, 0.003, 0.9, 0.999, 1e-7, t), w.View, g.View, m.View, v.View);
        }

        return [new("weights", w.ToHost()), new("moments", [.. m.ToHost(), .. v.ToHost()])];
    }
}
