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
//
// Which body runs a pass is decided by KernelPlanner.Conv alone (Kernels/Plan/); each pass here
// launches the plan's kernel. The bodies (KernelBody):
//   Simple  one thread per (sample, 4 channels) — or per (4 output channels, ci, kh) of weights —
//           accumulating in Lanes4 registers, no barriers: every pass on the CPU accelerator, and
//           backward-data at stride ≠ 1 on a GPU.
//   Cursor  BlockedGemm, IKCursor operands (Conv/ConvTapCursor, ...): a run dimension not a multiple of 8.
//   Run64   RunGemm.Run, IKRun operands (Conv/ConvTapRun, ...), 64×64 tiles.
//   Run32   RunGemm.RunNarrow, 64×32 tiles: forward and backward-data GEMMs at most 32 wide.
//   RunShort RunGemm.RunShort, 32×64 tiles: backward-weights GEMMs at most 32 tall (Co ≤ 32).
//   Simd    SimdConv (Kernels/Simd/): 8 pixels × 16 channels per work-item, no barriers, vectorised by
//           the CPU's compiler: 3×3 stride-1 passes with channels in sixteens on PoCL (CPU cores).
//   Direct  Conv/DirectConv: no GEMM; a 16×32-pixel tile's input window in shared memory, 4 pixels ×
//           8 output channels per thread: forward with K = Ci·KH·KW ≤ 64 (the 3-channel first layer).
// The GEMM bodies' and Direct's forward reads the weights' transposed copy wT[(kh,kw,ci), co] (Conv/ConvWeightCopies,
// written for all conv layers by one TransposeWeightsKernel launch at the start of each forward pass),
// so a warp's load of 32 output channels at one k is one cache line, not 32.
// Versions (the lab, benchmarks/IlgpuCnn.Benchmarks/Lab/, as llm.c's dev/cuda): version 1 is the
// shared-memory TiledGemm (4×4 per thread, one k per load); version 2 is Cursor (8×4 register block,
// 16-byte shared loads, division-free cursors, register double buffer); version 3 is Run64/Run32
// (runs of 8 k staged per thread, tap-major K) and RunShort; Direct replaced Cursor for the first
// layer's forward. Versions 2 and 3 run here.
//
// The recipe (width 1, batch 64): layer → body of forward / backward-data / backward-weights (the
// first layer's input needs no gradient). KernelPlanTests checks it against KernelPlanner (the
// plan) and benchmarks/STATIC.md (StepModel's launches); the dense layers run Small on a GPU.
// RECIPE-TABLE-BEGIN
// layer         CUDA (H100): fwd / bwd-data / bwd-weights   CPU accelerator
// block1.conv1  Direct / - / RunShort                       Simple / - / Simple
// block1.conv2  Run32 / Run32 / RunShort                    Simple / Simple / Simple
// block2.conv1  Run64 / Run32 / Run64                       Simple / Simple / Simple
// block2.conv2  Run64 / Run64 / Run64                       Simple / Simple / Simple
// block3.conv1  Run64 / Run64 / Run64                       Simple / Simple / Simple
// block3.conv2  Run64 / Run64 / Run64                       Simple / Simple / Simple
// block4.conv1  Run64 / Run64 / Run64                       Simple / Simple / Simple
// block4.conv2  Run64 / Run64 / Run64                       Simple / Simple / Simple
// RECIPE-TABLE-END

/// <summary>The conv2d kernels of one device, loaded once; each pass launches <see cref="KernelPlanner.Conv"/>'s plan.</summary>
public sealed class Conv2dKernels
{
    /// <summary>Channels per thread in the simple kernels: each value loaded feeds 4 accumulators (<see cref="Lanes4"/>).</summary>
    public const int ChannelBlock = 4;

