using ILGPU;

namespace IlgpuCnn.Kernels;

/// <summary>
/// Conv backward-weights B: column j = (ci, kh, kw) of the patches read along k = (n, oh, ow), i.e.
/// x[n, ci, oh·s − p + kh, ow·s − p + kw] (0 in the padding). Column Ci·KH·KW (one past the last)
/// reads 1 everywhere, so the GEMM's extra column is Σ dy: the bias gradient. <see cref="Start"/>
/// decodes j and k once (<see cref="ConvIndex"/>), then steps (ow, oh, n) with carries: no division in the K loop.
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
    }

    public void Start(int j, int k)
    {
        int ci = ConvIndex.ChannelMajor(j, _g.KH, _g.KW, out int kh, out int kw);
        _ones = ci >= _g.Ci;
        _ih0 = kh - _g.Pad;
        _iw0 = kw - _g.Pad;
        int n = ConvIndex.Pixel(k, _g.OH, _g.OW, out _oh, out _ow);
        _ih = (_oh * _g.Stride) + _ih0;
        _iw = (_ow * _g.Stride) + _iw0;
        _base = (((long)n * _g.Ci) + (_ones ? 0 : ci)) * _g.H * _g.W;
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
