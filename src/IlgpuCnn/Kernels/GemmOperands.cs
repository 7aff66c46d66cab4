using ILGPU;
using ILGPU.Algorithms;

namespace IlgpuCnn.Kernels;

// The tiled GEMM C[M,N] (+)= Σ_k A(m,k)·B(k,n) reads its operands through these small structs,
// so one kernel body serves dense layers (plain strided matrices) and convolutions (implicit
// im2col: the matrix element is computed from NCHW indices, never materialised).

/// <summary>
/// Left operand A(m, k). In the tiled GEMM each thread always stages the same row m of A (only k
/// moves along the K loop), so the row's index arithmetic is done once in <see cref="BindRow"/>
/// and <see cref="A"/> only decodes k.
/// </summary>
public interface IGemmA
{
    /// <summary>Fixes the row this copy of the operand reads (per thread, once).</summary>
    void BindRow(int m);

    /// <summary>A(bound row, k).</summary>
    float A(int k);
}

/// <summary>Right operand B(k, n), with the column bound once per thread (see <see cref="IGemmA"/>).</summary>
public interface IGemmB
{
    void BindColumn(int n);

    /// <summary>B(k, bound column).</summary>
    float B(int k);
}

/// <summary>Where C(m, n) goes (written, added, or atomically added for split-K).</summary>
public interface IGemmOut
{
    void Store(int m, int n, float value);
}

/// <summary>A strided matrix: element (r, c) = data[r·rowStride + c·colStride]; transposes are stride swaps.</summary>
public struct StridedMatrix : IGemmA, IGemmB
{
    private readonly ArrayView<float> _data;
    private readonly int _rowStride;
    private readonly int _colStride;
    private long _base;

    public StridedMatrix(ArrayView<float> data, int rowStride, int colStride)
    {
        _data = data;
        _rowStride = rowStride;
        _colStride = colStride;
        _base = 0;
    }

    public void BindRow(int m) => _base = (long)m * _rowStride;

    public readonly float A(int k) => _data[_base + (long)k * _colStride];

    public void BindColumn(int n) => _base = (long)n * _colStride;

    public readonly float B(int k) => _data[(long)k * _rowStride + _base];
}

/// <summary>A row of the implicit im2col matrix: sample base offset and the window's top-left corner.</summary>
internal struct PatchRow
{
    public long SampleBase;
    public int Top;
    public int Left;

    public void Bind(int m, ConvGeometry g)
    {
        int ohw = g.OH * g.OW;
        int n = m / ohw;
        int r = m - n * ohw;
        int oh = r / g.OW;
        SampleBase = (long)n * g.Ci * g.H * g.W;
        Top = oh * g.Stride - g.Pad;
        Left = (r - oh * g.OW) * g.Stride - g.Pad;
    }

    /// <summary>x at patch element k = (ci, kh, kw) of this row, 0 in the padding.</summary>
    public readonly float Read(ArrayView<float> x, ConvGeometry g, int k)
    {
        int kk = g.KH * g.KW;
        int ci = k / kk;
        int rk = k - ci * kk;
        int kh = rk / g.KW;
        int ih = Top + kh;
        int iw = Left + rk - kh * g.KW;
        if (ih < 0 || ih >= g.H || iw < 0 || iw >= g.W)
        {
            return 0f;
        }

        return x[SampleBase + ((long)ci * g.H + ih) * g.W + iw];
    }
}

/// <summary>Conv forward A: the implicit im2col of x. m = (n, oh, ow), k = (ci, kh, kw).</summary>
public struct ConvInputPatches : IGemmA
{
    private readonly ArrayView<float> _x;
    private readonly ConvGeometry _g;
    private PatchRow _row;

    public ConvInputPatches(ArrayView<float> x, ConvGeometry g)
    {
        _x = x;
        _g = g;
        _row = default;
    }

    public void BindRow(int m) => _row.Bind(m, _g);

    public readonly float A(int k) => _row.Read(_x, _g, k);
}

/// <summary>
/// Conv backward-weights B: patches indexed k = (n, oh, ow), column j = (ci, kh, kw). The bound
/// column fixes (ci, kh, kw); each k decodes the output position.
/// </summary>
public struct ConvInputPatchesT : IGemmB
{
    private readonly ArrayView<float> _x;
    private readonly ConvGeometry _g;
    private long _channelOffset;
    private int _kh;
    private int _kw;

    public ConvInputPatchesT(ArrayView<float> x, ConvGeometry g)
    {
        _x = x;
        _g = g;
        _channelOffset = 0;
        _kh = 0;
        _kw = 0;
    }

