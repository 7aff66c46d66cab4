using ILGPU;
using ILGPU.Runtime;
using IlgpuCnn.Device;

namespace IlgpuCnn.Kernels;

// Conv2d, NCHW. N = batch, Ci/Co = input/output channels, H×W input, OH×OW output, KH×KW kernel.
//   x  (N, Ci, H, W)      w  (Co, Ci, KH, KW)      b  (Co)      y  (N, Co, OH, OW)
// forward:          y[n,co,oh,ow]  = b[co] + Σ_{ci,kh,kw} w[co,ci,kh,kw] · x[n,ci,oh·s−p+kh, ow·s−p+kw]
// backward-data:    dx[n,ci,ih,iw] += Σ_{co,kh,kw} w[co,ci,kh,kw] · dy[n,co,(ih+p−kh)/s, (iw+p−kw)/s]
// backward-weights: dw[co,ci,kh,kw] += Σ_{n,oh,ow} dy[n,co,oh,ow] · x[n,ci,oh·s−p+kh, ow·s−p+kw]
// bias:             db[co] += Σ_{n,oh,ow} dy[n,co,oh,ow]
// Two variants of each pass: Tiled (implicit GEMM through TiledGemm, for CUDA) and Simple (one
// thread per (sample, 4 channels) or (4 weights), accumulating in registers, no barriers, for the
// CPU accelerator).

/// <summary>The conv2d kernels of one device, loaded once.</summary>
public sealed class Conv2dKernels
{
    private readonly ComputeDevice _device;
    private readonly Action<Index1D, ConvGeometry, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>> _forwardSimple;
    private readonly Action<Index1D, ConvGeometry, ArrayView<float>, ArrayView<float>, ArrayView<float>> _backwardDataSimple;
    private readonly Action<Index1D, ConvGeometry, ArrayView<float>, ArrayView<float>, ArrayView<float>> _backwardWeightsSimple;
    private readonly Action<KernelConfig, ConvGeometry, int, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>> _forwardTiled;
    private readonly Action<KernelConfig, ConvGeometry, int, ArrayView<float>, ArrayView<float>, ArrayView<float>> _backwardDataTiled;
    private readonly Action<KernelConfig, ConvGeometry, int, ArrayView<float>, ArrayView<float>, ArrayView<float>> _backwardWeightsTiled;
    private readonly Action<KernelConfig, int, int, int, ArrayView<float>, ArrayView<float>> _biasGrad;

    private Conv2dKernels(ComputeDevice device)
    {
        _device = device;
        var acc = device.Accelerator;
        _forwardSimple = acc.LoadAutoGroupedStreamKernel<Index1D, ConvGeometry, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>>(ForwardSimpleKernel);
        _backwardDataSimple = acc.LoadAutoGroupedStreamKernel<Index1D, ConvGeometry, ArrayView<float>, ArrayView<float>, ArrayView<float>>(BackwardDataSimpleKernel);
        _backwardWeightsSimple = acc.LoadAutoGroupedStreamKernel<Index1D, ConvGeometry, ArrayView<float>, ArrayView<float>, ArrayView<float>>(BackwardWeightsSimpleKernel);
        _forwardTiled = acc.LoadStreamKernel<ConvGeometry, int, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>>(ForwardTiledKernel);
        _backwardDataTiled = acc.LoadStreamKernel<ConvGeometry, int, ArrayView<float>, ArrayView<float>, ArrayView<float>>(BackwardDataTiledKernel);
        _backwardWeightsTiled = acc.LoadStreamKernel<ConvGeometry, int, ArrayView<float>, ArrayView<float>, ArrayView<float>>(BackwardWeightsTiledKernel);
        _biasGrad = acc.LoadStreamKernel<int, int, int, ArrayView<float>, ArrayView<float>>(BiasGradKernel);
    }

    public static Conv2dKernels For(ComputeDevice device) => device.Kernels(d => new Conv2dKernels(d));

