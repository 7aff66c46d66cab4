using ILGPU;
using ILGPU.Runtime;
using IlgpuCnn.Device;

namespace IlgpuCnn.Kernels;

/// <summary>
/// The scratch of <see cref="ChannelSlices"/> on one device: partial figures and channel counters,
/// shared by every sliced launch (they run one after another on the device's stream) and grown
/// when a launch needs more. New counters are zeroed once; after that every launch leaves them at 0.
/// </summary>
public sealed class ChannelSliceBuffers
{
    private readonly ComputeDevice _device;
    private MemoryBuffer1D<double, Stride1D.Dense>? _partials;
    private MemoryBuffer1D<int, Stride1D.Dense>? _counters;

    public ChannelSliceBuffers(ComputeDevice device) => _device = device;

    /// <summary>The slices of a launch over <paramref name="channels"/> channels of <paramref name="perChannel"/> values in <paramref name="slices"/> slices (empty views for one slice).</summary>
    public ChannelSlices For(int channels, int perChannel, int slices)
    {
        int length = (perChannel + slices - 1) / slices;
        if (slices <= 1)
        {
            return new ChannelSlices(default, default, 1, length);
        }

        long partials = 2L * channels * slices;
        if (_partials is null || _partials.Length < partials || _counters!.Length < channels)
        {
            Grow(Math.Max(partials, _partials?.Length ?? 0), Math.Max(channels, _counters?.Length ?? 0));
        }

        return new ChannelSlices(_partials!.View.SubView(0, partials), _counters!.View.SubView(0, channels), slices, length);
    }

    /// <summary>Replaces the buffers (after the stream is idle: a queued launch may still use the old ones).</summary>
    private void Grow(long partials, long counters)
    {
        _device.Accelerator.Synchronize();
        _partials?.Dispose();
        _counters?.Dispose();
        _partials = _device.Accelerator.Allocate1D<double>(partials);
        _counters = _device.Accelerator.Allocate1D<int>(counters);
        _device.Zero<int>(_counters.View);
    }
}
