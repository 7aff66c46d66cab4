using ILGPU;

namespace IlgpuCnn.Kernels;

/// <summary>
/// Conv backward-weights B: column (ci, kh, kw) of the implicit im2col of x read along
/// k = (n, oh, ow) as x[n, ci, oh·stride − pad + kh, ow·stride − pad + kw] (0 in the padding); the
/// column Ci·KH·KW (when the GEMM has it) reads 1 everywhere, which folds the bias gradient
/// db = Σ dy into the weight-gradient GEMM. A run of 8 k is 8 consecutive output pixels of one
/// image (needs OH·OW a multiple of 8); <see cref="Start"/> decodes once (<see cref="ConvIndex"/>), then
/// (oh, ow) step as counters: no division per K step.
/// </summary>
public struct PatchColumnRun : IKRun
{
    private readonly ArrayView<float> _x;
    private readonly ConvGeometry _g;
    private int _plane;
    private int _oh;
    private int _ow;
    private int _dh;
    private int _dw;
    private int _ones;

    public PatchColumnRun(ArrayView<float> x, ConvGeometry g)
    {
        _x = x;
        _g = g;
    }

    public void Start(int col, int k)
    {
        int ci = ConvIndex.ChannelMajor(col, _g.KH, _g.KW, out int kh, out int kw);
        _ones = ci == _g.Ci ? 1 : 0;
        _dh = kh - _g.Pad;
        _dw = kw - _g.Pad;
        int n = ConvIndex.Pixel(k, _g.OH, _g.OW, out _oh, out _ow);
        _plane = ((n * _g.Ci) + (_ones != 0 ? 0 : ci)) * _g.H * _g.W;
    }

    public void Load(ref Staged8 s, int count, int advance)
    {
        // Loads only where the run is live and not the ones column; the ones column reads 1.
        bool live = count > 0 && _ones == 0;
        float other = count > 0 && _ones != 0 ? 1f : 0f;
        int ih = (_oh * _g.Stride) + _dh;
        int iw = (_ow * _g.Stride) + _dw;
        s.V0 = Take(ref ih, ref iw, live, other);
        s.V1 = Take(ref ih, ref iw, live, other);
        s.V2 = Take(ref ih, ref iw, live, other);
        s.V3 = Take(ref ih, ref iw, live, other);
        s.V4 = Take(ref ih, ref iw, live, other);
        s.V5 = Take(ref ih, ref iw, live, other);
        s.V6 = Take(ref ih, ref iw, live, other);
        s.V7 = Take(ref ih, ref iw, live, other);

        // On by the advance.
        _ow += advance;
        while (_ow >= _g.OW)
        {
            _ow -= _g.OW;
            _oh++;
        }

        while (_oh >= _g.OH)
        {
            _oh -= _g.OH;
            _plane += _g.Ci * _g.H * _g.W;
        }
    }

    /// <summary>x at input position (ih, iw) of this column's plane where live and inside x (else <paramref name="other"/>), then one output pixel on.</summary>
    private readonly float Take(ref int ih, ref int iw, bool live, float other)
    {
        float v = live && (uint)ih < (uint)_g.H && (uint)iw < (uint)_g.W ? _x[_plane + (ih * _g.W) + iw] : other;
        iw += _g.Stride;
        if (iw == (_g.OW * _g.Stride) + _dw)
        {
            iw = _dw;
            ih += _g.Stride;
        }

        return v;
    }
}