    public void BindColumn(int j)
    {
        int kk = _g.KH * _g.KW;
        int ci = j / kk;
        int rk = j - ci * kk;
        _kh = rk / _g.KW;
        _kw = rk - _kh * _g.KW;
        _channelOffset = (long)ci * _g.H * _g.W;
    }

    public readonly float B(int k)
    {
        int ohw = _g.OH * _g.OW;
        int n = k / ohw;
        int r = k - n * ohw;
        int oh = r / _g.OW;
        int ih = oh * _g.Stride - _g.Pad + _kh;
        int iw = (r - oh * _g.OW) * _g.Stride - _g.Pad + _kw;
        if (ih < 0 || ih >= _g.H || iw < 0 || iw >= _g.W)
        {
            return 0f;
        }

        return _x[(long)n * _g.Ci * _g.H * _g.W + _channelOffset + (long)ih * _g.W + iw];
    }
}

/// <summary>Conv backward-data A: dy gathered per input pixel. m = (n, ih, iw), k = (co, kh, kw).</summary>
public struct ConvOutputGradGather : IGemmA
{
    private readonly ArrayView<float> _dy;
    private readonly ConvGeometry _g;
    private long _sampleBase;
    private int _ihp;
    private int _iwp;

    public ConvOutputGradGather(ArrayView<float> dy, ConvGeometry g)
    {
        _dy = dy;
        _g = g;
        _sampleBase = 0;
        _ihp = 0;
        _iwp = 0;
    }

    public void BindRow(int m)
    {
        int hw = _g.H * _g.W;
        int n = m / hw;
        int r = m - n * hw;
        int ih = r / _g.W;
        _sampleBase = (long)n * _g.Co * _g.OH * _g.OW;
        _ihp = ih + _g.Pad;
        _iwp = r - ih * _g.W + _g.Pad;
    }

    public readonly float A(int k)
    {
        int kk = _g.KH * _g.KW;
        int co = k / kk;
        int rk = k - co * kk;
        int kh = rk / _g.KW;
        int ohs = _ihp - kh;
        int ows = _iwp - (rk - kh * _g.KW);
        if (ohs < 0 || ows < 0)
        {
            return 0f;
        }

        int oh = ohs / _g.Stride;
        int ow = ows / _g.Stride;
        if (oh * _g.Stride != ohs || ow * _g.Stride != ows || oh >= _g.OH || ow >= _g.OW)
        {
            return 0f;
        }

        return _dy[_sampleBase + ((long)co * _g.OH + oh) * _g.OW + ow];
    }
}

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

/// <summary>
/// Output matrix C[M,N] row-major with leading dimension <c>ld</c>; mode 0 writes value + bias[n]
/// (bias may be empty), 1 adds, 2 atomically adds (split-K).
/// </summary>
public readonly struct MatrixOut : IGemmOut
{
    private readonly ArrayView<float> _data;
    private readonly ArrayView<float> _bias;
    private readonly int _ld;
    private readonly int _mode;

    public MatrixOut(ArrayView<float> data, ArrayView<float> bias, int ld, int mode)
    {
        _data = data;
        _bias = bias;
        _ld = ld;
        _mode = mode;
    }

    public void Store(int m, int n, float value)
    {
        GemmStore.Put(_data, (long)m * _ld + n, _mode == 0 && _bias.Length > 0 ? value + _bias[n] : value, _mode);
    }
}

/// <summary>
/// NCHW output of a conv-shaped GEMM: m = (n, h, w) over a [N, channels, H, W] tensor, n = channel.
/// Mode 0 writes value + bias[c]; 1 adds; 2 atomically adds.
/// </summary>
public readonly struct NchwOut : IGemmOut
{
    private readonly ArrayView<float> _y;
    private readonly ArrayView<float> _bias;
    private readonly int _channels;
    private readonly int _hw;
    private readonly int _mode;

    public NchwOut(ArrayView<float> y, ArrayView<float> bias, int channels, int hw, int mode)
    {
        _y = y;
        _bias = bias;
        _channels = channels;
        _hw = hw;
        _mode = mode;
    }

    public void Store(int m, int c, float value)
    {
        int n = m / _hw;
        int r = m - n * _hw;
        GemmStore.Put(_y, ((long)n * _channels + c) * _hw + r, _mode == 0 && _bias.Length > 0 ? value + _bias[c] : value, _mode);
    }
}

/// <summary>How a GEMM output element is stored: mode 0 writes, 1 adds, 2 atomically adds (split-K, NaN-safe: <see cref="FloatAtomic"/>).</summary>
internal static class GemmStore
{
    public static void Put(ArrayView<float> data, long i, float value, int mode)
    {
        if (mode == 0)
        {
            data[i] = value;
        }
        else if (mode == 1)
        {
            data[i] += value;
        }
        else
        {
            FloatAtomic.Add(data, i, value);
        }
    }
}
