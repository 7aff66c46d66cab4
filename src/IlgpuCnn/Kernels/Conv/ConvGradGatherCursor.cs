using ILGPU;

namespace IlgpuCnn.Kernels;

/// <summary>
/// Conv backward-data A at stride 1: one row m = (n, ih, iw), read along k = (co, kh, kw) as
/// dy[n, co, ih + p − kh, iw + p − kw] (0 outside dy). Decodes once, then steps (kw, kh, co) with
/// carries: no division in the K loop.
/// </summary>
public struct ConvGradGatherCursor : IKCursor
{
    private readonly ArrayView<float> _dy;
    private readonly ConvGeometry _g;
    private long _base;
    private int _ihp;
    private int _iwp;
    private int _kh;
    private int _kw;

    public ConvGradGatherCursor(ArrayView<float> dy, ConvGeometry g)
    {
        _dy = dy;
        _g = g;
        _base = 0;
        _ihp = 0;
        _iwp = 0;
        _kh = 0;
        _kw = 0;
    }

    public void Start(int m, int k)
    {
        int hw = _g.H * _g.W;
        int n = m / hw;
        int r = m - (n * hw);
        int ih = r / _g.W;
        _ihp = ih + _g.Pad;
        _iwp = r - (ih * _g.W) + _g.Pad;
        int kk = _g.KH * _g.KW;
        int co = k / kk;
        int rk = k - (co * kk);
        _kh = rk / _g.KW;
        _kw = rk - (_kh * _g.KW);
        _base = (((long)n * _g.Co) + co) * _g.OH * _g.OW;
    }

    public float Next()
    {
        int oh = _ihp - _kh;
        int ow = _iwp - _kw;
        float v = (uint)oh < (uint)_g.OH && (uint)ow < (uint)_g.OW ? _dy[_base + (oh * _g.OW) + ow] : 0f;
        if (++_kw == _g.KW)
        {
            _kw = 0;
            if (++_kh == _g.KH)
            {
                _kh = 0;
                _base += _g.OH * _g.OW;
            }
        }

        return v;
    }
}
