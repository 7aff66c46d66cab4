using ILGPU;
using ILGPU.Runtime;
using IlgpuCnn.Device;

namespace IlgpuCnn.Kernels;

/// <summary>
/// The <see cref="KernelBody.Simd"/> conv body: 3×3 "same" convolutions (stride 1, padding 1) shaped
/// for a CPU's vector unit, the body an OpenCL device made of CPU cores (PoCL) runs where the
/// channels come in sixteens. No barriers, no shared memory: each work-item owns a register block
/// — 8 (or 4) pixels of one row × 16 channels, or 9 taps × 16 output channels of the weight
/// gradient — and walks the whole reduction with it, which LLVM turns into 16-wide vector code
/// (one vector load of 16 weights or output gradients, and each input value broadcast from memory
/// straight into the multiply). So every vector operand is 16 consecutive floats, the inputs are
/// first copied with their zero border (<see cref="PadKernel"/>: no bounds check in the loop), the
/// weights transposed to [tap][channel] (<see cref="WeightsKernel"/>; flipped for backward-data,
/// which is then the same kernel as forward), and the output gradient transposed to channels-last
/// for the weight gradient (<see cref="ChannelsLastKernel"/>). The copies live in
/// <see cref="SimdScratch"/>, shared by every layer (the stream runs one launch at a time).
/// </summary>
public sealed class SimdConv
{
    /// <summary>Work-items per group (no barriers: the group size only sets how work is dealt to the cores).</summary>
    public const int GroupSize = 4;

    private readonly ComputeDevice _device;
    private readonly SimdScratch _scratch;
    private readonly Action<Index1D, int, int, int, ArrayView<float>, ArrayView<float>> _pad;
    private readonly Action<Index1D, int, int, int, ArrayView<float>, ArrayView<float>> _weights;
    private readonly Action<Index1D, int, int, ArrayView<float>, ArrayView<float>> _channelsLast;
    private readonly Action<Index1D, SimdConvDims, SimdConvBuffers> _forward8;
    private readonly Action<Index1D, SimdConvDims, SimdConvBuffers> _forward4;
    private readonly Action<Index1D, SimdConvDims, SimdConvBuffers> _weightGrad;

    public SimdConv(ComputeDevice device)
    {
        _device = device;
        _scratch = new SimdScratch(device);
        var acc = device.Accelerator;
        _pad = acc.LoadImplicitlyGroupedStreamKernel<Index1D, int, int, int, ArrayView<float>, ArrayView<float>>(PadKernel, GroupSize);
        _weights = acc.LoadImplicitlyGroupedStreamKernel<Index1D, int, int, int, ArrayView<float>, ArrayView<float>>(WeightsKernel, GroupSize);
        _channelsLast = acc.LoadImplicitlyGroupedStreamKernel<Index1D, int, int, ArrayView<float>, ArrayView<float>>(ChannelsLastKernel, GroupSize);
        _forward8 = acc.LoadImplicitlyGroupedStreamKernel<Index1D, SimdConvDims, SimdConvBuffers>(Forward8Kernel, GroupSize);
        _forward4 = acc.LoadImplicitlyGroupedStreamKernel<Index1D, SimdConvDims, SimdConvBuffers>(Forward4Kernel, GroupSize);
        _weightGrad = acc.LoadImplicitlyGroupedStreamKernel<Index1D, SimdConvDims, SimdConvBuffers>(WeightGradKernel, GroupSize);
    }

    /// <summary>Whether the body computes <paramref name="pass"/> of <paramref name="g"/>: 3×3, stride 1, padding 1, rows a multiple of 4 wide, the pass's vector channels (forward and backward-weights: Co; backward-data: Ci) a multiple of 16, every copy under 2³¹ floats.</summary>
    public static bool Fits(KernelPass pass, ConvGeometry g)
    {
        int lanes = pass == KernelPass.BackwardData ? g.Ci : g.Co;
        long padded = (long)g.N * Math.Max(g.Ci, g.Co) * (g.H + 2) * (g.W + 2);
        return g.KH == 3 && g.KW == 3 && g.Stride == 1 && g.Pad == 1 && g.W % SimdPixels4.Count == 0 && lanes % 16 == 0 && padded < int.MaxValue;
    }

    /// <summary>The kernel a pass launches ("SimdConv.Forward8Kernel", ...) and its work-items.</summary>
    public static (string Kernel, long Items) Launch(KernelPass pass, ConvGeometry g)
    {
        if (pass == KernelPass.BackwardWeights)
        {
            return ($"{nameof(SimdConv)}.{nameof(WeightGradKernel)}", (long)g.Ci * 3 * (g.Co / 16));
        }

        int pixels = g.W % SimdPixels8.Count == 0 ? SimdPixels8.Count : SimdPixels4.Count;
        int lanes = pass == KernelPass.Forward ? g.Co : g.Ci;
        return ($"{nameof(SimdConv)}.Forward{pixels}Kernel", (long)g.N * g.H * g.W / pixels * (lanes / 16));
    }

