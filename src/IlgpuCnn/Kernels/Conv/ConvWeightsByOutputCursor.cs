using ILGPU;

namespace IlgpuCnn.Kernels;

/// <summary>Conv backward-data B: column ci of w read along k = (co, kh, kw), i.e. w[co, ci, kh, kw]; steps with a carry, no division.</summary>
public struct ConvWeightsByOutputCursor : IKCursor
{
    private readonly ArrayView<float> _w;
    private readonly ConvGeometry _g;
    private long _at;
    private int _r;

    public ConvWeightsByOutputCursor(ArrayView<float> w, ConvGeometry g)
    {
        _w = w;
        _g = g;
        _at = 0;
        _r = 0;
    }

    public void Start(int ci, int k)
    {
        int kk = _g.KH * _g.KW;
        int co = k / kk;
        _r = k - (co * kk);
        _at = ((((long)co * _g.Ci) + ci) * kk) + _r;
    }

    public float Next()
    {
        float v = _w[_at];
        _at++;
        int kk = _g.KH * _g.KW;
        if (++_r == kk)
        {
            _r = 0;
            _at += (long)(_g.Ci - 1) * kk;
        }

        return v;
    }
}
