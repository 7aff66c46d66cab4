using ILGPU;
using IlgpuCnn.Kernels;

namespace IlgpuCnn.Benchmarks.Lab;

/// <summary>Conv backward-data A: dy gathered per input pixel. m = (n, ih, iw), k = (co, kh, kw).</summary>
public struct ConvOutputGradGather : IGemmA
{
    private readonly ArrayView<float> _dy;
    private readonly ConvGeometry _g;
    private long _sampleBase;
    private int _ihp;
    private int _iwp;

    public ConvOutputGradGather(ArrayView<float> dy, ConvGeometry g)
    {
        _dy = dy;
        _g = g;
        _sampleBase = 0;
        _ihp = 0;
        _iwp = 0;
    }

    public void BindRow(int m)
    {
        int hw = _g.H * _g.W;
        int n = m / hw;
        int r = m - n * hw;
        int ih = r / _g.W;
        _sampleBase = (long)n * _g.Co * _g.OH * _g.OW;
        _ihp = ih + _g.Pad;
        _iwp = r - ih * _g.W + _g.Pad;
    }

    public readonly float A(int k)
    {
        int kk = _g.KH * _g.KW;
        int co = k / kk;
        int rk = k - co * kk;
        int kh = rk / _g.KW;
        int ohs = _ihp - kh;
        int ows = _iwp - (rk - kh * _g.KW);
        if (ohs < 0 || ows < 0)
        {
            return 0f;
        }

        int oh = ohs / _g.Stride;
        int ow = ows / _g.Stride;
        if (oh * _g.Stride != ohs || ow * _g.Stride != ows || oh >= _g.OH || ow >= _g.OW)
        {
            return 0f;
        }

        return _dy[_sampleBase + ((long)co * _g.OH + oh) * _g.OW + ow];
    }
}
