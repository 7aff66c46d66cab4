using IlgpuCnn.Device;
using IlgpuCnn.Tensors;

namespace IlgpuCnn.Layers;

/// <summary>
/// Batch normalisation then ReLU, fused: y = max(0, γ·x̂ + β) in one kernel, and backward masks dy
/// by y &gt; 0 in the same pass (one read and write of the activation fewer each way; see <see cref="BatchNormLayer"/>).
/// </summary>
public sealed class BatchNormRelu(ComputeDevice device, ParameterStore store, string name, int channels, float epsilon = 1e-3f, float momentum = 0.99f)
    : BatchNormLayer(device, store, name, channels, epsilon, momentum, relu: true);
