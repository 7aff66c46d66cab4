using ILGPU;
using IlgpuCnn.Kernels;

namespace IlgpuCnn.Benchmarks.Lab;

/// <summary>A row of the implicit im2col matrix: sample base offset and the window's top-left corner.</summary>
internal struct PatchRow
{
    public long SampleBase;
    public int Top;
    public int Left;

    public void Bind(int m, ConvGeometry g)
    {
        int ohw = g.OH * g.OW;
        int n = m / ohw;
        int r = m - n * ohw;
        int oh = r / g.OW;
        SampleBase = (long)n * g.Ci * g.H * g.W;
        Top = oh * g.Stride - g.Pad;
        Left = (r - oh * g.OW) * g.Stride - g.Pad;
    }

    /// <summary>x at patch element k = (ci, kh, kw) of this row, 0 in the padding.</summary>
    public readonly float Read(ArrayView<float> x, ConvGeometry g, int k)
    {
        int kk = g.KH * g.KW;
        int ci = k / kk;
        int rk = k - ci * kk;
        int kh = rk / g.KW;
        int ih = Top + kh;
        int iw = Left + rk - kh * g.KW;
        if (ih < 0 || ih >= g.H || iw < 0 || iw >= g.W)
        {
            return 0f;
        }

        return x[SampleBase + ((long)ci * g.H + ih) * g.W + iw];
    }
}
