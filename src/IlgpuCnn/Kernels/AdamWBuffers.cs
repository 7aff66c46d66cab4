using ILGPU;

namespace IlgpuCnn.Kernels;

/// <summary>The flat buffers one AdamW step updates (see <see cref="AdamWKernels"/>).</summary>
/// <param name="W">trainable values, updated in place.</param>
/// <param name="G">their gradients.</param>
/// <param name="M">first moments, updated in place.</param>
/// <param name="V">second moments, updated in place.</param>
public readonly record struct AdamWBuffers(ArrayView<float> W, ArrayView<float> G, ArrayView<float> M, ArrayView<float> V);
