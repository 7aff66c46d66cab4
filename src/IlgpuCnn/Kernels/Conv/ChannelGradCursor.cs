using ILGPU;

namespace IlgpuCnn.Kernels;

/// <summary>Conv backward-weights A: row co of dy read along k = (n, oh, ow), i.e. dy[n, co, oh, ow]; steps with a carry, no division.</summary>
public struct ChannelGradCursor : IKCursor
{
    private readonly ArrayView<float> _dy;
    private readonly ConvGeometry _g;
    private long _at;
    private int _pix;

    public ChannelGradCursor(ArrayView<float> dy, ConvGeometry g)
    {
        _dy = dy;
        _g = g;
        _at = 0;
        _pix = 0;
    }

    public void Start(int co, int k)
    {
        int ohw = _g.OH * _g.OW;
        int n = k / ohw;
        _pix = k - (n * ohw);
        _at = ((((long)n * _g.Co) + co) * ohw) + _pix;
    }

    public float Next()
    {
        float v = _dy[_at];
        _at++;
        int ohw = _g.OH * _g.OW;
        if (++_pix == ohw)
        {
            _pix = 0;
            _at += (long)(_g.Co - 1) * ohw;
        }

        return v;
    }
}
