using ILGPU;
using IlgpuCnn.Kernels;

namespace IlgpuCnn.Benchmarks.Lab;

/// <summary>Conv backward-weights A: dy as A(m = co, k = (n, oh, ow)).</summary>
public struct ConvOutputGradByChannel : IGemmA
{
    private readonly ArrayView<float> _dy;
    private readonly ConvGeometry _g;
    private long _channelOffset;

    public ConvOutputGradByChannel(ArrayView<float> dy, ConvGeometry g)
    {
        _dy = dy;
        _g = g;
        _channelOffset = 0;
    }

    public void BindRow(int m) => _channelOffset = (long)m * _g.OH * _g.OW;

    public readonly float A(int k)
    {
        int ohw = _g.OH * _g.OW;
        int n = k / ohw;
        return _dy[(long)n * _g.Co * ohw + _channelOffset + (k - n * ohw)];
    }
}
