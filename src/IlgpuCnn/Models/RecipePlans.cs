using IlgpuCnn.Device;
using IlgpuCnn.Kernels;

namespace IlgpuCnn.Models;

/// <summary>
/// Which body runs each conv and dense layer of the model (<see cref="VggModel.Layout"/>) on a
/// device, from <see cref="KernelPlanner"/> alone: what <c>bench</c>'s per-op table shows and what
/// the table in Conv2dKernels.cs's header is checked against (by a test).
/// </summary>
public static class RecipePlans
{
    /// <summary>The recipe's batch size.</summary>
    public const int RecipeBatch = 64;

    /// <summary>The plans of every conv and dense layer, in network order, at <paramref name="width"/> and <paramref name="batch"/>.</summary>
    public static IReadOnlyList<LayerPlans> For(DeviceFigures device, double width = 1.0, int batch = RecipeBatch)
    {
        var plans = new List<LayerPlans>();
        var s = VggModel.InputShape(batch);
        foreach (var spec in VggModel.Layout(width))
        {
            bool first = plans.Count == 0;
            if (spec.Kind == LayerKind.Conv2d)
            {
                var g = new ConvGeometry(s.N, spec.In, s.H, s.W, spec.Out, 3, 3, 1, 1); // LayerKind.Conv2d: 3×3, "same", stride 1
                KernelPlan Conv(KernelPass pass) => KernelPlanner.Conv(pass, g, device);
                plans.Add(new LayerPlans(spec.Name, Conv(KernelPass.Forward), first ? null : Conv(KernelPass.BackwardData), Conv(KernelPass.BackwardWeights)));
            }
            else if (spec.Kind == LayerKind.Dense)
            {
                int n = s.N;
                KernelPlan Dense(KernelPass pass) => KernelPlanner.Dense(pass, n, spec.In, spec.Out, device);
                plans.Add(new LayerPlans(spec.Name, Dense(KernelPass.Forward), first ? null : Dense(KernelPass.BackwardData), Dense(KernelPass.BackwardWeights)));
            }

            s = spec.OutputShape(s);
        }

        return plans;
    }

    /// <summary>The recipe's (width 1, batch 64) conv layer → body table on CUDA (an H100's plan) and on the CPU accelerator, one line per layer.</summary>
    public static IEnumerable<string> ConvTable()
    {
        var cpu = For(DeviceFigures.Cpu).ToDictionary(p => p.Layer);
        yield return $"{"layer",-14}{"CUDA (H100): fwd / bwd-data / bwd-weights",-44}CPU accelerator";
        foreach (var gpu in For(DeviceFigures.H100).Where(p => p.Forward.Kernel.StartsWith("Conv2dKernels.", StringComparison.Ordinal)))
        {
            yield return $"{gpu.Layer,-14}{gpu.Bodies,-44}{cpu[gpu.Layer].Bodies}";
        }
    }
}
