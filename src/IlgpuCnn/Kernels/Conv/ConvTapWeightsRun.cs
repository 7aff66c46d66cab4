using ILGPU;

namespace IlgpuCnn.Kernels;

/// <summary>
/// Conv weights w[Co, Ci, KH, KW] as the B of a tap-major conv GEMM (<see cref="ConvTapRun"/>):
/// column j read along k = (tap, c) as w[j·colStride + c·channelStride + tap]. A run of 8 k is 8
/// channels of one tap: one base address, then loads a channel stride apart. Needs the channel
/// count a multiple of 8.
/// Forward: columns co, channels ci. Backward-data: columns ci, channels co.
/// </summary>
public struct ConvTapWeightsRun : IKRun
{
    private readonly ArrayView<float> _w;
    private readonly int _colStride;
    private readonly int _channelStride;
    private readonly int _channels;
    private int _col;
    private int _c;
    private int _tap;

    private ConvTapWeightsRun(ArrayView<float> w, int colStride, int channelStride, int channels)
    {
        _w = w;
        _colStride = colStride;
        _channelStride = channelStride;
        _channels = channels;
    }

    /// <summary>Forward: column co, k = (kh, kw, ci).</summary>
    public static ConvTapWeightsRun Forward(ArrayView<float> w, ConvGeometry g) =>
        new(w, g.Ci * g.KH * g.KW, g.KH * g.KW, g.Ci);

    /// <summary>Backward-data: column ci, k = (kh, kw, co).</summary>
    public static ConvTapWeightsRun BackwardData(ArrayView<float> w, ConvGeometry g) =>
        new(w, g.KH * g.KW, g.Ci * g.KH * g.KW, g.Co);

    public void Start(int j, int k)
    {
        _tap = ConvIndex.TapMajor(k, _channels, out _c);
        _col = j * _colStride;
    }

    public void Load(ref Staged8 s, int count, int advance)
    {
        s.Gather(_w, _col + (_c * _channelStride) + _tap, _channelStride, count > 0);

        _c += advance;
        if (_c >= _channels)
        {
            _c -= _channels;
            _tap++;
        }

        if (_c >= _channels)
        {
            _c -= _channels;
            _tap++;
        }
    }
}
