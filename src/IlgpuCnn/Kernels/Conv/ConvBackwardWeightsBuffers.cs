using ILGPU;

namespace IlgpuCnn.Kernels;

/// <summary>The buffers of a conv backward-weights launch (see <see cref="Conv2dKernels"/>).</summary>
/// <param name="X">x (N, Ci, H, W).</param>
/// <param name="Dy">dy (N, Co, OH, OW).</param>
/// <param name="Dw">dw (Co, Ci, KH, KW), accumulated (+=).</param>
/// <param name="Addresses">dw's and db's device addresses (<see cref="GradAddresses.Of"/>), where the split GEMM bodies add on CUDA.</param>
public readonly record struct ConvBackwardWeightsBuffers(ArrayView<float> X, ArrayView<float> Dy, ArrayView<float> Dw, GradAddresses Addresses);
