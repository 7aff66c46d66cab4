using ILGPU;

namespace IlgpuCnn.Kernels;

/// <summary>The buffers of a conv forward launch (see <see cref="Conv2dKernels"/>).</summary>
/// <param name="X">x (N, Ci, H, W).</param>
/// <param name="W">w (Co, Ci, KH, KW) for the Simple body; for the GEMM bodies (Cursor, Run64, Run32) and Direct its transposed copy wT (KH·KW·Ci, Co) (<see cref="ConvWeightCopies"/>).</param>
/// <param name="B">b (Co); may be empty (no bias).</param>
/// <param name="Y">y (N, Co, OH, OW), overwritten.</param>
public readonly record struct ConvForwardBuffers(ArrayView<float> X, ArrayView<float> W, ArrayView<float> B, ArrayView<float> Y);