    private readonly ComputeDevice _device;
    private readonly Lazy<Action<Index1D, ConvGeometry, ConvForwardBuffers>> _forwardSimple;
    private readonly Lazy<Action<Index1D, ConvGeometry, ConvBackwardDataBuffers>> _backwardDataSimple;
    private readonly Lazy<Action<Index1D, ConvGeometry, ConvBackwardWeightsBuffers>> _backwardWeightsSimple;
    private readonly Lazy<Action<KernelConfig, int, int, int, ArrayView<float>, ArrayView<float>>> _biasGrad;
    private readonly Lazy<Action<KernelConfig, ConvGeometry, ConvForwardBuffers>> _forwardCursor;
    private readonly Lazy<Action<KernelConfig, ConvGeometry, ConvForwardBuffers>> _forwardDirect;
    private readonly Lazy<Action<KernelConfig, ConvGeometry, int, GemmStoreMode, ConvBackwardDataBuffers>> _backwardDataCursor;
    private readonly Lazy<Action<KernelConfig, ConvGeometry, int, GemmStoreMode, ConvBackwardWeightsBuffers, ArrayView<float>>> _backwardWeightsCursor;
    private readonly Lazy<Action<KernelConfig, ConvGeometry, int, SliceSum, ConvForwardBuffers>> _forwardRun64;
    private readonly Lazy<Action<KernelConfig, ConvGeometry, int, GemmStoreMode, SliceSum, ConvBackwardDataBuffers>> _backwardDataRun64;
    private readonly Lazy<Action<KernelConfig, ConvGeometry, int, GemmStoreMode, ConvBackwardWeightsBuffers, ArrayView<float>>> _backwardWeightsRun64;
    private readonly Lazy<Action<KernelConfig, ConvGeometry, int, SliceSum, ConvForwardBuffers>> _forwardRun32;
    private readonly Lazy<Action<KernelConfig, ConvGeometry, int, GemmStoreMode, SliceSum, ConvBackwardDataBuffers>> _backwardDataRun32;
    private readonly Lazy<Action<KernelConfig, ConvGeometry, int, GemmStoreMode, ConvBackwardWeightsBuffers, ArrayView<float>>> _backwardWeightsRunShort;
    private readonly Lazy<Action<Index1D, int, ArrayView<float>, ArrayView<float>, ArrayView<long>, int>> _transposeWeights;
    private readonly SliceSumBuffers _sums;
    private readonly Lazy<SimdConv> _simd;

    private Conv2dKernels(ComputeDevice device)
    {
        _device = device;
        var acc = device.Accelerator;
        _forwardSimple = new(() => LoadSimple<ConvForwardBuffers>(device, ForwardSimpleKernel));
        _backwardDataSimple = new(() => LoadSimple<ConvBackwardDataBuffers>(device, BackwardDataSimpleKernel));
        _backwardWeightsSimple = new(() => LoadSimple<ConvBackwardWeightsBuffers>(device, BackwardWeightsSimpleKernel));
        _biasGrad = new(() => acc.LoadStreamKernel<int, int, int, ArrayView<float>, ArrayView<float>>(BiasGradKernel));
        _forwardCursor = new(() => acc.LoadStreamKernel<ConvGeometry, ConvForwardBuffers>(ForwardCursorKernel));
        _forwardDirect = new(() => acc.LoadStreamKernel<ConvGeometry, ConvForwardBuffers>(ForwardDirectKernel));
        _backwardDataCursor = new(() => acc.LoadStreamKernel<ConvGeometry, int, GemmStoreMode, ConvBackwardDataBuffers>(BackwardDataCursorKernel));
        _backwardWeightsCursor = new(() => acc.LoadStreamKernel<ConvGeometry, int, GemmStoreMode, ConvBackwardWeightsBuffers, ArrayView<float>>(BackwardWeightsCursorKernel));
        _forwardRun64 = new(() => acc.LoadStreamKernel<ConvGeometry, int, SliceSum, ConvForwardBuffers>(ForwardRun64Kernel));
        _backwardDataRun64 = new(() => acc.LoadStreamKernel<ConvGeometry, int, GemmStoreMode, SliceSum, ConvBackwardDataBuffers>(BackwardDataRun64Kernel));
        _backwardWeightsRun64 = new(() => acc.LoadStreamKernel<ConvGeometry, int, GemmStoreMode, ConvBackwardWeightsBuffers, ArrayView<float>>(BackwardWeightsRun64Kernel));
        _forwardRun32 = new(() => acc.LoadStreamKernel<ConvGeometry, int, SliceSum, ConvForwardBuffers>(ForwardRun32Kernel, KernelAttribute.SpecializationOf(ForwardRun32Kernel)));
        _backwardDataRun32 = new(() => acc.LoadStreamKernel<ConvGeometry, int, GemmStoreMode, SliceSum, ConvBackwardDataBuffers>(BackwardDataRun32Kernel));
        _backwardWeightsRunShort = new(() => acc.LoadStreamKernel<ConvGeometry, int, GemmStoreMode, ConvBackwardWeightsBuffers, ArrayView<float>>(BackwardWeightsRunShortKernel));
        _transposeWeights = new(() => acc.LoadAutoGroupedStreamKernel<Index1D, int, ArrayView<float>, ArrayView<float>, ArrayView<long>, int>(TransposeWeightsKernel));
        _sums = new SliceSumBuffers(device);
        _simd = new(() => new SimdConv(device));

        CompilePlanned(device.Figures);
    }

