using ILGPU;

namespace IlgpuCnn.Kernels;

/// <summary>The flat buffers one AdamW step updates (see <see cref="AdamWKernels"/>).</summary>
public readonly struct AdamWBuffers
{
    public AdamWBuffers(ArrayView<float> w, ArrayView<float> g, ArrayView<float> m, ArrayView<float> v)
    {
        W = w;
        G = g;
        M = m;
        V = v;
    }

    /// <summary>trainable values, updated in place.</summary>
    public readonly ArrayView<float> W;

    /// <summary>their gradients.</summary>
    public readonly ArrayView<float> G;

    /// <summary>first moments, updated in place.</summary>
    public readonly ArrayView<float> M;

    /// <summary>second moments, updated in place.</summary>
    public readonly ArrayView<float> V;
}
