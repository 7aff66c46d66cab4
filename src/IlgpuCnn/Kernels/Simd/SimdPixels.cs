using System.Runtime.CompilerServices;
using ILGPU;

namespace IlgpuCnn.Kernels;

/// <summary>The register block of the <see cref="KernelBody.Simd"/> conv body: a few consecutive pixels of one output row, 16 channels each.</summary>
internal interface ISimdPixels
{
    /// <summary>Every pixel starts at <paramref name="bias"/>.</summary>
    void Init(in Lanes16 bias);

    /// <summary>Pixel i += src[at + i] · w.</summary>
    void Fma(ArrayView<float> src, long at, in Lanes16 w);

    /// <summary>Pixel i's channel j to dst[at + i + j·<paramref name="channelStride"/>].</summary>
    void Store(ArrayView<float> dst, long at, long channelStride);
}

/// <summary>Eight pixels × 16 channels (rows whose width is a multiple of 8).</summary>
internal struct SimdPixels8 : ISimdPixels
{
    private Lanes16 _p0, _p1, _p2, _p3, _p4, _p5, _p6, _p7;

    public const int Count = 8;

    public void Init(in Lanes16 bias) => (_p0, _p1, _p2, _p3, _p4, _p5, _p6, _p7) = (bias, bias, bias, bias, bias, bias, bias, bias);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Fma(ArrayView<float> src, long at, in Lanes16 w)
    {
        _p0.Fma(src[at], w); _p1.Fma(src[at + 1], w); _p2.Fma(src[at + 2], w); _p3.Fma(src[at + 3], w);
        _p4.Fma(src[at + 4], w); _p5.Fma(src[at + 5], w); _p6.Fma(src[at + 6], w); _p7.Fma(src[at + 7], w);
    }

    public readonly void Store(ArrayView<float> dst, long at, long channelStride)
    {
        _p0.Store(dst, at, channelStride, false); _p1.Store(dst, at + 1, channelStride, false);
        _p2.Store(dst, at + 2, channelStride, false); _p3.Store(dst, at + 3, channelStride, false);
        _p4.Store(dst, at + 4, channelStride, false); _p5.Store(dst, at + 5, channelStride, false);
        _p6.Store(dst, at + 6, channelStride, false); _p7.Store(dst, at + 7, channelStride, false);
    }
}

/// <summary>Four pixels × 16 channels (rows whose width is a multiple of 4 but not of 8, e.g. the recipe's 4×4 maps).</summary>
internal struct SimdPixels4 : ISimdPixels
{
    private Lanes16 _p0, _p1, _p2, _p3;

    public const int Count = 4;

    public void Init(in Lanes16 bias) => (_p0, _p1, _p2, _p3) = (bias, bias, bias, bias);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Fma(ArrayView<float> src, long at, in Lanes16 w)
    {
        _p0.Fma(src[at], w); _p1.Fma(src[at + 1], w); _p2.Fma(src[at + 2], w); _p3.Fma(src[at + 3], w);
    }

    public readonly void Store(ArrayView<float> dst, long at, long channelStride)
    {
        _p0.Store(dst, at, channelStride, false); _p1.Store(dst, at + 1, channelStride, false);
        _p2.Store(dst, at + 2, channelStride, false); _p3.Store(dst, at + 3, channelStride, false);
    }
}

/// <summary>One column of a 3×3 weight gradient (taps kh = 0, 1, 2 of one kw) for 16 output channels and one input channel.</summary>
internal struct SimdTaps3
{
    private Lanes16 _t0, _t1, _t2;

    /// <summary>Tap kh += xpad[at + kh·<paramref name="rowStride"/>] · dy (three inputs a row apart: each a broadcast load).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Fma(ArrayView<float> xpad, long at, int rowStride, in Lanes16 dy)
    {
        _t0.Fma(xpad[at], dy);
        _t1.Fma(xpad[at + rowStride], dy);
        _t2.Fma(xpad[at + (2 * rowStride)], dy);
    }

    /// <summary>dw[at + 3·kh + j·<paramref name="channelStride"/>] += tap kh's lane j.</summary>
    public readonly void AddTo(ArrayView<float> dw, long at, long channelStride)
    {
        _t0.Store(dw, at, channelStride, true);
        _t1.Store(dw, at + 3, channelStride, true);
        _t2.Store(dw, at + 6, channelStride, true);
    }
}
