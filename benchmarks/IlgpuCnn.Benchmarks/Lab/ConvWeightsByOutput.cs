using ILGPU;
using IlgpuCnn.Kernels;

namespace IlgpuCnn.Benchmarks.Lab;

/// <summary>Conv backward-data B: w[co, ci, kh, kw] as B(k = (co, kh, kw), n = ci).</summary>
public struct ConvWeightsByOutput : IGemmB
{
    private readonly ArrayView<float> _w;
    private readonly ConvGeometry _g;
    private long _ciOffset;

    public ConvWeightsByOutput(ArrayView<float> w, ConvGeometry g)
    {
        _w = w;
        _g = g;
        _ciOffset = 0;
    }

    public void BindColumn(int n) => _ciOffset = (long)n * _g.KH * _g.KW;

    public readonly float B(int k)
    {
        int kk = _g.KH * _g.KW;
        int co = k / kk;
        return _w[(long)co * _g.Ci * kk + _ciOffset + (k - co * kk)];
    }
}
