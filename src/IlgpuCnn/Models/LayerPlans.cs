using IlgpuCnn.Kernels;

namespace IlgpuCnn.Models;

/// <summary>The kernel plans of one conv or dense layer: forward, backward-data (null for the first layer, whose input needs no gradient) and backward-weights.</summary>
public sealed record LayerPlans(string Layer, KernelPlan Forward, KernelPlan? BackwardData, KernelPlan BackwardWeights)
{
    /// <summary>"Run32 / Run32 / Run64": the bodies of forward / backward-data / backward-weights ("-" for a pass that does not run).</summary>
    public string Bodies => $"{Forward.Body} / {(BackwardData is { } d ? d.Body.ToString() : "-")} / {BackwardWeights.Body}";

    /// <summary>The plans that run, in launch order within each pass.</summary>
    public IEnumerable<KernelPlan> All => BackwardData is { } d ? [Forward, d, BackwardWeights] : [Forward, BackwardWeights];
}
