using ILGPU;
using IlgpuCnn.Device;

namespace IlgpuCnn.Kernels;

/// <summary>
/// The scratch of <see cref="SliceSum"/> on one device: partial tiles and tile counters, shared by
/// every split Run launch (they run one after another on the device's stream) and grown when a
/// plan needs more — never per step once the largest launch has run. New counters are zeroed once;
/// after that every launch leaves them at 0.
/// </summary>
public sealed class SliceSumBuffers
{
    private readonly GrowingBuffer<Float4> _partials;
    private readonly GrowingBuffer<int> _counters;

    public SliceSumBuffers(ComputeDevice device) => (_partials, _counters) = (new(device), new(device, zeroed: true));

    /// <summary>The scratch for <paramref name="plan"/>'s launch (empty views when it has one slice or its slices add atomically).</summary>
    public SliceSum For(KernelPlan plan)
    {
        if (plan.Splits == 1 || plan.Store == GemmStoreMode.AtomicAdd)
        {
            return default;
        }

        var grid = plan.Config.GridDim;
        int tiles = grid.X * grid.Y;
        int perThread = plan.Body == KernelBody.Small ? SmallGemm.PartialFloat4sPerThread : SliceSum.BlockFloat4s;
        long partials = SliceSum.PartialFloat4s(tiles, plan.Splits, plan.Config.GroupDim.X, perThread);
        return new SliceSum(_partials.View(partials), _counters.View(tiles));
    }
}
