using ILGPU;

namespace IlgpuCnn.Kernels;

/// <summary>
/// Conv A for the Run bodies, both directions (<see cref="ConvWindow"/>): row m read along
/// k = (tap, c) (taps (kh, kw) outer, channels inner), 0 outside the source. A run of 8 k is 8
/// channels of one tap: one bounds check and one base address per run, then loads one channel
/// plane apart. Needs C a multiple of 8.
/// </summary>
public struct ConvTapRun : IKRun
{
    private readonly ArrayView<float> _src;
    private readonly ConvWindow _w;
    private int _image;
    private int _top;
    private int _left;
    private int _c;
    private int _kh;
    private int _kwAt;

    private ConvTapRun(ArrayView<float> src, ConvWindow w)
    {
        _src = src;
        _w = w;
    }

    /// <summary>Forward: patches of x, rows (n, oh, ow), k = (kh, kw, ci).</summary>
    public static ConvTapRun Forward(ArrayView<float> x, ConvGeometry g) => new(x, ConvWindow.Forward(g));

    /// <summary>Backward-data at stride 1: dy gathered for rows (n, ih, iw), k = (kh, kw, co).</summary>
    public static ConvTapRun BackwardData(ArrayView<float> dy, ConvGeometry g) => new(dy, ConvWindow.BackwardData(g));

    public void Start(int m, int k)
    {
        int n = _w.Row(m, out _top, out _left);
        _kh = ConvIndex.Tap(ConvIndex.TapMajor(k, _w.Channels, out _c), _w.KW, out _kwAt);
        _image = n * _w.Channels * _w.Plane;
    }

    public void Load(ref Staged8 s, int count, int advance)
    {
        int ih = _top + (_w.Sign * _kh);
        int iw = _left + (_w.Sign * _kwAt);
        bool ok = count > 0 && (uint)ih < (uint)_w.SrcH && (uint)iw < (uint)_w.SrcW;
        s.Gather(_src, _image + (_c * _w.Plane) + (ih * _w.SrcW) + iw, _w.Plane, ok);

        // On by the advance (at most 16 channels; with C ≥ 8 that crosses at most two taps).
        _c += advance;
        if (_c >= _w.Channels)
        {
            _c -= _w.Channels;
            NextTap();
        }

        if (_c >= _w.Channels)
        {
            _c -= _w.Channels;
            NextTap();
        }
    }

    private void NextTap()
    {
        if (++_kwAt == _w.KW)
        {
            _kwAt = 0;
            _kh++;
        }
    }
}
