using ILGPU;
using ILGPU.Runtime;
using IlgpuCnn.Device;

namespace IlgpuCnn.Kernels;

/// <summary>
/// The copies <see cref="SimdConv"/> computes from (a padded activation or gradient, transposed
/// weights, a channels-last output gradient), one of each on the device, shared by every layer
/// (the stream runs one launch at a time) and grown when a layer needs more — in the first
/// training step, never after.
/// </summary>
public sealed class SimdScratch
{
    private readonly ComputeDevice _device;
    private MemoryBuffer1D<float, Stride1D.Dense>? _padded;
    private MemoryBuffer1D<float, Stride1D.Dense>? _weights;
    private MemoryBuffer1D<float, Stride1D.Dense>? _channelsLast;

    public SimdScratch(ComputeDevice device) => _device = device;

    /// <summary>Views big enough for every pass of <paramref name="g"/>.</summary>
    public (ArrayView<float> Padded, ArrayView<float> Weights, ArrayView<float> ChannelsLast) For(ConvGeometry g)
    {
        long padded = (long)g.N * Math.Max(g.Ci, g.Co) * (g.H + 2) * (g.W + 2);
        long weights = (long)g.Co * g.Ci * 9;
        long channelsLast = (long)g.N * g.Co * g.H * g.W;
        if (Short(_padded, padded) || Short(_weights, weights) || Short(_channelsLast, channelsLast))
        {
            Grow(padded, weights, channelsLast);
        }

        return (_padded!.View.SubView(0, padded), _weights!.View.SubView(0, weights), _channelsLast!.View.SubView(0, channelsLast));
    }

    private static bool Short(MemoryBuffer1D<float, Stride1D.Dense>? buffer, long length) => buffer is null || buffer.Length < length;

    /// <summary>Replaces the buffers by ones at least this long (after the stream is idle: a queued launch may still use the old ones).</summary>
    private void Grow(long padded, long weights, long channelsLast)
    {
        _device.Accelerator.Synchronize();
        _padded = Replace(_padded, padded);
        _weights = Replace(_weights, weights);
        _channelsLast = Replace(_channelsLast, channelsLast);
    }

    private MemoryBuffer1D<float, Stride1D.Dense> Replace(MemoryBuffer1D<float, Stride1D.Dense>? old, long length)
    {
        if (old is not null && old.Length >= length)
        {
            return old;
        }

        old?.Dispose();
        return _device.Accelerator.Allocate1D<float>(length);
    }
}
