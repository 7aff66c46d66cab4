using ILGPU;

namespace IlgpuCnn.Kernels;

/// <summary>
/// Conv A in tap-major order: row m = (n, a, b) over a rows-H × rows-W grid, read along
/// k = (tap, c) (taps (kh, kw) outer, channels inner) as src[n, c, top + sign·kh, left + sign·kw]
/// of an [N, C, SH, SW] source, 0 outside it. A run of 8 k is 8 channels of one tap: one bounds
/// check and one base address per run, then loads one channel plane apart. Needs C a multiple of 8.
/// Forward: source x, rows (n, oh, ow), top = oh·stride − pad, sign +1.
/// Backward-data at stride 1: source dy, rows (n, ih, iw), top = ih + pad, sign −1.
/// </summary>
public struct ConvTapRun : IKRun
{
    private readonly ArrayView<float> _src;
    private readonly int _channels;
    private readonly int _srcH;
    private readonly int _srcW;
    private readonly int _rowsH;
    private readonly int _rowsW;
    private readonly int _stride;
    private readonly int _offset;
    private readonly int _sign;
    private readonly int _kw;
    private readonly int _plane;
    private int _image;
    private int _top;
    private int _left;
    private int _c;
    private int _kh;
    private int _kwAt;

    private ConvTapRun(ArrayView<float> src, int channels, int srcH, int srcW, int rowsH, int rowsW, int stride, int offset, int sign, int kw)
    {
        _src = src;
        _channels = channels;
        _srcH = srcH;
        _srcW = srcW;
        _rowsH = rowsH;
        _rowsW = rowsW;
        _stride = stride;
        _offset = offset;
        _sign = sign;
        _kw = kw;
        _plane = srcH * srcW;
        _image = 0;
        _top = 0;
        _left = 0;
        _c = 0;
        _kh = 0;
        _kwAt = 0;
    }

    /// <summary>Forward: patches of x, rows (n, oh, ow), k = (kh, kw, ci).</summary>
    public static ConvTapRun Forward(ArrayView<float> x, ConvGeometry g) =>
        new(x, g.Ci, g.H, g.W, g.OH, g.OW, g.Stride, -g.Pad, 1, g.KW);

    /// <summary>Backward-data at stride 1: dy gathered for rows (n, ih, iw), k = (kh, kw, co).</summary>
    public static ConvTapRun BackwardData(ArrayView<float> dy, ConvGeometry g) =>
        new(dy, g.Co, g.OH, g.OW, g.H, g.W, 1, g.Pad, -1, g.KW);

    public void Start(int m, int k)
    {
        int hw = _rowsH * _rowsW;
        int n = m / hw;
        int r = m - (n * hw);
        int a = r / _rowsW;
        _top = (a * _stride) + _offset;
        _left = ((r - (a * _rowsW)) * _stride) + _offset;
        int tap = k / _channels;
        _c = k - (tap * _channels);
        _kh = tap / _kw;
        _kwAt = tap - (_kh * _kw);
        _image = n * _channels * _plane;
    }

    public void Load(ref Staged8 s, int count, int advance)
    {
        int ih = _top + (_sign * _kh);
        int iw = _left + (_sign * _kwAt);
        bool ok = count > 0 && (uint)ih < (uint)_srcH && (uint)iw < (uint)_srcW;
        s.Gather(_src, _image + (_c * _plane) + (ih * _srcW) + iw, _plane, ok);

        // On by the advance (at most 16 channels; with C ≥ 8 that crosses at most two taps).
        _c += advance;
        if (_c >= _channels)
        {
            _c -= _channels;
            NextTap();
        }

        if (_c >= _channels)
        {
            _c -= _channels;
            NextTap();
        }
    }

    private void NextTap()
    {
        if (++_kwAt == _kw)
        {
            _kwAt = 0;
            _kh++;
        }
    }
}
