using ILGPU;

namespace IlgpuCnn.Kernels;

/// <summary>
/// The forward conv GEMM's B for the Cursor body, read from the weights' transposed copy
/// (<see cref="ConvWeightCopies"/>: wT[(tap·Ci + ci)·Co + co]) in the channel-major k = (ci, kh, kw)
/// of <see cref="ConvTapCursor"/>: column co steps one tap (Ci·Co floats) per k and, after the
/// last tap of a channel, goes to the next channel's first tap (no division, no multiply). A warp
/// load (32 consecutive columns at one k) reads 32 consecutive floats.
/// </summary>
public struct ForwardWeightsCursor : IKCursor
{
    private readonly ArrayView<float> _wT;
    private readonly int _co;
    private readonly int _taps;
    private readonly int _tapStride;
    private int _channelAt;
    private int _at;
    private int _tap;

    /// <summary>The copy of a layer of <paramref name="g"/>'s sizes.</summary>
    public ForwardWeightsCursor(ArrayView<float> wT, ConvGeometry g)
    {
        _wT = wT;
        _co = g.Co;
        _taps = g.KH * g.KW;
        _tapStride = g.Ci * g.Co;
    }

    public void Start(int j, int k)
    {
        int c = ConvIndex.Split(k, _taps, out _tap);
        _channelAt = (c * _co) + j;
        _at = _channelAt + (_tap * _tapStride);
    }

    /// <summary>The weight at the current k, then k += 1 (selects, not a branch: ptxas keeps the staging's loads where the K loop issues them).</summary>
    public float Next()
    {
        float v = _wT[_at];
        bool wrap = ++_tap == _taps;
        _tap = wrap ? 0 : _tap;
        _channelAt += wrap ? _co : 0;
        _at = wrap ? _channelAt : _at + _tapStride;
        return v;
    }
}