    /// <summary>Compiles the bodies the device's own plans pick now (so no training step compiles anything); the others (tests, benchmarks, strided backward-data) compile on first use.</summary>
    private void CompilePlanned(DeviceFigures figures)
    {
        if (figures.IsGpu)
        {
            _ = (_forwardRun64.Value, _backwardDataRun64.Value, _backwardWeightsRun64.Value, _forwardRun32.Value, _backwardDataRun32.Value);
            _ = (_forwardCursor.Value, _backwardDataCursor.Value, _backwardWeightsCursor.Value, _transposeWeights.Value);
            if (!figures.CpuCores)
            {
                _ = (_backwardWeightsRunShort.Value, _forwardDirect.Value); // never planned on CPU cores
            }
        }
        else
        {
            _ = (_forwardSimple.Value, _backwardDataSimple.Value, _backwardWeightsSimple.Value, _biasGrad.Value);
        }

        if (figures.CpuCores)
        {
            _ = (_simd.Value, _forwardSimple.Value, _backwardDataSimple.Value, _backwardWeightsSimple.Value, _biasGrad.Value);
        }
    }

    /// <summary>
    /// Work-items per group of a Simple launch on an OpenCL device made of CPU cores (PoCL). ILGPU's
    /// automatic group there is the device's largest (4,096 on PoCL), so a Simple launch of a few
    /// hundred threads would be one group, run by one core; small groups spread it over every core.
    /// </summary>
    public const int SimpleGroupOnCpuCores = 4;

    public static Conv2dKernels For(ComputeDevice device) => device.Kernels(d => new Conv2dKernels(d));

    /// <summary>
    /// y = conv(x, w) + b (y is overwritten; b may be empty), by the plan for <paramref name="planFor"/>
    /// (default: this device's figures). A GEMM or Direct body (<see cref="KernelPlan.ReadsWeightsCopy"/>) reads
    /// <paramref name="wT"/>, w's transposed copy (<see cref="ConvWeightCopies"/>, refreshed since w
    /// last changed), instead of w; the Simple and Simd bodies read w and take an empty wT.
    /// </summary>
    public KernelPlan Forward(ConvGeometry g, ArrayView<float> x, ArrayView<float> w, ArrayView<float> wT, ArrayView<float> b, ArrayView<float> y, DeviceFigures? planFor = null)
    {
        var plan = ForwardPlan(g, planFor);
        if (plan.ReadsWeightsCopy && wT.Length != w.Length)
        {
            throw new ArgumentException($"the conv forward plan {plan.Kernel} reads the weights' transposed copy (ConvWeightCopies), but the copy given holds {wT.Length} of the {w.Length} weights", nameof(wT));
        }

        var buffers = new ConvForwardBuffers(x, plan.ReadsWeightsCopy ? wT : w, b, y);
        _device.NoteLaunch(plan.Kernel);
        switch (plan.Body)
        {
            case KernelBody.Simple: _forwardSimple.Value((int)plan.Threads, g, buffers); break;
            case KernelBody.Cursor: _forwardCursor.Value(plan.Config, g, buffers); break;
            case KernelBody.Direct: _forwardDirect.Value(plan.Config, g, buffers); break;
            case KernelBody.Run64: _forwardRun64.Value(plan.Config, g, plan.Slice, _sums.For(plan), buffers); break;
            case KernelBody.Simd: _simd.Value.Forward(g, x, w, b, y); break;
            default: _forwardRun32.Value(plan.Config, g, plan.Slice, _sums.For(plan), buffers); break;
        }

        return plan;
    }

