using ILGPU;
using ILGPU.Runtime;
using IlgpuCnn.Device;

namespace IlgpuCnn.Kernels;

// Conv2d, NCHW. N = batch, Ci/Co = input/output channels, H×W input, OH×OW output, KH×KW kernel.
//   x  (N, Ci, H, W)      w  (Co, Ci, KH, KW)      b  (Co)      y  (N, Co, OH, OW)
// forward:          y[n,co,oh,ow]  = b[co] + Σ_{ci,kh,kw} w[co,ci,kh,kw] · x[n,ci,oh·s−p+kh, ow·s−p+kw]
// backward-data:    dx[n,ci,ih,iw] = Σ_{co,kh,kw} w[co,ci,kh,kw] · dy[n,co,(ih+p−kh)/s, (iw+p−kw)/s]
// backward-weights: dw[co,ci,kh,kw] += Σ_{n,oh,ow} dy[n,co,oh,ow] · x[n,ci,oh·s−p+kh, ow·s−p+kw]
// bias:             db[co] += Σ_{n,oh,ow} dy[n,co,oh,ow]
// Two variants of each pass: Tiled (implicit GEMM through TiledGemm, for CUDA) and Simple (one
// thread per (sample, block of 4 channels) or per (4 output channels, ci, kh) of weights,
// accumulating in Lanes4 registers, no barriers, for the CPU accelerator).

/// <summary>The conv2d kernels of one device, loaded once.</summary>
public sealed class Conv2dKernels
{
    /// <summary>Channels per thread in the simple kernels: each value loaded feeds 4 accumulators (<see cref="Lanes4"/>).</summary>
    public const int ChannelBlock = 4;

    private readonly ComputeDevice _device;
    private readonly Lazy<Action<Index1D, ConvGeometry, ConvForwardBuffers>> _forwardSimple;
    private readonly Lazy<Action<Index1D, ConvGeometry, ConvBackwardDataBuffers>> _backwardDataSimple;
    private readonly Lazy<Action<Index1D, ConvGeometry, ConvBackwardWeightsBuffers>> _backwardWeightsSimple;
    private readonly Lazy<Action<KernelConfig, ConvGeometry, int, ConvForwardBuffers>> _forwardTiled;
    private readonly Lazy<Action<KernelConfig, ConvGeometry, int, ConvBackwardDataBuffers>> _backwardDataTiled;
    private readonly Lazy<Action<KernelConfig, ConvGeometry, int, ConvBackwardWeightsBuffers>> _backwardWeightsTiled;
    private readonly Lazy<Action<KernelConfig, int, int, int, ArrayView<float>, ArrayView<float>>> _biasGrad;
    private readonly Lazy<Action<KernelConfig, ConvGeometry, ConvForwardBuffers>> _forwardBlocked;
    private readonly Lazy<Action<KernelConfig, ConvGeometry, int, GemmStoreMode, ConvBackwardDataBuffers>> _backwardDataBlocked;
    private readonly Lazy<Action<KernelConfig, ConvGeometry, int, GemmStoreMode, ConvBackwardWeightsBuffers, ArrayView<float>>> _backwardWeightsBlocked;
    private readonly Lazy<Action<KernelConfig, ConvGeometry, ConvForwardBuffers>> _forwardRun;
    private readonly Lazy<Action<KernelConfig, ConvGeometry, int, GemmStoreMode, ConvBackwardDataBuffers>> _backwardDataRun;
    private readonly Lazy<Action<KernelConfig, ConvGeometry, int, GemmStoreMode, ConvBackwardWeightsBuffers, ArrayView<float>>> _backwardWeightsRun;
    private readonly Lazy<Action<KernelConfig, ConvGeometry, ConvForwardBuffers>> _forwardRunNarrow;
    private readonly Lazy<Action<KernelConfig, ConvGeometry, int, GemmStoreMode, ConvBackwardDataBuffers>> _backwardDataRunNarrow;