    private KernelVariant Resolve(KernelVariant v) => v != KernelVariant.Auto ? v : _device.IsCuda ? KernelVariant.Tiled : KernelVariant.Simple;

    /// <summary>y = conv(x, w) + b (y is overwritten).</summary>
    public void Forward(ConvGeometry g, ArrayView<float> x, ArrayView<float> w, ArrayView<float> b, ArrayView<float> y, KernelVariant variant = KernelVariant.Auto)
    {
        if (Resolve(variant) == KernelVariant.Tiled)
        {
            int m = g.N * g.OH * g.OW;
            int k = g.Ci * g.KH * g.KW;
            _forwardTiled(TiledGemm.Config(m, g.Co, 1), g, TiledGemm.SliceLength(k, 1), x, w, b, y);
        }
        else
        {
            _forwardSimple(g.N * Blocks(g.Co), g, x, w, b, y);
        }
    }

    /// <summary>dx += conv_transpose(dy, w).</summary>
    public void BackwardData(ConvGeometry g, ArrayView<float> dy, ArrayView<float> w, ArrayView<float> dx, KernelVariant variant = KernelVariant.Auto)
    {
        if (Resolve(variant) == KernelVariant.Tiled)
        {
            int m = g.N * g.H * g.W;
            int k = g.Co * g.KH * g.KW;
            _backwardDataTiled(TiledGemm.Config(m, g.Ci, 1), g, TiledGemm.SliceLength(k, 1), dy, w, dx);
        }
        else
        {
            _backwardDataSimple(g.N * Blocks(g.Ci), g, dy, w, dx);
        }
    }

    /// <summary>dw += Σ dy ⊗ patches(x); db += Σ dy (db may be empty).</summary>
    public void BackwardWeights(ConvGeometry g, ArrayView<float> x, ArrayView<float> dy, ArrayView<float> dw, ArrayView<float> db, KernelVariant variant = KernelVariant.Auto)
    {
        if (Resolve(variant) == KernelVariant.Tiled)
        {
            int n = g.Ci * g.KH * g.KW;
            int k = g.N * g.OH * g.OW;
            int tiles = ((g.Co + TiledGemm.TileM - 1) / TiledGemm.TileM) * ((n + TiledGemm.TileN - 1) / TiledGemm.TileN);
            int splits = Math.Clamp(512 / tiles, 1, Math.Max(1, k / 256));
            _backwardWeightsTiled(TiledGemm.Config(g.Co, n, splits), g, TiledGemm.SliceLength(k, splits), x, dy, dw);
        }
        else
        {
            _backwardWeightsSimple(Blocks(g.Co) * g.Ci * g.KH, g, x, dy, dw);
        }

        if (db.Length > 0)
        {
            _biasGrad(ChannelReduce.Config(_device, g.Co), g.N, g.Co, g.OH * g.OW, dy, db);
        }
    }

    /// <summary>Output channels per thread in the simple kernels: each input value loaded feeds 4 accumulators.</summary>
    public const int ChannelBlock = 4;

    private static int Blocks(int channels) => (channels + ChannelBlock - 1) / ChannelBlock;

