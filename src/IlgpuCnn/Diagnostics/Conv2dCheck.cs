using IlgpuCnn.Device;
using IlgpuCnn.Kernels;
using IlgpuCnn.Tensors;

namespace IlgpuCnn.Diagnostics;

/// <summary>Conv2d forward, backward-data and backward-weights (+ bias) of one variant, on odd shapes (3×3 "same" as the recipe, and a strided case).</summary>
public sealed class Conv2dCheck(KernelVariant variant) : SelfTestCheck("conv2d", variant)
{
    private static readonly ConvGeometry[] Shapes =
    [
        new(3, 5, 9, 7, 11, 3, 3, 1, 1),
        new(2, 3, 7, 6, 5, 3, 3, 2, 1),
        new(2, 9, 5, 5, 70, 3, 3, 1, 1),
    ];

    public override IReadOnlyList<CheckOutput> Run(ComputeDevice device, KernelVariant variant, int seed)
    {
        var rng = new Random(seed);
        var g = Shapes[seed % Shapes.Length];
        var kernels = Conv2dKernels.For(device);
        using var x = Tensor.FromHost(device, new Shape(g.N, g.Ci, g.H, g.W), Floats(rng, (long)g.N * g.Ci * g.H * g.W));
        using var w = Tensor.FromHost(device, new Shape(g.Co, g.Ci, g.KH, g.KW), Floats(rng, (long)g.Co * g.Ci * g.KH * g.KW));
        using var b = Tensor.FromHost(device, new Shape(g.Co, 1, 1, 1), Floats(rng, g.Co));
        using var y = Tensor.Allocate(device, new Shape(g.N, g.Co, g.OH, g.OW), false);
        using var dy = Tensor.FromHost(device, y.Shape, Floats(rng, y.Length));
        using var dx = Tensor.FromHost(device, x.Shape, Floats(rng, x.Length));
        using var dw = Tensor.FromHost(device, w.Shape, Floats(rng, w.Length));
        using var db = Tensor.FromHost(device, b.Shape, Floats(rng, b.Length));
        kernels.Forward(g, x.View, w.View, b.View, y.View, variant);
        kernels.BackwardData(g, dy.View, w.View, dx.View, variant);
        kernels.BackwardWeights(g, x.View, dy.View, dw.View, db.View, variant);
        return [new("forward", y.ToHost()), new("backward-data", dx.ToHost()), new("backward-weights", dw.ToHost()), new("bias-grad", db.ToHost())];
    }
}
