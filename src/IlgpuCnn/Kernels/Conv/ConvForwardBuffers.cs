using ILGPU;

namespace IlgpuCnn.Kernels;

/// <summary>The buffers of a conv forward launch (see <see cref="Conv2dKernels"/>).</summary>
public readonly struct ConvForwardBuffers
{
    public ConvForwardBuffers(ArrayView<float> x, ArrayView<float> w, ArrayView<float> b, ArrayView<float> y)
    {
        X = x;
        W = w;
        B = b;
        Y = y;
    }

    /// <summary>x (N, Ci, H, W).</summary>
    public readonly ArrayView<float> X;

    /// <summary>w (Co, Ci, KH, KW).</summary>
    public readonly ArrayView<float> W;

    /// <summary>b (Co); may be empty (no bias).</summary>
    public readonly ArrayView<float> B;

    /// <summary>y (N, Co, OH, OW), overwritten.</summary>
    public readonly ArrayView<float> Y;
}
