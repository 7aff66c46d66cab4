using ILGPU;
using ILGPU.Algorithms;

namespace IlgpuCnn.Kernels;

// The tiled GEMM C[M,N] (+)= Σ_k A(m,k)·B(k,n) reads its operands through these small structs,
// so one kernel body serves dense layers (plain strided matrices) and convolutions (implicit
// im2col: the matrix element is computed from NCHW indices, never materialised).

/// <summary>Left operand A(m, k).</summary>
public interface IGemmA
{
    float A(int m, int k);
}

/// <summary>Right operand B(k, n).</summary>
public interface IGemmB
{
    float B(int k, int n);
}

/// <summary>Where C(m, n) goes (written, added, or atomically added for split-K).</summary>
public interface IGemmOut
{
    void Store(int m, int n, float value);
}

/// <summary>A strided matrix: element (r, c) = data[r·rowStride + c·colStride]; transposes are stride swaps.</summary>
public readonly struct StridedMatrix : IGemmA, IGemmB
{
    private readonly ArrayView<float> _data;
    private readonly int _rowStride;
    private readonly int _colStride;

    public StridedMatrix(ArrayView<float> data, int rowStride, int colStride)
    {
        _data = data;
        _rowStride = rowStride;
        _colStride = colStride;
    }

    public float A(int m, int k) => _data[(long)m * _rowStride + (long)k * _colStride];

    public float B(int k, int n) => _data[(long)k * _rowStride + (long)n * _colStride];
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

/// <summary>Conv forward A: the implicit im2col of x. m = (n, oh, ow), k = (ci, kh, kw).</summary>
public readonly struct ConvInputPatches : IGemmA
{
    private readonly ArrayView<float> _x;
    private readonly ConvGeometry _g;

    public ConvInputPatches(ArrayView<float> x, ConvGeometry g)
    {
        _x = x;
        _g = g;
    }

    public float A(int m, int k)
    {
        int ohw = _g.OH * _g.OW;
        int n = m / ohw;
        int r = m - n * ohw;
        int oh = r / _g.OW;
        int ow = r - oh * _g.OW;
        int kk = _g.KH * _g.KW;
        int ci = k / kk;
        int rk = k - ci * kk;
        int kh = rk / _g.KW;
        int kw = rk - kh * _g.KW;
        int ih = oh * _g.Stride - _g.Pad + kh;
        int iw = ow * _g.Stride - _g.Pad + kw;
        if (ih < 0 || ih >= _g.H || iw < 0 || iw >= _g.W)
        {
            return 0f;
        }

        return _x[(((long)n * _g.Ci + ci) * _g.H + ih) * _g.W + iw];
    }
}

/// <summary>Conv backward-weights B: the same patches indexed k = (n, oh, ow), j = (ci, kh, kw).</summary>
public readonly struct ConvInputPatchesT : IGemmB
{
    private readonly ConvInputPatches _patches;

    public ConvInputPatchesT(ArrayView<float> x, ConvGeometry g) => _patches = new ConvInputPatches(x, g);

    public float B(int k, int n) => _patches.A(k, n);
}

/// <summary>Conv backward-data A: dy gathered per input pixel. m = (n, ih, iw), k = (co, kh, kw).</summary>
public readonly struct ConvOutputGradGather : IGemmA
{
    private readonly ArrayView<float> _dy;
    private readonly ConvGeometry _g;

    public ConvOutputGradGather(ArrayView<float> dy, ConvGeometry g)
    {
        _dy = dy;
        _g = g;
    }

    public float A(int m, int k)
    {
        int hw = _g.H * _g.W;
        int n = m / hw;
        int r = m - n * hw;
        int ih = r / _g.W;
        int iw = r - ih * _g.W;
        int kk = _g.KH * _g.KW;
        int co = k / kk;
        int rk = k - co * kk;
        int kh = rk / _g.KW;
        int kw = rk - kh * _g.KW;
        int ohs = ih + _g.Pad - kh;
        int ows = iw + _g.Pad - kw;
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

        return _dy[(((long)n * _g.Co + co) * _g.OH + oh) * _g.OW + ow];
    }
}

/// <summary>Conv backward-data B: w[co, ci, kh, kw] as B(k = (co, kh, kw), n = ci).</summary>
public readonly struct ConvWeightsByOutput : IGemmB
{
    private readonly ArrayView<float> _w;
    private readonly ConvGeometry _g;

    public ConvWeightsByOutput(ArrayView<float> w, ConvGeometry g)
    {
        _w = w;
        _g = g;
    }

    public float B(int k, int n)
    {
        int kk = _g.KH * _g.KW;
        int co = k / kk;
        int rk = k - co * kk;
        return _w[((long)co * _g.Ci + n) * kk + rk];
    }
}

/// <summary>Conv backward-weights A: dy as A(m = co, k = (n, oh, ow)).</summary>
public readonly struct ConvOutputGradByChannel : IGemmA
{
    private readonly ArrayView<float> _dy;
    private readonly ConvGeometry _g;

    public ConvOutputGradByChannel(ArrayView<float> dy, ConvGeometry g)
    {
        _dy = dy;
        _g = g;
    }

    public float A(int m, int k)
    {
        int ohw = _g.OH * _g.OW;
        int n = k / ohw;
        int r = k - n * ohw;
        return _dy[((long)n * _g.Co + m) * ohw + r];
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

/// <summary>How a GEMM output element is stored: mode 0 writes, 1 adds, 2 atomically adds (split-K).</summary>
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
            Atomic.Add(ref data[i], value);
        }
    }
}
