using ILGPU;
using ILGPU.Runtime;
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
    private readonly ComputeDevice _device;
    private MemoryBuffer1D<Float4, Stride1D.Dense>? _partials;
    private MemoryBuffer1D<int, Stride1D.Dense>? _counters;

    public SliceSumBuffers(ComputeDevice device) => _device = device;

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
        if (_partials is null || _partials.Length < partials || _counters!.Length < tiles)
        {
            Grow(Math.Max(partials, _partials?.Length ?? 0), Math.Max(tiles, _counters?.Length ?? 0));
        }

        return new SliceSum(_partials!.View.SubView(0, partials), _counters!.View.SubView(0, tiles));
    }

    /// <summary>Replaces the buffers (after the stream is idle: a queued launch may still use the old ones).</summary>
    private void Grow(long partials, long counters)
    {
        _device.Accelerator.Synchronize();
        _partials?.Dispose();
        _counters?.Dispose();
        _partials = _device.Accelerator.Allocate1D<Float4>(partials);
        _counters = _device.Accelerator.Allocate1D<int>(counters);
        _device.Zero<int>(_counters.View);
    }
}
