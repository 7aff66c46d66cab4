using ILGPU;

namespace IlgpuCnn.Kernels;

/// <summary>
/// Conv forward A: one row m = (n, oh, ow) of the implicit im2col of x, read along k = (ci, kh, kw).
/// <see cref="Start"/> decodes m and k once; <see cref="Next"/> steps (kw, kh, ci) as a counter
/// with carries (no division) and reads x, 0 in the padding.
/// </summary>
public struct ConvPatchCursor : IKCursor
{
    private readonly ArrayView<float> _x;
    private readonly ConvGeometry _g;
    private long _base;
    private int _top;
    private int _left;
    private int _kh;
    private int _kw;

    public ConvPatchCursor(ArrayView<float> x, ConvGeometry g)
    {
        _x = x;
        _g = g;
        _base = 0;
        _top = 0;
        _left = 0;
        _kh = 0;
        _kw = 0;
    }

    public void Start(int m, int k)
    {
        int ohw = _g.OH * _g.OW;
        int n = m / ohw;
        int r = m - (n * ohw);
        int oh = r / _g.OW;
        _top = (oh * _g.Stride) - _g.Pad;
        _left = ((r - (oh * _g.OW)) * _g.Stride) - _g.Pad;
        int kk = _g.KH * _g.KW;
        int ci = k / kk;
        int rk = k - (ci * kk);
        _kh = rk / _g.KW;
        _kw = rk - (_kh * _g.KW);
        _base = (((long)n * _g.Ci) + ci) * _g.H * _g.W;
    }

    public float Next()
    {
        int ih = _top + _kh;
        int iw = _left + _kw;
        float v = (uint)ih < (uint)_g.H && (uint)iw < (uint)_g.W ? _x[_base + (ih * _g.W) + iw] : 0f;
        if (++_kw == _g.KW)
        {
            _kw = 0;
            if (++_kh == _g.KH)
            {
                _kh = 0;
                _base += _g.H * _g.W;
            }
        }

        return v;
    }
}