    /// <summary>y = conv(x, w) + b (overwritten; b may be empty).</summary>
    public void Forward(ConvGeometry g, ArrayView<float> x, ArrayView<float> w, ArrayView<float> b, ArrayView<float> y)
    {
        var (padded, weights, _) = _scratch.For(g);
        Pad(x, g.N * g.Ci, g, padded);
        _weights((int)w.Length, g.Co, g.Ci, 0, w, weights);
        Run(KernelPass.Forward, g, new SimdConvDims(g.Ci, g.Co, g.H, g.W), new SimdConvBuffers(padded, weights, b, y));
    }

    /// <summary>dx = conv_transpose(dy, w) (overwritten): the forward kernel on dy with the weights flipped and transposed.</summary>
    public void BackwardData(ConvGeometry g, ArrayView<float> dy, ArrayView<float> w, ArrayView<float> dx)
    {
        var (padded, weights, _) = _scratch.For(g);
        Pad(dy, g.N * g.Co, g, padded);
        _weights((int)w.Length, g.Ci, g.Co, 1, w, weights);
        Run(KernelPass.BackwardData, g, new SimdConvDims(g.Co, g.Ci, g.H, g.W), new SimdConvBuffers(padded, weights, default, dx));
    }

    /// <summary>dw += Σ dy ⊗ patches(x) (the bias gradient is the caller's).</summary>
    public void BackwardWeights(ConvGeometry g, ArrayView<float> x, ArrayView<float> dy, ArrayView<float> dw)
    {
        var (padded, _, channelsLast) = _scratch.For(g);
        Pad(x, g.N * g.Ci, g, padded);
        _channelsLast(g.N * g.H * g.W, g.Co, g.H * g.W, dy, channelsLast);
        var dims = new SimdConvDims(g.Ci, g.Co, g.H, g.W) { N = g.N };
        _weightGrad((int)Launch(KernelPass.BackwardWeights, g).Items, dims, new SimdConvBuffers(padded, channelsLast, default, dw));
    }

    private void Pad(ArrayView<float> src, int planes, ConvGeometry g, ArrayView<float> dst) => _pad(planes * (g.H + 2), planes, g.H, g.W, src, dst);

    private void Run(KernelPass pass, ConvGeometry g, SimdConvDims dims, SimdConvBuffers buffers) =>
        (g.W % SimdPixels8.Count == 0 ? _forward8 : _forward4)((int)Launch(pass, g).Items, dims, buffers);

    /// <summary>One work-item per row of the padded copy: dst (planes, h + 2, w + 2) = src (planes, h, w) inside a border of zeros.</summary>
    [Kernel]
    internal static void PadKernel(Index1D row, int planes, int h, int w, ArrayView<float> src, ArrayView<float> dst)
    {
        int plane = row / (h + 2);
        int y = row - (plane * (h + 2)) - 1;
        long at = (long)(int)row * (w + 2);
        bool inside = y >= 0 && y < h;
        long from = ((long)plane * h + (inside ? y : 0)) * w;
        dst[at] = 0f;
        dst[at + w + 1] = 0f;
        for (int x = 0; x < w; x++)
        {
            dst[at + 1 + x] = inside ? src[from + x] : 0f;
        }
    }

    /// <summary>
    /// One work-item per weight: w (rows, cols, 3, 3) to dst[(col·9 + tap)·rows + row] — the
    /// forward's [ci, tap][co] (<paramref name="flip"/> 0, rows = Co) — or, flipped, the
    /// backward-data's [co, tap][ci] = w[co, ci, 8 − tap] (<paramref name="flip"/> 1, rows = Ci, cols = Co).
    /// </summary>
    [Kernel]
    internal static void WeightsKernel(Index1D i, int rows, int cols, int flip, ArrayView<float> w, ArrayView<float> dst)
    {
        int row = i % rows;
        int rest = i / rows;
        int tap = rest % 9;
        int col = rest / 9;
        long from = flip == 0 ? (((long)row * cols) + col) * 9 + tap : (((long)col * rows) + row) * 9 + (8 - tap);
        dst[i] = w[from];
    }

    /// <summary>One work-item per pixel q = n·hw + p: src (n, c, hw) to dst (n, hw, c) — c consecutive stores, one division per work-item.</summary>
    [Kernel]
    internal static void ChannelsLastKernel(Index1D q, int c, int hw, ArrayView<float> src, ArrayView<float> dst)
    {
        int n = q / hw;
        long from = ((long)n * c * hw) + (q - (n * hw));
        long to = (long)(int)q * c;
        for (int ch = 0; ch < c; ch++)
        {
            dst[to + ch] = src[from + ((long)ch * hw)];
        }
    }

