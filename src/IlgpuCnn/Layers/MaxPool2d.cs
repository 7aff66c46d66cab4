using IlgpuCnn.Device;

namespace IlgpuCnn.Layers;

/// <summary>Max pooling 2×2, stride 2 (Keras' <c>MaxPooling2D</c>; see <see cref="MaxPoolLayer"/>).</summary>
public sealed class MaxPool2d(ComputeDevice device, string name) : MaxPoolLayer(device, name, 0f, 0);
