using ILGPU;

namespace IlgpuCnn.Kernels;

/// <summary>The buffers of a conv backward-data launch (see <see cref="Conv2dKernels"/>).</summary>
public readonly struct ConvBackwardDataBuffers
{
    public ConvBackwardDataBuffers(ArrayView<float> dy, ArrayView<float> w, ArrayView<float> dx)
    {
        Dy = dy;
        W = w;
        Dx = dx;
    }

    /// <summary>dy (N, Co, OH, OW).</summary>
    public readonly ArrayView<float> Dy;

    /// <summary>w (Co, Ci, KH, KW).</summary>
    public readonly ArrayView<float> W;

    /// <summary>dx (N, Ci, H, W), accumulated.</summary>
    public readonly ArrayView<float> Dx;
}
