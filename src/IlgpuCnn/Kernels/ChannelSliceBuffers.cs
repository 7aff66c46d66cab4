using ILGPU;
using IlgpuCnn.Device;

namespace IlgpuCnn.Kernels;

/// <summary>
/// The scratch of <see cref="ChannelSlices"/> on one device: partial figures and channel counters,
/// shared by every sliced launch (they run one after another on the device's stream) and grown
/// when a launch needs more. New counters are zeroed once; after that every launch leaves them at 0.
/// </summary>
public sealed class ChannelSliceBuffers
{
    private readonly GrowingBuffer<double> _partials;
    private readonly GrowingBuffer<int> _counters;

    public ChannelSliceBuffers(ComputeDevice device) => (_partials, _counters) = (new(device), new(device, zeroed: true));

    /// <summary>The slices of a launch over <paramref name="channels"/> channels of <paramref name="perChannel"/> values in <paramref name="slices"/> slices (empty views for one slice).</summary>
    public ChannelSlices For(int channels, int perChannel, int slices)
    {
        int length = (perChannel + slices - 1) / slices;
        if (slices <= 1)
        {
            return new ChannelSlices(default, default, 1, length);
        }

        long partials = 2L * channels * slices;
        return new ChannelSlices(_partials.View(partials), _counters.View(channels), slices, length);
    }
}
