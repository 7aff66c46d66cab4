using ILGPU;
using IlgpuCnn.Kernels;

namespace IlgpuCnn.Benchmarks.Lab;

/// <summary>
/// Conv backward-weights B: patches indexed k = (n, oh, ow), column j = (ci, kh, kw). The bound
/// column fixes (ci, kh, kw); each k decodes the output position.
/// </summary>
public struct ConvInputPatchesT : IGemmB
{
    private readonly ArrayView<float> _x;
    private readonly ConvGeometry _g;
    private long _channelOffset;
    private int _kh;
    private int _kw;

    public ConvInputPatchesT(ArrayView<float> x, ConvGeometry g)
    {
        _x = x;
        _g = g;
        _channelOffset = 0;
        _kh = 0;
        _kw = 0;
    }

    public void BindColumn(int j)
    {
        int kk = _g.KH * _g.KW;
        int ci = j / kk;
        int rk = j - ci * kk;
        _kh = rk / _g.KW;
        _kw = rk - _kh * _g.KW;
        _channelOffset = (long)ci * _g.H * _g.W;
    }

    public readonly float B(int k)
    {
        int ohw = _g.OH * _g.OW;
        int n = k / ohw;
        int r = k - n * ohw;
        int oh = r / _g.OW;
        int ih = oh * _g.Stride - _g.Pad + _kh;
        int iw = (r - oh * _g.OW) * _g.Stride - _g.Pad + _kw;
        if (ih < 0 || ih >= _g.H || iw < 0 || iw >= _g.W)
        {
            return 0f;
        }

        return _x[(long)n * _g.Ci * _g.H * _g.W + _channelOffset + (long)ih * _g.W + iw];
    }
}