    /// <summary>The plan of a forward of <paramref name="g"/> (what <see cref="Forward"/> launches).</summary>
    public KernelPlan ForwardPlan(ConvGeometry g, DeviceFigures? planFor = null) => KernelPlanner.Conv(KernelPass.Forward, g, planFor ?? _device.Figures);

    /// <summary>Writes the transposed copies of a <see cref="ConvWeightCopies"/>: one grid-stride launch over all of <paramref name="copy"/>, its <paramref name="slots"/> table rows in order.</summary>
    internal void TransposeWeights(ArrayView<float> source, ArrayView<float> copy, ArrayView<long> table, int slots)
    {
        int threads = Launch.Threads(_device, copy.Length);
        _device.NoteLaunch($"{nameof(Conv2dKernels)}.{nameof(TransposeWeightsKernel)}");
        _transposeWeights.Value(threads, threads, source, copy, table, slots);
    }

    /// <summary>dx = conv_transpose(dy, w) (overwritten: an activation gradient has one writer; a split-K plan zeroes it first).</summary>
    public KernelPlan BackwardData(ConvGeometry g, ArrayView<float> dy, ArrayView<float> w, ArrayView<float> dx, DeviceFigures? planFor = null)
    {
        var plan = KernelPlanner.Conv(KernelPass.BackwardData, g, planFor ?? _device.Figures);
        var buffers = new ConvBackwardDataBuffers(dy, w, dx);
        if (plan.ZeroesOutput)
        {
            _device.Zero(dx);
        }

        _device.NoteLaunch(plan.Kernel);
        switch (plan.Body)
        {
            case KernelBody.Simple: _backwardDataSimple.Value((int)plan.Threads, g, buffers); break;
            case KernelBody.Cursor: _backwardDataCursor.Value(plan.Config, g, plan.Slice, plan.Store, buffers); break;
            case KernelBody.Run64: _backwardDataRun64.Value(plan.Config, g, plan.Slice, plan.Store, _sums.For(plan), buffers); break;
            case KernelBody.Simd: _simd.Value.BackwardData(g, dy, w, dx); break;
            default: _backwardDataRun32.Value(plan.Config, g, plan.Slice, plan.Store, _sums.For(plan), buffers); break;
        }

        return plan;
    }

    /// <summary>dw += Σ dy ⊗ patches(x); db += Σ dy (db may be empty; the GEMM bodies sum it as one extra column of ones).</summary>
    public KernelPlan BackwardWeights(ConvGeometry g, ArrayView<float> x, ArrayView<float> dy, ArrayView<float> dw, ArrayView<float> db, DeviceFigures? planFor = null)
    {
        var plan = KernelPlanner.Conv(KernelPass.BackwardWeights, g, planFor ?? _device.Figures, db.Length > 0);
        var buffers = new ConvBackwardWeightsBuffers(x, dy, dw, GradAddresses.Of(dw, db));
        _device.NoteLaunch(plan.Kernel);
        if (!plan.Untiled)
        {
            var tiled = plan.Body switch { KernelBody.Run64 => _backwardWeightsRun64, KernelBody.RunShort => _backwardWeightsRunShort, _ => _backwardWeightsCursor };
            tiled.Value(plan.Config, g, plan.Slice, plan.Store, buffers, db);
            return plan;
        }

        if (plan.Body == KernelBody.Simd)
        {
            _simd.Value.BackwardWeights(g, x, dy, dw);
        }
        else
        {
            _backwardWeightsSimple.Value((int)plan.Threads, g, buffers);
        }

        if (db.Length > 0)
        {
            _device.NoteLaunch($"{nameof(Conv2dKernels)}.{nameof(BiasGradKernel)}");
            _biasGrad.Value(ChannelReduce.Config(_device, g.Co), g.N, g.Co, g.OH * g.OW, dy, db);
        }

        return plan;
    }

