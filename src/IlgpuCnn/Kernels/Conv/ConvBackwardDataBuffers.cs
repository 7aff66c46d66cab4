using ILGPU;

namespace IlgpuCnn.Kernels;

/// <summary>The buffers of a conv backward-data launch (see <see cref="Conv2dKernels"/>).</summary>
/// <param name="Dy">dy (N, Co, OH, OW).</param>
/// <param name="W">w (Co, Ci, KH, KW).</param>
/// <param name="Dx">dx (N, Ci, H, W), overwritten (a split-K plan zeroes it, then its slices add).</param>
public readonly record struct ConvBackwardDataBuffers(ArrayView<float> Dy, ArrayView<float> W, ArrayView<float> Dx);
