using ILGPU;

namespace IlgpuCnn.Kernels;

/// <summary>The buffers of a conv backward-weights launch (see <see cref="Conv2dKernels"/>).</summary>
public readonly struct ConvBackwardWeightsBuffers
{
    public ConvBackwardWeightsBuffers(ArrayView<float> x, ArrayView<float> dy, ArrayView<float> dw)
    {
        X = x;
        Dy = dy;
        Dw = dw;
    }

    /// <summary>x (N, Ci, H, W).</summary>
    public readonly ArrayView<float> X;

    /// <summary>dy (N, Co, OH, OW).</summary>
    public readonly ArrayView<float> Dy;

    /// <summary>dw (Co, Ci, KH, KW), accumulated.</summary>
    public readonly ArrayView<float> Dw;
}