    /// <summary>A Simple body's kernel: automatically grouped, except in groups of <see cref="SimpleGroupOnCpuCores"/> on an OpenCL CPU device.</summary>
    private static Action<Index1D, ConvGeometry, T> LoadSimple<T>(ComputeDevice device, Action<Index1D, ConvGeometry, T> kernel)
        where T : struct =>
        device.Figures.CpuCores
            ? device.Accelerator.LoadImplicitlyGroupedStreamKernel(kernel, SimpleGroupOnCpuCores)
            : device.Accelerator.LoadAutoGroupedStreamKernel(kernel);

    /// <summary>Blocks of <see cref="ChannelBlock"/> channels a simple kernel's threads own.</summary>
    internal static int Blocks(int channels) => (channels + ChannelBlock - 1) / ChannelBlock;

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

    /// <summary>Forward as a blocked GEMM: C[(n,oh,ow), co] = Σ_k patches · w, k = (ci, kh, kw), written with the bias; p.W is the transposed copy.</summary>
    [Kernel(Grouped = true, GroupSize = BlockedGemm.GroupSize)]
    internal static void ForwardCursorKernel(ConvGeometry g, ConvForwardBuffers p)
    {
        var sa = SharedMemory.Allocate<Float4>(BlockedGemm.TileFloat4s);
        var sb = SharedMemory.Allocate<Float4>(BlockedGemm.TileFloat4s);
        int k = g.Ci * g.KH * g.KW;
        BlockedGemm.Run(
            ConvTapCursor.Forward(p.X, g),
            new ForwardWeightsCursor(p.W, g),
            new NchwOut(p.Y, p.B, g.Co, g.OutPlane, GemmStoreMode.Write),
            g.N * g.OH * g.OW,
            g.Co,
            k,
            k,
            sa,
            sb);
    }

    /// <summary>Forward straight from a shared tile of x (<see cref="DirectConv"/>: K ≤ 64), written with the bias; p.W is the transposed copy.</summary>
    [Kernel(Grouped = true, GroupSize = DirectConv.GroupSize)]
    internal static void ForwardDirectKernel(ConvGeometry g, ConvForwardBuffers p) =>
        DirectConv.Run(g, p, SharedMemory.Allocate<float>(DirectConv.WindowFloats), SharedMemory.Allocate<Float4>(DirectConv.WeightFloat4s), SharedMemory.Allocate<int>(DirectConv.MaxK));

    /// <summary>Backward-data at stride 1 as a blocked GEMM: C[(n,ih,iw), ci] = Σ_{co,kh,kw} dy · w.</summary>
    [Kernel(Grouped = true, GroupSize = BlockedGemm.GroupSize)]
    internal static void BackwardDataCursorKernel(ConvGeometry g, int slice, GemmStoreMode mode, ConvBackwardDataBuffers p)
    {
        var sa = SharedMemory.Allocate<Float4>(BlockedGemm.TileFloat4s);
        var sb = SharedMemory.Allocate<Float4>(BlockedGemm.TileFloat4s);
        BlockedGemm.Run(
            ConvTapCursor.BackwardData(p.Dy, g),
            new ChannelPlanesCursor(p.W, g.Ci, g.KH, g.KW),
            new NchwOut(p.Dx, default, g.Ci, g.InPlane, mode),
            g.N * g.H * g.W,
            g.Ci,
            g.Co * g.KH * g.KW,
            slice,
            sa,
            sb);
    }

    /// <summary>Backward-weights (and bias, as the extra column when db is not empty) as a blocked GEMM: C[co, (ci,kh,kw)] = Σ_{n,oh,ow} dy · patches.</summary>
    [Kernel(Grouped = true, GroupSize = BlockedGemm.GroupSize)]
    internal static void BackwardWeightsCursorKernel(ConvGeometry g, int slice, GemmStoreMode mode, ConvBackwardWeightsBuffers p, ArrayView<float> db)
    {
        var sa = SharedMemory.Allocate<Float4>(BlockedGemm.TileFloat4s);
        var sb = SharedMemory.Allocate<Float4>(BlockedGemm.TileFloat4s);
        int cols = g.Ci * g.KH * g.KW;
        BlockedGemm.Run(
            new ChannelPlanesCursor(p.Dy, g.Co, g.OH, g.OW),
            new ConvPatchColumnCursor(p.X, g),
            new GradWithBiasOut(p.Dw, db, g.Co, cols, mode, p.Addresses),
            g.Co,
            cols + (db.Length > 0 ? 1 : 0),
            g.N * g.OH * g.OW,
            slice,
            sa,
            sb);
    }