    /// <summary>Forward (and flipped backward-data) on rows a multiple of 8 wide: 8 pixels × 16 channels per work-item.</summary>
    [Kernel]
    internal static void Forward8Kernel(Index1D i, SimdConvDims d, SimdConvBuffers p) => Forward<SimdPixels8>(i, SimdPixels8.Count, d, p);

    /// <summary>Forward (and flipped backward-data) on rows a multiple of 4 wide: 4 pixels × 16 channels per work-item.</summary>
    [Kernel]
    internal static void Forward4Kernel(Index1D i, SimdConvDims d, SimdConvBuffers p) => Forward<SimdPixels4>(i, SimdPixels4.Count, d, p);

    /// <summary>
    /// out[n, c, pixels] = bias[c] + Σ_{cin, kh, kw} in[n, cin, y + kh, x + kw] · wT[(cin·9 + kh·3 + kw)·Cout + c]
    /// for one block of <paramref name="count"/> pixels of a row and 16 output channels (in: padded).
    /// </summary>
    private static void Forward<TPixels>(int i, int count, SimdConvDims d, SimdConvBuffers p)
        where TPixels : struct, ISimdPixels
    {
        int blocks = d.Cout / 16;
        int c0 = (i % blocks) * 16;
        int pixel = (i / blocks) * count;
        int hw = d.H * d.W;
        int n = pixel / hw;
        int r = pixel - (n * hw);
        int y = r / d.W;
        int wp = d.W + 2;
        long plane = (long)(d.H + 2) * wp;
        long at = (n * d.Cin * plane) + ((long)y * wp) + (r - (y * d.W));
        var acc = default(TPixels);
        acc.Init(p.Bias.Length > 0 ? Lanes16.Load(p.Bias, c0) : default);
        long wk = c0;
        for (int cin = 0; cin < d.Cin; cin++)
        {
            for (int kh = 0; kh < 3; kh++)
            {
                for (int kw = 0; kw < 3; kw++)
                {
                    acc.Fma(p.In, at + (kh * wp) + kw, Lanes16.Load(p.Weights, wk));
                    wk += d.Cout;
                }
            }

            at += plane;
        }

        acc.Store(p.Out, (((long)n * d.Cout) + c0) * hw + r, hw);
    }

    /// <summary>
    /// dw[c, cin, kh, kw] += Σ_{n, y, x} dyT[n, y, x, c] · xpad[n, cin, y + kh, x + kw] for one input
    /// channel, one kernel column kw and 16 output channels (d.Cin input channels, d.Cout output
    /// channels; p.Weights holds dyT). One column per work-item keeps its three inputs a row apart:
    /// with all nine taps LLVM gathered the inputs into one vector and shuffled them back out, and
    /// with one row's three consecutive taps it loaded two of them as a pair; inputs that are not
    /// neighbours stay broadcast loads.
    /// </summary>
    [Kernel]
    internal static void WeightGradKernel(Index1D i, SimdConvDims d, SimdConvBuffers p)
    {
        int blocks = d.Cout / 16;
        int c0 = (i % blocks) * 16;
        int rest = i / blocks;
        int cin = rest / 3;
        int kw = rest - (cin * 3);
        int wp = d.W + 2;
        long plane = (long)(d.H + 2) * wp;
        var taps = default(SimdTaps3);
        long q = c0;
        for (int n = 0; n < d.N; n++)
        {
            long row = (((long)n * d.Cin) + cin) * plane + kw;
            for (int y = 0; y < d.H; y++)
            {
                for (int x = 0; x < d.W; x++)
                {
                    taps.Fma(p.In, row + x, wp, Lanes16.Load(p.Weights, q));
                    q += d.Cout;
                }

                row += wp;
            }
        }

        taps.AddTo(p.Out, ((((long)c0 * d.Cin) + cin) * 9) + kw, (long)d.Cin * 9);
    }
}

/// <summary>What a <see cref="SimdConv"/> compute kernel reads: channels in and out, the map (3×3, stride 1, padding 1), and the batch (weight gradient only).</summary>
public readonly record struct SimdConvDims(int Cin, int Cout, int H, int W)
{
    public int N { get; init; }
}

/// <summary>The views of a <see cref="SimdConv"/> compute kernel: the padded input, the transposed weights (or, for the weight gradient, the channels-last output gradient), the bias (may be empty) and the output.</summary>
public readonly record struct SimdConvBuffers(ArrayView<float> In, ArrayView<float> Weights, ArrayView<float> Bias, ArrayView<float> Out);