    private Conv2dKernels(ComputeDevice device)
    {
        _device = device;
        var acc = device.Accelerator;
        _forwardSimple = new(() => acc.LoadAutoGroupedStreamKernel<Index1D, ConvGeometry, ConvForwardBuffers>(ForwardSimpleKernel));
        _backwardDataSimple = new(() => acc.LoadAutoGroupedStreamKernel<Index1D, ConvGeometry, ConvBackwardDataBuffers>(BackwardDataSimpleKernel));
        _backwardWeightsSimple = new(() => acc.LoadAutoGroupedStreamKernel<Index1D, ConvGeometry, ConvBackwardWeightsBuffers>(BackwardWeightsSimpleKernel));
        _forwardTiled = new(() => acc.LoadStreamKernel<ConvGeometry, int, ConvForwardBuffers>(ForwardTiledKernel));
        _backwardDataTiled = new(() => acc.LoadStreamKernel<ConvGeometry, int, ConvBackwardDataBuffers>(BackwardDataTiledKernel));
        _backwardWeightsTiled = new(() => acc.LoadStreamKernel<ConvGeometry, int, ConvBackwardWeightsBuffers>(BackwardWeightsTiledKernel));
        _biasGrad = new(() => acc.LoadStreamKernel<int, int, int, ArrayView<float>, ArrayView<float>>(BiasGradKernel));
        _forwardBlocked = new(() => acc.LoadStreamKernel<ConvGeometry, ConvForwardBuffers>(ForwardBlockedKernel));
        _backwardDataBlocked = new(() => acc.LoadStreamKernel<ConvGeometry, int, GemmStoreMode, ConvBackwardDataBuffers>(BackwardDataBlockedKernel));
        _backwardWeightsBlocked = new(() => acc.LoadStreamKernel<ConvGeometry, int, GemmStoreMode, ConvBackwardWeightsBuffers, ArrayView<float>>(BackwardWeightsBlockedKernel));
        _forwardRun = new(() => acc.LoadStreamKernel<ConvGeometry, ConvForwardBuffers>(ForwardRunKernel));
        _backwardDataRun = new(() => acc.LoadStreamKernel<ConvGeometry, int, GemmStoreMode, ConvBackwardDataBuffers>(BackwardDataRunKernel));
        _backwardWeightsRun = new(() => acc.LoadStreamKernel<ConvGeometry, int, GemmStoreMode, ConvBackwardWeightsBuffers, ArrayView<float>>(BackwardWeightsRunKernel));
        _forwardRunNarrow = new(() => acc.LoadStreamKernel<ConvGeometry, ConvForwardBuffers>(ForwardRunNarrowKernel));
        _backwardDataRunNarrow = new(() => acc.LoadStreamKernel<ConvGeometry, int, GemmStoreMode, ConvBackwardDataBuffers>(BackwardDataRunNarrowKernel));

        // The device's own variant is compiled now (so no training step compiles anything); the
        // others (tests, benchmarks) on first use.
        if (KernelVariant.Auto.On(device) == KernelVariant.Blocked)
        {
            _ = (_forwardRun.Value, _backwardDataRun.Value, _backwardWeightsRun.Value, _forwardRunNarrow.Value, _backwardDataRunNarrow.Value);
            _ = (_forwardBlocked.Value, _backwardDataBlocked.Value, _backwardWeightsBlocked.Value);
        }
        else
        {
            _ = (_forwardSimple.Value, _backwardDataSimple.Value, _backwardWeightsSimple.Value, _biasGrad.Value);
        }
    }

    public static Conv2dKernels For(ComputeDevice device) => device.Kernels(d => new Conv2dKernels(d));

    /// <summary>y = conv(x, w) + b (y is overwritten; b may be empty).</summary>
    public void Forward(ConvGeometry g, ArrayView<float> x, ArrayView<float> w, ArrayView<float> b, ArrayView<float> y, KernelVariant variant = KernelVariant.Auto)
    {
        var buffers = new ConvForwardBuffers(x, w, b, y);
        var v = variant.On(_device);
        if (v == KernelVariant.Blocked)
        {
            int m = g.N * g.OH * g.OW;
            var shape = RunShape(g.Ci, g.Co, x.Length, y.Length, w.Length);
            var forward = (shape == GemmShape.Narrow ? _forwardRunNarrow : shape == GemmShape.Wide ? _forwardRun : _forwardBlocked).Value;
            forward(Config(shape, m, g.Co, 1), g, buffers);
        }
        else if (v == KernelVariant.Tiled)
        {
            int m = g.N * g.OH * g.OW;
            int k = g.Ci * g.KH * g.KW;
            _forwardTiled.Value(TiledGemm.Config(m, g.Co, 1), g, TiledGemm.SliceLength(k, 1), buffers);
        }
        else
        {
            _forwardSimple.Value(g.N * Blocks(g.Co), g, buffers);
        }
    }

