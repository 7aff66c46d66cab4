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
// thread per output plane or weight slice, no barriers, for the CPU accelerator).

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
            _forwardSimple(g.N * g.Co, g, x, w, b, y);
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
            _backwardDataSimple(g.N * g.Ci, g, dy, w, dx);
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
            _backwardWeightsSimple(g.Co * g.Ci, g, x, dy, dw);
        }

        if (db.Length > 0)
        {
            _biasGrad(ChannelReduce.Config(_device, g.Co), g.N, g.Co, g.OH * g.OW, dy, db);
        }
    }

    [Kernel]
    internal static void ForwardSimpleKernel(Index1D plane, ConvGeometry g, ArrayView<float> x, ArrayView<float> w, ArrayView<float> b, ArrayView<float> y)
    {
        int n = plane / g.Co;
        int co = plane - n * g.Co;
        long yBase = (long)plane.X * g.OH * g.OW;
        float bias = b.Length > 0 ? b[co] : 0f;
        for (int i = 0; i < g.OH * g.OW; i++)
        {
            y[yBase + i] = bias;
        }

        for (int ci = 0; ci < g.Ci; ci++)
        {
            long xBase = ((long)n * g.Ci + ci) * g.H * g.W;
            long wBase = ((long)co * g.Ci + ci) * g.KH * g.KW;
            for (int kh = 0; kh < g.KH; kh++)
            {
                for (int kw = 0; kw < g.KW; kw++)
                {
                    float wv = w[wBase + kh * g.KW + kw];
                    for (int oh = 0; oh < g.OH; oh++)
                    {
                        int ih = oh * g.Stride - g.Pad + kh;
                        if (ih < 0 || ih >= g.H)
                        {
                            continue;
                        }

                        long rowY = yBase + (long)oh * g.OW;
                        long rowX = xBase + (long)ih * g.W;
                        for (int ow = 0; ow < g.OW; ow++)
                        {
                            int iw = ow * g.Stride - g.Pad + kw;
                            if (iw >= 0 && iw < g.W)
                            {
                                y[rowY + ow] += wv * x[rowX + iw];
                            }
                        }
                    }
                }
            }
        }
    }

    [Kernel]
    internal static void BackwardDataSimpleKernel(Index1D plane, ConvGeometry g, ArrayView<float> dy, ArrayView<float> w, ArrayView<float> dx)
    {
        int n = plane / g.Ci;
        int ci = plane - n * g.Ci;
        long xBase = (long)plane.X * g.H * g.W;
        for (int co = 0; co < g.Co; co++)
        {
            long yBase = ((long)n * g.Co + co) * g.OH * g.OW;
            long wBase = ((long)co * g.Ci + ci) * g.KH * g.KW;
            for (int kh = 0; kh < g.KH; kh++)
            {
                for (int kw = 0; kw < g.KW; kw++)
                {
                    float wv = w[wBase + kh * g.KW + kw];
                    for (int oh = 0; oh < g.OH; oh++)
                    {
                        int ih = oh * g.Stride - g.Pad + kh;
                        if (ih < 0 || ih >= g.H)
                        {
                            continue;
                        }

                        long rowY = yBase + (long)oh * g.OW;
                        long rowX = xBase + (long)ih * g.W;
                        for (int ow = 0; ow < g.OW; ow++)
                        {
                            int iw = ow * g.Stride - g.Pad + kw;
                            if (iw >= 0 && iw < g.W)
                            {
                                dx[rowX + iw] += wv * dy[rowY + ow];
                            }
                        }
                    }
                }
            }
        }
    }

    [Kernel]
    internal static void BackwardWeightsSimpleKernel(Index1D slice, ConvGeometry g, ArrayView<float> x, ArrayView<float> dy, ArrayView<float> dw)
    {
        int co = slice / g.Ci;
        int ci = slice - co * g.Ci;
        long wBase = (long)slice.X * g.KH * g.KW;
        for (int kh = 0; kh < g.KH; kh++)
        {
            for (int kw = 0; kw < g.KW; kw++)
            {
                float acc = 0f;
                for (int n = 0; n < g.N; n++)
                {
                    long xBase = ((long)n * g.Ci + ci) * g.H * g.W;
                    long yBase = ((long)n * g.Co + co) * g.OH * g.OW;
                    for (int oh = 0; oh < g.OH; oh++)
                    {
                        int ih = oh * g.Stride - g.Pad + kh;
                        if (ih < 0 || ih >= g.H)
                        {
                            continue;
                        }

                        long rowY = yBase + (long)oh * g.OW;
                        long rowX = xBase + (long)ih * g.W;
                        for (int ow = 0; ow < g.OW; ow++)
                        {
                            int iw = ow * g.Stride - g.Pad + kw;
                            if (iw >= 0 && iw < g.W)
                            {
                                acc += dy[rowY + ow] * x[rowX + iw];
                            }
                        }
                    }
                }

                dw[wBase + kh * g.KW + kw] += acc;
            }
        }
    }

    [Kernel(Grouped = true)]
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

    [Kernel(Grouped = true)]
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

    [Kernel(Grouped = true)]
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
    [Kernel(Grouped = true)]
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
