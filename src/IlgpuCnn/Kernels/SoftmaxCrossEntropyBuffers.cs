using ILGPU;

namespace IlgpuCnn.Kernels;

/// <summary>The buffers of the softmax-cross-entropy forward launch (see <see cref="SoftmaxCrossEntropyKernels"/>).</summary>
/// <param name="Logits">z (N, K).</param>
/// <param name="Labels">labels (N).</param>
/// <param name="Probs">p (N, K), overwritten.</param>
/// <param name="SampleLoss">per-sample loss (N), overwritten.</param>
/// <param name="SampleCorrect">per-sample hit, 1 or 0 (N), overwritten.</param>
/// <param name="Loss">the mean loss (1), overwritten.</param>
/// <param name="Metrics">the running sums (<see cref="SoftmaxCrossEntropyKernels.MetricCount"/>), accumulated.</param>
/// <param name="Counter">groups that have finished their rows (1 int, 0 between launches).</param>
public readonly record struct SoftmaxCrossEntropyBuffers(ArrayView<float> Logits, ArrayView<int> Labels, ArrayView<float> Probs, ArrayView<float> SampleLoss, ArrayView<float> SampleCorrect, ArrayView<float> Loss, ArrayView<float> Metrics, ArrayView<int> Counter);