    /// <summary>One thread per (n, block of 4 output channels): the whole output planes, accumulated in registers.</summary>
    [Kernel]
    internal static void ForwardSimpleKernel(Index1D index, ConvGeometry g, ArrayView<float> x, ArrayView<float> w, ArrayView<float> b, ArrayView<float> y)
    {
        int blocks = Blocks(g.Co);
        int n = index / blocks;
        int co = (index - n * blocks) * ChannelBlock;
        int kk = g.KH * g.KW;
        int wStride = g.Ci * kk;
        bool has1 = co + 1 < g.Co, has2 = co + 2 < g.Co, has3 = co + 3 < g.Co;
        int w0 = co * wStride;
        int w1 = has1 ? w0 + wStride : w0;
        int w2 = has2 ? w0 + 2 * wStride : w0;
        int w3 = has3 ? w0 + 3 * wStride : w0;
        float b0 = b.Length > 0 ? b[co] : 0f;
        float b1 = b.Length > 0 && has1 ? b[co + 1] : 0f;
        float b2 = b.Length > 0 && has2 ? b[co + 2] : 0f;
        float b3 = b.Length > 0 && has3 ? b[co + 3] : 0f;
        int plane = g.OH * g.OW;
        int hw = g.H * g.W;
        long xn = (long)n * g.Ci * hw;
        long y0 = ((long)n * g.Co + co) * plane;
        for (int oh = 0; oh < g.OH; oh++)
        {
            for (int ow = 0; ow < g.OW; ow++)
            {
                float a0 = b0, a1 = b1, a2 = b2, a3 = b3;
                for (int kh = 0; kh < g.KH; kh++)
                {
                    int ih = oh * g.Stride - g.Pad + kh;
                    if (ih < 0 || ih >= g.H)
                    {
                        continue;
                    }

                    for (int kw = 0; kw < g.KW; kw++)
                    {
                        int iw = ow * g.Stride - g.Pad + kw;
                        if (iw < 0 || iw >= g.W)
                        {
                            continue;
                        }

                        long xi = xn + ih * g.W + iw;
                        int wi = kh * g.KW + kw;
                        for (int ci = 0; ci < g.Ci; ci++)
                        {
                            float xv = x[xi];
                            a0 += xv * w[w0 + wi];
                            a1 += xv * w[w1 + wi];
                            a2 += xv * w[w2 + wi];
                            a3 += xv * w[w3 + wi];
                            xi += hw;
                            wi += kk;
                        }
                    }
                }

                int o = oh * g.OW + ow;
                y[y0 + o] = a0;
                if (has1)
                {
                    y[y0 + plane + o] = a1;
                }

                if (has2)
                {
                    y[y0 + 2 * plane + o] = a2;
                }

                if (has3)
                {
                    y[y0 + 3 * plane + o] = a3;
                }
            }
        }
    }

    /// <summary>One thread per (n, block of 4 input channels): dx of whole input planes, gathered from dy in registers.</summary>
    [Kernel]
    internal static void BackwardDataSimpleKernel(Index1D index, ConvGeometry g, ArrayView<float> dy, ArrayView<float> w, ArrayView<float> dx)
    {
        int blocks = Blocks(g.Ci);
        int n = index / blocks;
        int ci = (index - n * blocks) * ChannelBlock;
        int kk = g.KH * g.KW;
        int wStride = g.Ci * kk;
        bool has1 = ci + 1 < g.Ci, has2 = ci + 2 < g.Ci, has3 = ci + 3 < g.Ci;
        int c0 = ci * kk;
        int c1 = has1 ? c0 + kk : c0;
        int c2 = has2 ? c0 + 2 * kk : c0;
        int c3 = has3 ? c0 + 3 * kk : c0;
        int plane = g.OH * g.OW;
        int hw = g.H * g.W;
        long yn = (long)n * g.Co * plane;
        long x0 = ((long)n * g.Ci + ci) * hw;
        for (int ih = 0; ih < g.H; ih++)
        {
            for (int iw = 0; iw < g.W; iw++)
            {
                float a0 = 0f, a1 = 0f, a2 = 0f, a3 = 0f;
                for (int kh = 0; kh < g.KH; kh++)
                {
                    int ohs = ih + g.Pad - kh;
                    int oh = ohs / g.Stride;
                    if (ohs < 0 || oh * g.Stride != ohs || oh >= g.OH)
                    {
                        continue;
                    }

                    for (int kw = 0; kw < g.KW; kw++)
                    {
                        int ows = iw + g.Pad - kw;
                        int ow = ows / g.Stride;
                        if (ows < 0 || ow * g.Stride != ows || ow >= g.OW)
                        {
                            continue;
                        }

                        long yi = yn + oh * g.OW + ow;
                        int wi = kh * g.KW + kw;
                        for (int co = 0; co < g.Co; co++)
                        {
                            float gv = dy[yi];
                            a0 += gv * w[wi + c0];
                            a1 += gv * w[wi + c1];
                            a2 += gv * w[wi + c2];
                            a3 += gv * w[wi + c3];
                            yi += plane;
                            wi += wStride;
                        }
                    }
                }

                int i = ih * g.W + iw;
                dx[x0 + i] += a0;
                if (has1)
                {
                    dx[x0 + hw + i] += a1;
                }

                if (has2)
                {
                    dx[x0 + 2 * hw + i] += a2;
                }

                if (has3)
                {
                    dx[x0 + 3 * hw + i] += a3;
                }
            }
        }
    }