    /// <summary>dx = conv_transpose(dy, w) (overwritten: an activation gradient has one writer; split-K zeroes it first).</summary>
    public void BackwardData(ConvGeometry g, ArrayView<float> dy, ArrayView<float> w, ArrayView<float> dx, KernelVariant variant = KernelVariant.Auto)
    {
        var buffers = new ConvBackwardDataBuffers(dy, w, dx);
        var v = variant.On(_device);
        if (v == KernelVariant.Blocked && g.Stride == 1)
        {
            int m = g.N * g.H * g.W;
            int k = g.Co * g.KH * g.KW;
            var shape = RunShape(g.Co, g.Ci, dy.Length, dx.Length, w.Length);
            int splits = SplitsToFill(shape == GemmShape.Narrow ? RunGemm.NarrowTiles(m, g.Ci) : BlockedGemm.Tiles(m, g.Ci), k);
            if (splits > 1)
            {
                _device.Zero(dx);
            }

            var backwardData = (shape == GemmShape.Narrow ? _backwardDataRunNarrow : shape == GemmShape.Wide ? _backwardDataRun : _backwardDataBlocked).Value;
            backwardData(Config(shape, m, g.Ci, splits), g, BlockedGemm.SliceLength(k, splits), splits > 1 ? GemmStoreMode.AtomicAdd : GemmStoreMode.Write, buffers);
        }
        else if (v is KernelVariant.Tiled or KernelVariant.Blocked)
        {
            int m = g.N * g.H * g.W;
            int k = g.Co * g.KH * g.KW;
            _backwardDataTiled.Value(TiledGemm.Config(m, g.Ci, 1), g, TiledGemm.SliceLength(k, 1), buffers);
        }
        else
        {
            _backwardDataSimple.Value(g.N * Blocks(g.Ci), g, buffers);
        }
    }

    /// <summary>dw += Σ dy ⊗ patches(x); db += Σ dy (db may be empty).</summary>
    public void BackwardWeights(ConvGeometry g, ArrayView<float> x, ArrayView<float> dy, ArrayView<float> dw, ArrayView<float> db, KernelVariant variant = KernelVariant.Auto)
    {
        var buffers = new ConvBackwardWeightsBuffers(x, dy, dw);
        var v = variant.On(_device);
        if (v == KernelVariant.Blocked)
        {
            // One extra GEMM column of ones folds the bias gradient db = Σ dy into this launch.
            int n = (g.Ci * g.KH * g.KW) + (db.Length > 0 ? 1 : 0);
            int k = g.N * g.OH * g.OW;
            int splits = SplitsToFill(BlockedGemm.Tiles(g.Co, n), k);
            var backwardWeights = (RunsFit(g.OH * g.OW, x.Length, dy.Length, dw.Length) ? _backwardWeightsRun : _backwardWeightsBlocked).Value;
            backwardWeights(BlockedGemm.Config(g.Co, n, splits), g, BlockedGemm.SliceLength(k, splits), splits > 1 ? GemmStoreMode.AtomicAdd : GemmStoreMode.Add, buffers, db);
            return;
        }

        if (v == KernelVariant.Tiled)
        {
            int n = g.Ci * g.KH * g.KW;
            int k = g.N * g.OH * g.OW;
            int tiles = ((g.Co + TiledGemm.TileM - 1) / TiledGemm.TileM) * ((n + TiledGemm.TileN - 1) / TiledGemm.TileN);
            int splits = Math.Clamp(512 / tiles, 1, Math.Max(1, k / 256));
            _backwardWeightsTiled.Value(TiledGemm.Config(g.Co, n, splits), g, TiledGemm.SliceLength(k, splits), buffers);
        }
        else
        {
            _backwardWeightsSimple.Value(Blocks(g.Co) * g.Ci * g.KH, g, buffers);
        }

        if (db.Length > 0)
        {
            _biasGrad.Value(ChannelReduce.Config(_device, g.Co), g.N, g.Co, g.OH * g.OW, dy, db);
        }
    }

