using ILGPU;

namespace IlgpuCnn.Kernels;

/// <summary>
/// Conv backward-weights B: column j = (ci, kh, kw) of the patches read along k = (n, oh, ow), i.e.
/// x[n, ci, oh·s − p + kh, ow·s − p + kw] (0 in the padding). Column Ci·KH·KW (one past the last)
/// reads 1 everywhere, so the GEMM's extra column is Σ dy: the bias gradient. Steps (ow, oh, n)
/// with carries: no division in the K loop.
/// </summary>
public struct ConvPatchColumnCursor : IKCursor
{
    private readonly ArrayView<float> _x;
    private readonly ConvGeometry _g;
    private long _base;
    private int _ih0;
    private int _iw0;
    private int _ih;
    private int _iw;
    private int _oh;
    private int _ow;
    private bool _ones;

    public ConvPatchColumnCursor(ArrayView<float> x, ConvGeometry g)
    {
        _x = x;
        _g = g;
        _base = 0;
        _ih0 = 0;
        _iw0 = 0;
        _ih = 0;
        _iw = 0;
        _oh = 0;
        _ow = 0;
        _ones = false;
    }

    public void Start(int j, int k)
    {
        int kk = _g.KH * _g.KW;
        _ones = j >= _g.Ci * kk;
        int ci = _ones ? 0 : j / kk;
        int rk = j - (ci * kk);
        int kh = rk / _g.KW;
        _ih0 = kh - _g.Pad;
        _iw0 = rk - (kh * _g.KW) - _g.Pad;
        int ohw = _g.OH * _g.OW;
        int n = k / ohw;
        int r = k - (n * ohw);
        _oh = r / _g.OW;
        _ow = r - (_oh * _g.OW);
        _ih = (_oh * _g.Stride) + _ih0;
        _iw = (_ow * _g.Stride) + _iw0;
        _base = (((long)n * _g.Ci) + ci) * _g.H * _g.W;
    }

    public float Next()
    {
        float v = _ones ? 1f : (uint)_ih < (uint)_g.H && (uint)_iw < (uint)_g.W ? _x[_base + (_ih * _g.W) + _iw] : 0f;
        _iw += _g.Stride;
        if (++_ow == _g.OW)
        {
            _ow = 0;
            _iw = _iw0;
            _ih += _g.Stride;
            if (++_oh == _g.OH)
            {
                _oh = 0;
                _ih = _ih0;
                _base += (long)_g.Ci * _g.H * _g.W;
            }
        }

        return v;
    }
}