    /// <summary>
    /// One thread per (block of 4 output channels, ci, kh): a 4×3 block of weights (4 output
    /// channels × 3 consecutive kw taps) summed over n, oh, ow in registers. Each position loads 4
    /// output gradients and up to 3 inputs for 12 multiply-adds.
    /// </summary>
    [Kernel]
    internal static void BackwardWeightsSimpleKernel(Index1D index, ConvGeometry g, ArrayView<float> x, ArrayView<float> dy, ArrayView<float> dw)
    {
        int perBlock = g.Ci * g.KH;
        int block = index / perBlock;
        int j = index - block * perBlock;
        int ci = j / g.KH;
        int kh = j - ci * g.KH;
        int co = block * ChannelBlock;
        bool has1 = co + 1 < g.Co, has2 = co + 2 < g.Co, has3 = co + 3 < g.Co;
        int plane = g.OH * g.OW;
        int hw = g.H * g.W;
        int kk = g.KH * g.KW;
        int wPerCo = g.Ci * kk;
        int d1 = has1 ? plane : 0, d2 = has2 ? 2 * plane : 0, d3 = has3 ? 3 * plane : 0;
        for (int kw0 = 0; kw0 < g.KW; kw0 += 3)
        {
            bool t1 = kw0 + 1 < g.KW, t2 = kw0 + 2 < g.KW;
            float a00 = 0f, a01 = 0f, a02 = 0f, a10 = 0f, a11 = 0f, a12 = 0f;
            float a20 = 0f, a21 = 0f, a22 = 0f, a30 = 0f, a31 = 0f, a32 = 0f;
            for (int n = 0; n < g.N; n++)
            {
                long xb = ((long)n * g.Ci + ci) * hw;
                long yb = ((long)n * g.Co + co) * plane;
                for (int oh = 0; oh < g.OH; oh++)
                {
                    int ih = oh * g.Stride - g.Pad + kh;
                    if (ih < 0 || ih >= g.H)
                    {
                        continue;
                    }

                    long rowX = xb + (long)ih * g.W;
                    long rowY = yb + (long)oh * g.OW;
                    for (int ow = 0; ow < g.OW; ow++)
                    {
                        long yi = rowY + ow;
                        float g0 = dy[yi], g1 = dy[yi + d1], g2 = dy[yi + d2], g3 = dy[yi + d3];
                        int iw = ow * g.Stride - g.Pad + kw0;
                        if (iw >= 0 && iw < g.W)
                        {
                            float xv = x[rowX + iw];
                            a00 += xv * g0;
                            a10 += xv * g1;
                            a20 += xv * g2;
                            a30 += xv * g3;
                        }

                        if (t1 && iw + 1 >= 0 && iw + 1 < g.W)
                        {
                            float xv = x[rowX + iw + 1];
                            a01 += xv * g0;
                            a11 += xv * g1;
                            a21 += xv * g2;
                            a31 += xv * g3;
                        }

                        if (t2 && iw + 2 >= 0 && iw + 2 < g.W)
                        {
                            float xv = x[rowX + iw + 2];
                            a02 += xv * g0;
                            a12 += xv * g1;
                            a22 += xv * g2;
                            a32 += xv * g3;
                        }
                    }
                }
            }

            long w0 = (long)co * wPerCo + (long)ci * kk + kh * g.KW + kw0;
            AddTaps(dw, w0, t1, t2, a00, a01, a02);
            if (has1)
            {
                AddTaps(dw, w0 + wPerCo, t1, t2, a10, a11, a12);
            }

            if (has2)
            {
                AddTaps(dw, w0 + 2 * wPerCo, t1, t2, a20, a21, a22);
            }

            if (has3)
            {
                AddTaps(dw, w0 + 3 * wPerCo, t1, t2, a30, a31, a32);
            }
        }
    }

