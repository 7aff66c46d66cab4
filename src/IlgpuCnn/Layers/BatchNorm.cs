using IlgpuCnn.Device;
using IlgpuCnn.Tensors;

namespace IlgpuCnn.Layers;

/// <summary>Batch normalisation (Keras' <c>BatchNormalization</c>; see <see cref="BatchNormLayer"/>).</summary>
public sealed class BatchNorm(ComputeDevice device, ParameterStore store, string name, int channels, float epsilon = 1e-3f, float momentum = 0.99f)
    : BatchNormLayer(device, store, name, channels, epsilon, momentum, relu: false);