    /// <summary>
    /// The GEMM a blocked conv pass runs on: <see cref="RunGemm"/> when the K dimension comes in runs
    /// of 8 (<see cref="RunsFit"/>) — its 64×32 tile when the GEMM is at most 32 wide — else
    /// <see cref="BlockedGemm"/>.
    /// </summary>
    internal static GemmShape RunShape(int runDimension, int width, params ReadOnlySpan<long> lengths) =>
        !RunsFit(runDimension, lengths) ? GemmShape.Cursor : width <= RunGemm.NarrowN ? GemmShape.Narrow : GemmShape.Wide;

    /// <summary>Launch shape of a blocked conv GEMM C[m, n] in <paramref name="splits"/> K slices.</summary>
    internal static KernelConfig Config(GemmShape shape, int m, int n, int splits) =>
        shape == GemmShape.Narrow ? RunGemm.NarrowConfig(m, n, splits) : BlockedGemm.Config(m, n, splits);

    /// <summary>
    /// Whether a conv GEMM can stage runs of 8 k (<see cref="RunGemm"/>): forward needs Ci, backward-data
    /// Co (channels are the run), backward-weights OH·OW (pixels are the run) a multiple of 8, and
    /// every tensor fewer than 2³¹ elements (the run operands index in 32 bits).
    /// </summary>
    internal static bool RunsFit(int runDimension, params ReadOnlySpan<long> lengths)
    {
        foreach (long n in lengths)
        {
            if (n > int.MaxValue)
            {
                return false;
            }
        }

        return runDimension % RunGemm.RunLength == 0;
    }

    private static int Blocks(int channels) => (channels + ChannelBlock - 1) / ChannelBlock;

    /// <summary>
    /// Split-K slices for a blocked GEMM of <paramref name="tiles"/> groups: enough for about two
    /// groups per SM of a 132-SM GPU, each slice keeping at least 8 K steps.
    /// </summary>
    internal static int SplitsToFill(int tiles, int k) => Math.Clamp((2 * 132) / tiles, 1, Math.Max(1, k / (8 * BlockedGemm.TileK)));

    /// <summary>One thread per (n, block of 4 output channels): the whole output planes, accumulated in registers.</summary>
    [Kernel]
    internal static void ForwardSimpleKernel(Index1D index, ConvGeometry g, ConvForwardBuffers p)
    {
        int blocks = Blocks(g.Co);
        int n = index / blocks;
        int co = (index - n * blocks) * ChannelBlock;
        int kk = g.KH * g.KW;
        var weights = new ChannelOffsets4((long)co * g.Ci * kk, g.Ci * kk, g.Co - co);
        var bias = p.B.Length > 0 ? Lanes4.GatherOrZero(p.B, co, new ChannelOffsets4(0, 1, g.Co - co)) : default;
        int plane = g.OH * g.OW;
        int hw = g.H * g.W;
        long xn = (long)n * g.Ci * hw;
        var outputs = new ChannelOffsets4(((long)n * g.Co + co) * plane, plane, g.Co - co);
        for (int oh = 0; oh < g.OH; oh++)
        {
            for (int ow = 0; ow < g.OW; ow++)
            {
                var acc = bias;
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
                            acc.AddScaled(p.X[xi], Lanes4.Gather(p.W, wi, weights));
                            xi += hw;
                            wi += kk;
                        }
                    }
                }

