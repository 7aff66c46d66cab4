using ILGPU;
using IlgpuCnn.Device;

namespace IlgpuCnn.Kernels;

/// <summary>
/// The copies <see cref="SimdConv"/> computes from (a padded activation or gradient, transposed
/// weights, a channels-last output gradient), one of each on the device, shared by every layer
/// (the stream runs one launch at a time) and grown when a layer needs more — in the first
/// training step, never after.
/// </summary>
public sealed class SimdScratch(ComputeDevice device)
{
    private readonly GrowingBuffer<float> _padded = new(device);
    private readonly GrowingBuffer<float> _weights = new(device);
    private readonly GrowingBuffer<float> _channelsLast = new(device);

    /// <summary>Views big enough for every pass of <paramref name="g"/>.</summary>
    public (ArrayView<float> Padded, ArrayView<float> Weights, ArrayView<float> ChannelsLast) For(ConvGeometry g) =>
        (_padded.View((long)g.N * Math.Max(g.Ci, g.Co) * (g.H + 2) * (g.W + 2)), _weights.View((long)g.Co * g.Ci * 9), _channelsLast.View((long)g.N * g.Co * g.H * g.W));
}
