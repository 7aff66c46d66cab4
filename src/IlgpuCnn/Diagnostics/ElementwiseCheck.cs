using IlgpuCnn.Device;
using IlgpuCnn.Kernels;
using IlgpuCnn.Tensors;

namespace IlgpuCnn.Diagnostics;

/// <summary>ReLU, dropout and global average pooling, forward and backward, on one odd shape.</summary>
public sealed class ElementwiseCheck(string op) : SelfTestCheck(op)
{
    /// <summary>The ops this check knows.</summary>
    public static readonly string[] Ops = ["relu", "dropout", "global-avg-pool"];

    public override IReadOnlyList<CheckOutput> Run(ComputeDevice device, DeviceFigures planFor, int seed)
    {
        var rng = new Random(seed);
        var shape = new Shape(3, 5, 7, 9);
        using var x = Tensor.FromHost(device, shape, Floats(rng, shape.Length));
        var outShape = Kernel == "global-avg-pool" ? new Shape(3, 5, 1, 1) : shape;
        using var y = Tensor.Allocate(device, outShape, false);
        using var dy = Tensor.FromHost(device, outShape, Floats(rng, outShape.Length));
        using var dx = Tensor.FromHost(device, shape, Floats(rng, shape.Length));
        switch (Kernel)
        {
            case "relu":
                ReluKernels.For(device).Forward(x.View, y.View);
                ReluKernels.For(device).Backward(y.View, dy.View, dx.View);
                break;
            case "dropout":
                uint key = DropoutKernels.MaskKey((uint)seed, 4, 9);
                DropoutKernels.For(device).Forward(key, 0.35f, x.View, y.View);
                DropoutKernels.For(device).Backward(key, 0.35f, dy.View, dx.View);
                break;
            case "global-avg-pool":
                GlobalAvgPoolKernels.For(device).Forward(shape.N * shape.C, shape.H * shape.W, x.View, y.View);
                GlobalAvgPoolKernels.For(device).Backward(shape.H * shape.W, dy.View, dx.View);
                break;
            default:
                throw new ArgumentException($"unknown op '{Kernel}'; expected one of {string.Join(", ", Ops)}");
        }

        return [new("forward", y.ToHost()), new("backward", dx.ToHost())];
    }
}