    /// <summary>Forward with balanced staging (Ci a multiple of 8): C[(n,oh,ow), co] = Σ_{(kh,kw,ci)} patches · w, written with the bias.</summary>
    [Kernel(Grouped = true, GroupSize = BlockedGemm.GroupSize)]
    internal static void ForwardRun64Kernel(ConvGeometry g, int slice, SliceSum sum, ConvForwardBuffers p) =>
        RunGemm.Run(ForwardGemm(g, p), slice, sum, SharedMemory.Allocate<Float4>(BlockedGemm.TileFloat4s), SharedMemory.Allocate<Float4>(BlockedGemm.TileFloat4s), false);

    /// <summary>Backward-data at stride 1 with balanced staging (Co a multiple of 8): C[(n,ih,iw), ci] = Σ_{(kh,kw,co)} dy · w.</summary>
    [Kernel(Grouped = true, GroupSize = BlockedGemm.GroupSize)]
    internal static void BackwardDataRun64Kernel(ConvGeometry g, int slice, GemmStoreMode mode, SliceSum sum, ConvBackwardDataBuffers p) =>
        RunGemm.Run(BackwardDataGemm(g, mode, p), slice, sum, SharedMemory.Allocate<Float4>(BlockedGemm.TileFloat4s), SharedMemory.Allocate<Float4>(BlockedGemm.TileFloat4s), false);

    /// <summary>Forward on the 64×32 tile (Ci a multiple of 8, Co ≤ 32); at most 128 registers, so 8 groups fit a multiprocessor (the recipe's 1,024 groups: one wave on 132).</summary>
    [Kernel(Grouped = true, GroupSize = RunGemm.NarrowGroupSize, MinGroupsPerMultiprocessor = RunGemm.NarrowGroupsPerMultiprocessor)]
    internal static void ForwardRun32Kernel(ConvGeometry g, int slice, SliceSum sum, ConvForwardBuffers p) =>
        RunGemm.RunNarrow(ForwardGemm(g, p), slice, sum, SharedMemory.Allocate<Float4>(BlockedGemm.TileFloat4s), SharedMemory.Allocate<Float4>(RunGemm.NarrowFloat4s));

    /// <summary>Backward-data at stride 1 on the 64×32 tile (Co a multiple of 8, Ci ≤ 32).</summary>
    [Kernel(Grouped = true, GroupSize = RunGemm.NarrowGroupSize)]
    internal static void BackwardDataRun32Kernel(ConvGeometry g, int slice, GemmStoreMode mode, SliceSum sum, ConvBackwardDataBuffers p) =>
        RunGemm.RunNarrow(BackwardDataGemm(g, mode, p), slice, sum, SharedMemory.Allocate<Float4>(BlockedGemm.TileFloat4s), SharedMemory.Allocate<Float4>(RunGemm.NarrowFloat4s));

    /// <summary>The forward GEMM in tap-major K: rows (n, oh, ow), columns co, k = (kh, kw, ci); p.W is the transposed copy, B row-major.</summary>
    private static RunGemmProblem<ConvTapRun, ForwardWeightsRun, NchwOut> ForwardGemm(ConvGeometry g, ConvForwardBuffers p) => new()
    {
        A = ConvTapRun.Forward(p.X, g),
        B = new ForwardWeightsRun(p.W, g),
        C = new NchwOut(p.Y, p.B, g.Co, g.OutPlane, GemmStoreMode.Write),
        M = g.N * g.OH * g.OW,
        N = g.Co,
        K = g.Ci * g.KH * g.KW,
    };

    /// <summary>The backward-data GEMM in tap-major K: rows (n, ih, iw), columns ci, k = (kh, kw, co).</summary>
    private static RunGemmProblem<ConvTapRun, ConvTapWeightsRun, NchwOut> BackwardDataGemm(ConvGeometry g, GemmStoreMode mode, ConvBackwardDataBuffers p) => new()
    {
        A = ConvTapRun.BackwardData(p.Dy, g),
        B = ConvTapWeightsRun.BackwardData(p.W, g),
        C = new NchwOut(p.Dx, default, g.Ci, g.InPlane, mode),
        M = g.N * g.H * g.W,
        N = g.Ci,
        K = g.Co * g.KH * g.KW,
    };

