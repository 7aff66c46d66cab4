using IlgpuCnn.Device;
using IlgpuCnn.Kernels;
using IlgpuCnn.Tensors;

namespace IlgpuCnn.Diagnostics;

/// <summary>Dense forward, backward-data and backward-weights (+ bias) on odd shapes, each output labelled with the plan body that computed it.</summary>
public sealed class DenseCheck() : SelfTestCheck("dense")
{
    private static readonly (int N, int In, int Out)[] Shapes = [(5, 67, 33), (7, 9, 10), (67, 70, 65)];

    public override IReadOnlyList<CheckOutput> Run(ComputeDevice device, DeviceFigures planFor, int seed)
    {
        var rng = new Random(seed);
        var (n, inF, outF) = Shapes[seed % Shapes.Length];
        var kernels = DenseKernels.For(device);
        using var x = Tensor.FromHost(device, new Shape(n, inF, 1, 1), Floats(rng, (long)n * inF));
        using var w = Tensor.FromHost(device, new Shape(inF, outF, 1, 1), Floats(rng, (long)inF * outF));
        using var b = Tensor.FromHost(device, new Shape(outF, 1, 1, 1), Floats(rng, outF));
        using var y = Tensor.Allocate(device, new Shape(n, outF, 1, 1), false);
        using var dy = Tensor.FromHost(device, y.Shape, Floats(rng, y.Length));
        using var dx = Tensor.FromHost(device, x.Shape, Floats(rng, x.Length));
        using var dw = Tensor.FromHost(device, w.Shape, Floats(rng, w.Length));
        using var db = Tensor.FromHost(device, b.Shape, Floats(rng, b.Length));
        var forward = kernels.Forward(n, inF, outF, x.View, w.View, b.View, y.View, planFor).Body.ToString();
        var data = kernels.BackwardData(n, inF, outF, dy.View, w.View, dx.View, planFor).Body.ToString();
        var weights = kernels.BackwardWeights(n, inF, outF, x.View, dy.View, dw.View, db.View, planFor).Body.ToString();
        return [new("forward", y.ToHost(), forward), new("backward-data", dx.ToHost(), data), new("backward-weights", dw.ToHost(), weights), new("bias-grad", db.ToHost(), weights)];
    }
}