    private static void AddTaps(ArrayView<float> dw, long at, bool t1, bool t2, float v0, float v1, float v2)
    {
        dw[at] += v0;
        if (t1)
        {
            dw[at + 1] += v1;
        }

        if (t2)
        {
            dw[at + 2] += v2;
        }
    }

    [Kernel(Grouped = true, GroupSize = TiledGemm.GroupSize)]
    internal static void ForwardTiledKernel(ConvGeometry g, int slice, ArrayView<float> x, ArrayView<float> w, ArrayView<float> b, ArrayView<float> y)
    {
        var sa = SharedMemory.Allocate<float>(TiledGemm.TileK * TiledGemm.TileM);
        var sb = SharedMemory.Allocate<float>(TiledGemm.TileK * TiledGemm.TileN);
        int k = g.Ci * g.KH * g.KW;
        TiledGemm.Run(
            new ConvInputPatches(x, g),
            new StridedMatrix(w, 1, k),
            new NchwOut(y, b, g.Co, g.OH * g.OW, 0),
            g.N * g.OH * g.OW,
            g.Co,
            k,
            slice,
            sa,
            sb);
    }

    [Kernel(Grouped = true, GroupSize = TiledGemm.GroupSize)]
    internal static void BackwardDataTiledKernel(ConvGeometry g, int slice, ArrayView<float> dy, ArrayView<float> w, ArrayView<float> dx)
    {
        var sa = SharedMemory.Allocate<float>(TiledGemm.TileK * TiledGemm.TileM);
        var sb = SharedMemory.Allocate<float>(TiledGemm.TileK * TiledGemm.TileN);
        TiledGemm.Run(
            new ConvOutputGradGather(dy, g),
            new ConvWeightsByOutput(w, g),
            new NchwOut(dx, default, g.Ci, g.H * g.W, 1),
            g.N * g.H * g.W,
            g.Ci,
            g.Co * g.KH * g.KW,
            slice,
            sa,
            sb);
    }

    [Kernel(Grouped = true, GroupSize = TiledGemm.GroupSize)]
    internal static void BackwardWeightsTiledKernel(ConvGeometry g, int slice, ArrayView<float> x, ArrayView<float> dy, ArrayView<float> dw)
    {
        var sa = SharedMemory.Allocate<float>(TiledGemm.TileK * TiledGemm.TileM);
        var sb = SharedMemory.Allocate<float>(TiledGemm.TileK * TiledGemm.TileN);
        int n = g.Ci * g.KH * g.KW;
        TiledGemm.Run(
            new ConvOutputGradByChannel(dy, g),
            new ConvInputPatchesT(x, g),
            new MatrixOut(dw, default, n, 2),
            g.Co,
            n,
            g.N * g.OH * g.OW,
            slice,
            sa,
            sb);
    }

    /// <summary>db[c] += Σ_{n,hw} dy[n,c,hw]: one group per channel.</summary>
    [Kernel(Grouped = true, GroupSize = ChannelReduce.MaxGroup)]
    internal static void BiasGradKernel(int n, int channels, int hw, ArrayView<float> dy, ArrayView<float> db)
    {
        var shared = SharedMemory.Allocate<double>(ChannelReduce.MaxGroup);
        int c = Grid.IdxX;
        double sum = 0;
        for (int i = Group.IdxX; i < n * hw; i += Group.DimX)
        {
            int s = i / hw;
            sum += dy[((long)s * channels + c) * hw + (i - s * hw)];
        }

        double total = ChannelReduce.GroupSum(shared, sum);
        if (Group.IdxX == 0)
        {
            db[c] += (float)total;
        }
    }
}
