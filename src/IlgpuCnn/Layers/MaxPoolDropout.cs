using IlgpuCnn.Device;

namespace IlgpuCnn.Layers;

/// <summary>
/// Max pooling 2×2/2 then dropout at <paramref name="rate"/>, fused (training only); the mask is the one a
/// <see cref="Dropout"/> layer with id <paramref name="dropoutLayerId"/> would draw (see <see cref="MaxPoolLayer"/>).
/// </summary>
public sealed class MaxPoolDropout(ComputeDevice device, string name, float rate, int dropoutLayerId) : MaxPoolLayer(device, name, rate, dropoutLayerId);