                acc.Write(p.Y, oh * g.OW + ow, outputs);
            }
        }
    }

    /// <summary>One thread per (n, block of 4 input channels): dx of whole input planes, gathered from dy in registers.</summary>
    [Kernel]
    internal static void BackwardDataSimpleKernel(Index1D index, ConvGeometry g, ConvBackwardDataBuffers p)
    {
        int blocks = Blocks(g.Ci);
        int n = index / blocks;
        int ci = (index - n * blocks) * ChannelBlock;
        int kk = g.KH * g.KW;
        int wStride = g.Ci * kk;
        var weights = new ChannelOffsets4((long)ci * kk, kk, g.Ci - ci);
        int plane = g.OH * g.OW;
        int hw = g.H * g.W;
        long yn = (long)n * g.Co * plane;
        var inputs = new ChannelOffsets4(((long)n * g.Ci + ci) * hw, hw, g.Ci - ci);
        for (int ih = 0; ih < g.H; ih++)
        {
            for (int iw = 0; iw < g.W; iw++)
            {
                var acc = default(Lanes4);
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
                            acc.AddScaled(p.Dy[yi], Lanes4.Gather(p.W, wi, weights));
                            yi += plane;
                            wi += wStride;
                        }
                    }
                }

                acc.Write(p.Dx, ih * g.W + iw, inputs);
            }
        }
    }

    /// <summary>
    /// One thread per (block of 4 output channels, ci, kh): a 4×3 block of weights (4 output
    /// channels × 3 consecutive kw taps, one <see cref="Lanes4"/> per tap) summed over n, oh, ow in
    /// registers. Each position loads 4 output gradients and up to 3 inputs for 12 multiply-adds.
    /// </summary>
    [Kernel]
    internal static void BackwardWeightsSimpleKernel(Index1D index, ConvGeometry g, ConvBackwardWeightsBuffers p)
    {
        int perBlock = g.Ci * g.KH;
        int block = index / perBlock;
        int j = index - block * perBlock;
        int ci = j / g.KH;
        int kh = j - ci * g.KH;
        int co = block * ChannelBlock;
        int plane = g.OH * g.OW;
        int hw = g.H * g.W;
        int kk = g.KH * g.KW;
        var gradients = new ChannelOffsets4(0, plane, g.Co - co);
        for (int kw0 = 0; kw0 < g.KW; kw0 += 3)
        {
            bool t1 = kw0 + 1 < g.KW, t2 = kw0 + 2 < g.KW;
            Lanes4 tap0 = default, tap1 = default, tap2 = default;
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
                        var dy = Lanes4.Gather(p.Dy, rowY + ow, gradients);
                        int iw = ow * g.Stride - g.Pad + kw0;
                        if (iw >= 0 && iw < g.W)
                        {
                            tap0.AddScaled(p.X[rowX + iw], dy);
                        }

                        if (t1 && iw + 1 >= 0 && iw + 1 < g.W)
                        {
                            tap1.AddScaled(p.X[rowX + iw + 1], dy);
                        }

                        if (t2 && iw + 2 >= 0 && iw + 2 < g.W)
                        {
                            tap2.AddScaled(p.X[rowX + iw + 2], dy);
                        }
                    }
                }
            }

            var weights = new ChannelOffsets4((long)co * g.Ci * kk + (long)ci * kk + kh * g.KW + kw0, g.Ci * kk, g.Co - co);
            tap0.AddTo(p.Dw, 0, weights);
            if (t1)
            {
                tap1.AddTo(p.Dw, 1, weights);
            }

            if (t2)
            {
                tap2.AddTo(p.Dw, 2, weights);
            }
        }
    }

    [Kernel(Grouped = true, GroupSize = TiledGemm.GroupSize)]
    internal static void ForwardTiledKernel(ConvGeometry g, int slice, ConvForwardBuffers p)
    {
        var sa = SharedMemory.Allocate<float>(TiledGemm.TileK * TiledGemm.TileM);
        var sb = SharedMemory.Allocate<float>(TiledGemm.TileK * TiledGemm.TileN);
        int k = g.Ci * g.KH * g.KW;
        TiledGemm.Run(
            new ConvInputPatches(p.X, g),
            new StridedMatrix(p.W, 1, k),
            new NchwOut(p.Y, p.B, g.Co, g.OH * g.OW, GemmStoreMode.Write),
            g.N * g.OH * g.OW,
            g.Co,
            k,
            slice,
            sa,
            sb);
    }

    [Kernel(Grouped = true, GroupSize = TiledGemm.GroupSize)]
    internal static void BackwardDataTiledKernel(ConvGeometry g, int slice, ConvBackwardDataBuffers p)
    {
        var sa = SharedMemory.Allocate<float>(TiledGemm.TileK * TiledGemm.TileM);
        var sb = SharedMemory.Allocate<float>(TiledGemm.TileK * TiledGemm.TileN);
        TiledGemm.Run(
            new ConvOutputGradGather(p.Dy, g),
            new ConvWeightsByOutput(p.W, g),
            new NchwOut(p.Dx, default, g.Ci, g.H * g.W, GemmStoreMode.Write),
            g.N * g.H * g.W,
            g.Ci,
            g.Co * g.KH * g.KW,
            slice,
            sa,
            sb);
    }

    [Kernel(Grouped = true, GroupSize = TiledGemm.GroupSize)]
    internal static void BackwardWeightsTiledKernel(ConvGeometry g, int slice, ConvBackwardWeightsBuffers p)
    {
        var sa = SharedMemory.Allocate<float>(TiledGemm.TileK * TiledGemm.TileM);
        var sb = SharedMemory.Allocate<float>(TiledGemm.TileK * TiledGemm.TileN);
        int n = g.Ci * g.KH * g.KW;
        TiledGemm.Run(
            new ConvOutputGradByChannel(p.Dy, g),
            new ConvInputPatchesT(p.X, g),
            new MatrixOut(p.Dw, default, n, GemmStoreMode.AtomicAdd),
            g.Co,
            n,
            g.N * g.OH * g.OW,
            slice,
            sa,
            sb);
    }

    /// <summary>Forward as a blocked GEMM: C[(n,oh,ow), co] = Σ_k patches · w, written with the bias.</summary>
    [Kernel(Grouped = true, GroupSize = BlockedGemm.GroupSize)]
    internal static void ForwardBlockedKernel(ConvGeometry g, ConvForwardBuffers p)
    {
        var sa = SharedMemory.Allocate<Float4>(BlockedGemm.TileFloat4s);
        var sb = SharedMemory.Allocate<Float4>(BlockedGemm.TileFloat4s);
        int k = g.Ci * g.KH * g.KW;
        BlockedGemm.Run(
            new ConvPatchCursor(p.X, g),
            new StridedCursor(p.W, k, 1),
            new NchwOut(p.Y, p.B, g.Co, g.OH * g.OW, GemmStoreMode.Write),
            g.N * g.OH * g.OW,
            g.Co,
            k,
            k,
            sa,
            sb);
    }

    /// <summary>Backward-data at stride 1 as a blocked GEMM: C[(n,ih,iw), ci] = Σ_{co,kh,kw} dy · w.</summary>
    [Kernel(Grouped = true, GroupSize = BlockedGemm.GroupSize)]
    internal static void BackwardDataBlockedKernel(ConvGeometry g, int slice, GemmStoreMode mode, ConvBackwardDataBuffers p)
    {
        var sa = SharedMemory.Allocate<Float4>(BlockedGemm.TileFloat4s);
        var sb = SharedMemory.Allocate<Float4>(BlockedGemm.TileFloat4s);
        BlockedGemm.Run(
            new ConvGradGatherCursor(p.Dy, g),
            new ConvWeightsByOutputCursor(p.W, g),
            new NchwOut(p.Dx, default, g.Ci, g.H * g.W, mode),
            g.N * g.H * g.W,
            g.Ci,
            g.Co * g.KH * g.KW,
            slice,
            sa,
            sb);
    }

    /// <summary>Backward-weights (and bias, as the extra column when db is not empty) as a blocked GEMM: C[co, (ci,kh,kw)] = Σ_{n,oh,ow} dy · patches.</summary>
    [Kernel(Grouped = true, GroupSize = BlockedGemm.GroupSize)]
    internal static void BackwardWeightsBlockedKernel(ConvGeometry g, int slice, GemmStoreMode mode, ConvBackwardWeightsBuffers p, ArrayView<float> db)
    {
        var sa = SharedMemory.Allocate<Float4>(BlockedGemm.TileFloat4s);
        var sb = SharedMemory.Allocate<Float4>(BlockedGemm.TileFloat4s);
        int cols = g.Ci * g.KH * g.KW;
        BlockedGemm.Run(
            new ChannelGradCursor(p.Dy, g),
            new ConvPatchColumnCursor(p.X, g),
            new GradWithBiasOut(p.Dw, db, g.Co, cols, mode),
            g.Co,
            cols + (db.Length > 0 ? 1 : 0),
            g.N * g.OH * g.OW,
            slice,
            sa,
            sb);
    }

    /// <summary>Forward with balanced staging (Ci a multiple of 8): C[(n,oh,ow), co] = Σ_{(kh,kw,ci)} patches · w, written with the bias.</summary>
    [Kernel(Grouped = true, GroupSize = BlockedGemm.GroupSize)]
    internal static void ForwardRunKernel(ConvGeometry g, ConvForwardBuffers p)
    {
        var gemm = ForwardGemm(g, p);
        RunGemm.Run(gemm, gemm.K, SharedMemory.Allocate<Float4>(BlockedGemm.TileFloat4s), SharedMemory.Allocate<Float4>(BlockedGemm.TileFloat4s));
    }

    /// <summary>Backward-data at stride 1 with balanced staging (Co a multiple of 8): C[(n,ih,iw), ci] = Σ_{(kh,kw,co)} dy · w.</summary>
    [Kernel(Grouped = true, GroupSize = BlockedGemm.GroupSize)]
    internal static void BackwardDataRunKernel(ConvGeometry g, int slice, GemmStoreMode mode, ConvBackwardDataBuffers p) =>
        RunGemm.Run(BackwardDataGemm(g, mode, p), slice, SharedMemory.Allocate<Float4>(BlockedGemm.TileFloat4s), SharedMemory.Allocate<Float4>(BlockedGemm.TileFloat4s));

    /// <summary>Forward on the 64×32 tile (Ci a multiple of 8, Co ≤ 32).</summary>
    [Kernel(Grouped = true, GroupSize = RunGemm.NarrowGroupSize)]
    internal static void ForwardRunNarrowKernel(ConvGeometry g, ConvForwardBuffers p)
    {
        var gemm = ForwardGemm(g, p);
        RunGemm.RunNarrow(gemm, gemm.K, SharedMemory.Allocate<Float4>(BlockedGemm.TileFloat4s), SharedMemory.Allocate<Float4>(RunGemm.NarrowFloat4s));
    }

    /// <summary>Backward-data at stride 1 on the 64×32 tile (Co a multiple of 8, Ci ≤ 32).</summary>
    [Kernel(Grouped = true, GroupSize = RunGemm.NarrowGroupSize)]
    internal static void BackwardDataRunNarrowKernel(ConvGeometry g, int slice, GemmStoreMode mode, ConvBackwardDataBuffers p) =>
        RunGemm.RunNarrow(BackwardDataGemm(g, mode, p), slice, SharedMemory.Allocate<Float4>(BlockedGemm.TileFloat4s), SharedMemory.Allocate<Float4>(RunGemm.NarrowFloat4s));

    /// <summary>The forward GEMM in tap-major K: rows (n, oh, ow), columns co, k = (kh, kw, ci).</summary>
    private static RunGemmProblem<ConvTapRun, ConvTapWeightsRun, NchwOut> ForwardGemm(ConvGeometry g, ConvForwardBuffers p) => new()
    {
        A = ConvTapRun.Forward(p.X, g),
        B = ConvTapWeightsRun.Forward(p.W, g),
        C = new NchwOut(p.Y, p.B, g.Co, g.OH * g.OW, GemmStoreMode.Write),
        M = g.N * g.OH * g.OW,
        N = g.Co,
        K = g.Ci * g.KH * g.KW,
    };

    /// <summary>The backward-data GEMM in tap-major K: rows (n, ih, iw), columns ci, k = (kh, kw, co).</summary>
    private static RunGemmProblem<ConvTapRun, ConvTapWeightsRun, NchwOut> BackwardDataGemm(ConvGeometry g, GemmStoreMode mode, ConvBackwardDataBuffers p) => new()
    {
        A = ConvTapRun.BackwardData(p.Dy, g),
        B = ConvTapWeightsRun.BackwardData(p.W, g),
        C = new NchwOut(p.Dx, default, g.Ci, g.H * g.W, mode),
        M = g.N * g.H * g.W,
        N = g.Ci,
        K = g.Co * g.KH * g.KW,
    };

    /// <summary>Backward-weights (and bias, as the extra column when db is not empty) with balanced staging (OH·OW a multiple of 8).</summary>
    [Kernel(Grouped = true, GroupSize = BlockedGemm.GroupSize)]
    internal static void BackwardWeightsRunKernel(ConvGeometry g, int slice, GemmStoreMode mode, ConvBackwardWeightsBuffers p, ArrayView<float> db)
    {
        int cols = g.Ci * g.KH * g.KW;
        var gemm = new RunGemmProblem<ChannelGradRun, PatchColumnRun, GradWithBiasOut>
        {
            A = new ChannelGradRun(p.Dy, g),
            B = new PatchColumnRun(p.X, g),
            C = new GradWithBiasOut(p.Dw, db, g.Co, cols, mode),
            M = g.Co,
            N = cols + (db.Length > 0 ? 1 : 0),
            K = g.N * g.OH * g.OW,
        };
        RunGemm.Run(gemm, slice, SharedMemory.Allocate<Float4>(BlockedGemm.TileFloat4s), SharedMemory.Allocate<Float4>(BlockedGemm.TileFloat4s));
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
