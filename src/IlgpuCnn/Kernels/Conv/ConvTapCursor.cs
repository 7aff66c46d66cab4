using ILGPU;

namespace IlgpuCnn.Kernels;

/// <summary>
/// Conv A for the Cursor body, both directions (<see cref="ConvWindow"/>): row m read along
/// k = (c, kh, kw) (channels outer, taps inner, the weights' own order). <see cref="Start"/> decodes
/// once (<see cref="ConvIndex"/>); <see cref="Next"/> reads the source (0 outside it), then steps (kw, kh, c) as a counter
/// with carries, moving the source position by the window's sign (no division, no multiply).
/// </summary>
public struct ConvTapCursor : IKCursor
{
    private readonly ArrayView<float> _src;
    private readonly ConvWindow _w;
    private long _base;
    private int _top;
    private int _left;
    private int _ih;
    private int _iw;
    private int _kh;
    private int _kw;

    private ConvTapCursor(ArrayView<float> src, ConvWindow w)
    {
        _src = src;
        _w = w;
    }

    /// <summary>Forward: patches of x, rows (n, oh, ow), k = (ci, kh, kw).</summary>
    public static ConvTapCursor Forward(ArrayView<float> x, ConvGeometry g) => new(x, ConvWindow.Forward(g));

    /// <summary>Backward-data at stride 1: dy gathered for rows (n, ih, iw), k = (co, kh, kw).</summary>
    public static ConvTapCursor BackwardData(ArrayView<float> dy, ConvGeometry g) => new(dy, ConvWindow.BackwardData(g));

    public void Start(int m, int k)
    {
        int n = _w.Row(m, out _top, out _left);
        int c = ConvIndex.ChannelMajor(k, _w.KH, _w.KW, out _kh, out _kw);
        _ih = _top + (_w.Sign * _kh);
        _iw = _left + (_w.Sign * _kw);
        _base = (((long)n * _w.Channels) + c) * _w.Plane;
    }

    public float Next()
    {
        float v = (uint)_ih < (uint)_w.SrcH && (uint)_iw < (uint)_w.SrcW ? _src[_base + (_ih * _w.SrcW) + _iw] : 0f;
        _iw += _w.Sign;
        if (++_kw == _w.KW)
        {
            _kw = 0;
            _iw = _left;
            _ih += _w.Sign;
            if (++_kh == _w.KH)
            {
                _kh = 0;
                _ih = _top;
                _base += _w.Plane;
            }
        }

        return v;
    }
}
