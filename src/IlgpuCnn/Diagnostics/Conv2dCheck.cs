using IlgpuCnn.Device;
using IlgpuCnn.Kernels;
using IlgpuCnn.Tensors;

namespace IlgpuCnn.Diagnostics;

/// <summary>
/// Conv2d forward, backward-data and backward-weights (+ bias) on one shape; each output is labelled
/// with the plan body that computed it. <paramref name="cpuCores"/>: by the plan of the device as if
/// it were made of CPU cores, which runs the <see cref="KernelBody.Simd"/> body where it fits (the
/// reference, the CPU accelerator, still runs Simple).
/// </summary>
public sealed class Conv2dCheck(ConvGeometry g, bool cpuCores = false) : SelfTestCheck(Name(g, cpuCores))
{
    /// <summary>
    /// Shapes that, on a GPU's plan, reach every body (3×3 "same" as the recipe, plus one stride-2
    /// case): 5→11 Direct forward (K = 45), Cursor backward-data and backward-weights (no pass in runs of 8);
    /// 10→12 Cursor for all three (K = 90: too long for Direct; the width-0.3 model's channels); 8→16 Run32 forward and backward-data, RunShort
    /// weights (32 pixels, 16 rows); 40→48 Run64 for all three; 8→16 stride 2: Run32 forward,
    /// Simple backward-data, RunShort weights.
    /// </summary>
    public static readonly ConvGeometry[] Shapes =
    [
        new(3, 5, 9, 7, 11, 3, 3, 1, 1),
        new(2, 10, 6, 5, 12, 3, 3, 1, 1),
        new(2, 8, 8, 4, 16, 3, 3, 1, 1),
        new(1, 40, 4, 4, 48, 3, 3, 1, 1),
        new(2, 8, 8, 8, 16, 3, 3, 2, 1),
    ];

    /// <summary>The shape checked by a CPU-cores plan: 16→16 on 8-pixel rows, Simd for all three passes.</summary>
    public static readonly ConvGeometry CpuCoresShape = new(2, 16, 5, 8, 16, 3, 3, 1, 1);

    public override IReadOnlyList<CheckOutput> Run(ComputeDevice device, DeviceFigures planFor, int seed)
    {
        var rng = new Random(seed);
        var kernels = Conv2dKernels.For(device);
        planFor = cpuCores ? planFor with { CpuCores = true } : planFor;
        using var x = Tensor.FromHost(device, new Shape(g.N, g.Ci, g.H, g.W), Floats(rng, (long)g.N * g.Ci * g.H * g.W));
        using var w = Tensor.FromHost(device, new Shape(g.Co, g.Ci, g.KH, g.KW), Floats(rng, (long)g.Co * g.Ci * g.KH * g.KW));
        using var b = Tensor.FromHost(device, new Shape(g.Co, 1, 1, 1), Floats(rng, g.Co));
        using var y = Tensor.Allocate(device, new Shape(g.N, g.Co, g.OH, g.OW), false);
        using var dy = Tensor.FromHost(device, y.Shape, Floats(rng, y.Length));
        using var dx = Tensor.FromHost(device, x.Shape, Floats(rng, x.Length));
        using var dw = Tensor.FromHost(device, w.Shape, Floats(rng, w.Length));
        using var db = Tensor.FromHost(device, b.Shape, Floats(rng, b.Length));
        using var copy = ConvWeightCopies.WrittenFor(kernels.ForwardPlan(g, planFor), device, w.View, g);
        var forward = kernels.Forward(g, x.View, w.View, copy?.View(0) ?? default, b.View, y.View, planFor).Body.ToString();
        var data = kernels.BackwardData(g, dy.View, w.View, dx.View, planFor).Body.ToString();
        var weights = kernels.BackwardWeights(g, x.View, dy.View, dw.View, db.View, planFor).Body.ToString();
        return [new("forward", y.ToHost(), forward), new("backward-data", dx.ToHost(), data), new("backward-weights", dw.ToHost(), weights), new("bias-grad", db.ToHost(), weights)];
    }

    private static string Name(ConvGeometry g, bool cpuCores) => $"conv2d {g.Ci}→{g.Co}" + (g.Stride != 1 ? $" stride {g.Stride}" : "") + (cpuCores ? " CPU cores" : "");
}
