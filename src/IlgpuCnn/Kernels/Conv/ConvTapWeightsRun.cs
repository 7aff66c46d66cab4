using ILGPU;

namespace IlgpuCnn.Kernels;

/// <summary>
/// Conv weights w[Co, Ci, KH, KW] as the B of the tap-major backward-data GEMM (<see cref="ConvTapRun"/>):
/// column j = ci read along k = (tap, co) as w[j·colStride + co·channelStride + tap]. A run of 8 k is 8
/// output channels of one tap: one base address, then loads a channel stride apart. Needs Co a
/// multiple of 8. (The forward GEMM reads the weights' transposed copy instead: <see cref="ForwardWeightsRun"/>.)
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