    /// <summary>Backward-weights (and bias, as the extra column when db is not empty) with balanced staging (where <see cref="PatchRowRun.Fits"/>).</summary>
    [Kernel(Grouped = true, GroupSize = BlockedGemm.GroupSize)]
    internal static void BackwardWeightsRun64Kernel(ConvGeometry g, int slice, GemmStoreMode mode, ConvBackwardWeightsBuffers p, ArrayView<float> db) =>
        RunGemm.Run(BackwardWeightsGemm(g, mode, p, db), slice, default, SharedMemory.Allocate<Float4>(RunGemm.PaddedFloat4s), SharedMemory.Allocate<Float4>(BlockedGemm.TileFloat4s), true);

    /// <summary>Backward-weights (and bias) on the 32×64 tile (where <see cref="PatchRowRun.Fits"/>, Co ≤ 32): the output gradient staged along k, as on the 64×64 tile.</summary>
    [Kernel(Grouped = true, GroupSize = RunGemm.ShortGroupSize)]
    internal static void BackwardWeightsRunShortKernel(ConvGeometry g, int slice, GemmStoreMode mode, ConvBackwardWeightsBuffers p, ArrayView<float> db) =>
        RunGemm.RunShort(BackwardWeightsGemm(g, mode, p, db), slice, default, SharedMemory.Allocate<Float4>(RunGemm.ShortPaddedFloat4s), SharedMemory.Allocate<Float4>(BlockedGemm.TileFloat4s));

    /// <summary>The backward-weights GEMM: rows co, columns (ci, kh, kw) (+ the bias column of ones when db is not empty), k = (n, oh, ow); B reads x (<see cref="PatchRowRun"/>: the plan runs these kernels only where it fits).</summary>
    private static RunGemmProblem<ChannelPlanesRun, PatchRowRun, GradWithBiasOut> BackwardWeightsGemm(ConvGeometry g, GemmStoreMode mode, ConvBackwardWeightsBuffers p, ArrayView<float> db) => new()
    {
        A = new ChannelPlanesRun(p.Dy, g.Co, g.OH * g.OW),
        B = new PatchRowRun(p.X, g),
        C = new GradWithBiasOut(p.Dw, db, g.Co, g.Ci * g.KH * g.KW, mode, p.Addresses),
        M = g.Co,
        N = (g.Ci * g.KH * g.KW) + (db.Length > 0 ? 1 : 0),
        K = g.N * g.OH * g.OW,
    };

    /// <summary>
    /// copy[at + (tap·Ci + ci)·Co + co] = source[from + (co·Ci + ci)·taps + tap] for every slot of <paramref name="table"/>
    /// (<paramref name="slots"/> rows of <see cref="ConvWeightCopies.TableRow"/> longs: from, at, Co, Ci, taps; the copies
    /// back to back, in slot order): grid-stride over the copy's elements in order, so the stores are coalesced (the loads,
    /// Ci·taps apart, hit lines that neighbouring warps read too). Each element finds its slot by a scan of the table
    /// (a few rows, the same for a whole warp but at a slot's edge).
    /// </summary>
    [Kernel]
    internal static void TransposeWeightsKernel(Index1D index, int threads, ArrayView<float> source, ArrayView<float> copy, ArrayView<long> table, int slots)
    {
        const int Row = ConvWeightCopies.TableRow;
        for (long i = index.X; i < copy.Length; i += threads)
        {
            int s = 0;
            while (s + 1 < slots && i >= table[((s + 1) * Row) + 1])
            {
                s++;
            }

            int co = (int)table[(s * Row) + 2];
            int ci = (int)table[(s * Row) + 3];
            int taps = (int)table[(s * Row) + 4];
            int tap = ConvIndex.TapMajor(ConvIndex.Split((int)(i - table[(s * Row) + 1]), co, out int c), ci, out int channel);
            copy[i] = source[table[s * Row] + (((c * ci) + channel) * taps) + tap];
        }
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
