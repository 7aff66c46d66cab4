using ILGPU;
using ILGPU.Runtime;

namespace IlgpuCnn.Kernels;

/// <summary>
/// The <see cref="KernelBody.Direct"/> conv forward: a convolution with a short reduction (K =
/// Ci·KH·KW ≤ <see cref="MaxK"/>, the recipe's first layer: 3 channels, K = 27) computed straight
/// from a tile of x in shared memory, not as a GEMM. A group of <see cref="GroupSize"/> threads
/// owns a tile of <see cref="TileRows"/>×<see cref="TileCols"/> output pixels of one image and
/// <see cref="ChannelBlock"/> output channels:
/// <list type="number">
/// <item>it stages the tile's input window (Ci × WindowHeight × WindowWidth floats, zeros where the
/// window leaves the image) with coalesced loads, <see cref="StageUnroll"/> per thread in flight;
/// its k's shared-memory offsets into that window, the weights of its channels from the transposed
/// copy wT[(kh,kw,ci), co] (<see cref="ConvWeightCopies"/>) and their biases; one barrier;</item>
/// <item>each thread (lane = output column, warp = 4 output rows) runs the K loop from shared
/// memory only: per k, 4 window values (one per pixel, lanes on consecutive words) and 8 weights
/// (two 16-byte loads, the same address for the whole warp) feed an 8 channel × 4 pixel register
/// block (<see cref="Block8x4"/>: 32 FFMA);</item>
/// <item>it adds the bias and stores each channel's 4 pixels, lanes along the output row (one line
/// per warp store), no division.</item>
/// </list>
/// At the recipe's shape (64 images × 2 tiles × 4 channel blocks = 512 groups) the busiest
/// multiprocessor holds 4 groups, 4 warps per scheduler, in one wave.
/// </summary>
public static class DirectConv
{
    /// <summary>Threads per group: 4 warps.</summary>
    public const int GroupSize = 128;

    /// <summary>Output rows each thread computes (its register block's pixels), the same column.</summary>
    public const int RowsPerThread = 4;

    /// <summary>Output rows of a tile: <see cref="RowsPerThread"/> per warp.</summary>
    public const int TileRows = GroupSize / 32 * RowsPerThread;

    /// <summary>Output columns of a tile: one per lane.</summary>
    public const int TileCols = 32;

    /// <summary>Output channels of a group (the register block's rows).</summary>
    public const int ChannelBlock = 8;

    /// <summary>The longest reduction the body takes: one k offset per thread, and the K × <see cref="ChannelBlock"/> weights in 4 loads per thread.</summary>
    public const int MaxK = GroupSize / 2;

    /// <summary>FFMA per thread per k of the K loop: the 4 pixel × 8 channel register block.</summary>
    public const int FfmaPerK = RowsPerThread * ChannelBlock;

    /// <summary>Floats of the shared input window (32 KB): Ci·WindowHeight·WindowWidth must fit.</summary>
    public const int WindowFloats = 8192;

    /// <summary>Window values each thread loads before storing them (loads in flight per trip of the staging loop).</summary>
    public const int StageUnroll = 16;

    /// <summary>Float4s of the shared weights: <see cref="ChannelBlock"/> / 4 per k.</summary>
    public const int WeightFloat4s = MaxK * ChannelBlock / 4;

    /// <summary>Input rows a tile reads: (TileRows − 1)·stride + KH.</summary>
    public static int WindowHeight(ConvGeometry g) => ((TileRows - 1) * g.Stride) + g.KH;

    /// <summary>Input columns a tile reads: (TileCols − 1)·stride + KW.</summary>
    public static int WindowWidth(ConvGeometry g) => ((TileCols - 1) * g.Stride) + g.KW;

    /// <summary>Whether a forward of <paramref name="g"/> fits the body: K ≤ <see cref="MaxK"/>, the window in <see cref="WindowFloats"/>, every tensor under 2³¹ elements, images and channel blocks within a grid's y and z (65,535).</summary>
    public static bool Fits(ConvGeometry g) =>
        g.Ci * g.KH * g.KW <= MaxK
        && g.N <= ushort.MaxValue
        && (g.Co + ChannelBlock - 1) / ChannelBlock <= ushort.MaxValue
        && (long)g.Ci * WindowHeight(g) * WindowWidth(g) <= WindowFloats
        && (long)g.N * g.Ci * g.H * g.W <= int.MaxValue
        && (long)g.N * g.Co * g.OH * g.OW <= int.MaxValue;

    /// <summary>Tiles of one output plane.</summary>
    public static int TilesPerImage(ConvGeometry g) => ((g.OH + TileRows - 1) / TileRows) * ((g.OW + TileCols - 1) / TileCols);

    /// <summary>The grid: x = the tile of the plane, y = the image, z = the block of output channels.</summary>
    public static KernelConfig Config(ConvGeometry g) =>
        new(new Index3D(TilesPerImage(g), g.N, (g.Co + ChannelBlock - 1) / ChannelBlock), new Index3D(GroupSize, 1, 1));

    /// <summary>
    /// Flat index into x of window element (ci, r, c) of image n's tile whose window starts at input
    /// row <paramref name="ih0"/> and column <paramref name="iw0"/>, or −1 where it lies outside the
    /// image (a padding zero). No <c>out</c> parameter: in a kernel it would live in local memory.
    /// </summary>
    public static int WindowSource(ConvGeometry g, int n, int ci, int ih0, int iw0, int r, int c)
    {
        int ih = ih0 + r;
        int iw = iw0 + c;
        return (uint)ih < (uint)g.H && (uint)iw < (uint)g.W ? ((((n * g.Ci) + ci) * g.H) + ih) * g.W + iw : -1;
    }

    /// <summary>
    /// Index into wT (KH·KW·Ci, Co) of element <paramref name="i"/> of the group's shared weights
    /// [k][<see cref="ChannelBlock"/>] (k tap-major: (kh·KW + kw)·Ci + ci; channels from
    /// <paramref name="co0"/>), or −1 past K or Co.
    /// </summary>
    public static int WeightSource(ConvGeometry g, int i, int k, int co0)
    {
        int kk = i / ChannelBlock;
        int co = co0 + (i - (kk * ChannelBlock));
        return kk < k && co < g.Co ? (kk * g.Co) + co : -1;
    }

    /// <summary>Stages shared weight <paramref name="i"/> (0 past Co; nothing past K): an unconditional load from a clamped address.</summary>
    private static void StageWeight(ConvGeometry g, ArrayView<float> wT, ArrayView<float> weights, int i, int k, int co0)
    {
        int src = WeightSource(g, i, k, co0);
        float v = wT[src < 0 ? 0 : src];
        if (i < k * ChannelBlock)
        {
            weights[i] = src < 0 ? 0f : v;
        }
    }

    /// <summary>The kernel's body (shared memory allocated by the caller: window, weights, k offsets).</summary>
    public static void Run(ConvGeometry g, ConvForwardBuffers p, ArrayView<float> window, ArrayView<Float4> weights, ArrayView<int> offsets)
    {
        int t = Group.IdxX;
        int tilesW = (g.OW + TileCols - 1) / TileCols;
        int th = Grid.IdxX / tilesW;
        int oh0 = th * TileRows;
        int ow0 = (Grid.IdxX - (th * tilesW)) * TileCols;
        int n = Grid.IdxY;
        int co0 = Grid.IdxZ * ChannelBlock;
        int height = WindowHeight(g);
        int width = WindowWidth(g);
        int k = g.Ci * g.KH * g.KW;
        StageTables(g, p.W, weights.Cast<float>(), offsets, t, k, co0, height, width);
        var bias0 = Bias(p.B, co0, g.Co); // loaded now, in flight with the staging
        var bias1 = Bias(p.B, co0 + 4, g.Co);
        Stage(g, p.X, window, n, (oh0 * g.Stride) - g.Pad, (ow0 * g.Stride) - g.Pad, height, width);
        Group.Barrier();

        int lane = t & 31;
        int row0 = (t >> 5) * RowsPerThread;
        int step = g.Stride * width; // one output row further down: stride input rows
        int origin = (row0 * step) + (lane * g.Stride);
        Block8x4 acc = default; // rows: the 8 channels; columns: the 4 pixels
        for (int kk = 0; kk < k; kk++)
        {
            int at = origin + offsets[kk];
            var x = new Float4 { X = window[at], Y = window[at + step], Z = window[at + (2 * step)], W = window[at + (3 * step)] };
            acc.Fma(weights[2 * kk], weights[(2 * kk) + 1], x);
        }

        int oh = oh0 + row0;
        int ow = ow0 + lane;
        int pixels = ow < g.OW ? Math.Min(RowsPerThread, g.OH - oh) : 0;
        int plane = g.OH * g.OW;
        acc.StoreChannels(p.Y, ((((n * g.Co) + co0) * g.OH) + oh) * g.OW + ow, plane, g.OW, g.Co - co0, pixels, bias0, bias1);
    }

    /// <summary>
    /// Writes each k's offset into the window (k tap-major, as in wT: k = (kh·KW + kw)·Ci + ci; one
    /// per thread) and the group's weights [k][<see cref="ChannelBlock"/>], lanes on consecutive (k,
    /// channel), so a warp's load is 4 rows of wT.
    /// </summary>
    private static void StageTables(ConvGeometry g, ArrayView<float> wT, ArrayView<float> weights, ArrayView<int> offsets, int t, int k, int co0, int height, int width)
    {
        if (t < k)
        {
            int tap = t / g.Ci;
            int kh = tap / g.KW;
            offsets[t] = (((t - (tap * g.Ci)) * height) + kh) * width + (tap - (kh * g.KW));
        }

        StageWeight(g, wT, weights, t, k, co0);
        StageWeight(g, wT, weights, t + GroupSize, k, co0);
        StageWeight(g, wT, weights, t + (2 * GroupSize), k, co0);
        StageWeight(g, wT, weights, t + (3 * GroupSize), k, co0);
    }

    /// <summary>b[co..co+3] (0 past Co or without a bias).</summary>
    private static Float4 Bias(ArrayView<float> b, int co, int channels)
    {
        bool has = b.Length > 0;
        return new Float4
        {
            X = has && co < channels ? b[co] : 0f,
            Y = has && co + 1 < channels ? b[co + 1] : 0f,
            Z = has && co + 2 < channels ? b[co + 2] : 0f,
            W = has && co + 3 < channels ? b[co + 3] : 0f,
        };
    }

    /// <summary>
    /// Copies image n's input window (Ci planes of <paramref name="height"/> × <paramref name="width"/>,
    /// from input row <paramref name="ih0"/> and column <paramref name="iw0"/>) into shared memory, zeros
    /// outside the image: the group walks the window in order (lanes on consecutive columns), each thread
    /// every <see cref="GroupSize"/>-th element, <see cref="StageUnroll"/> unconditional loads (from a
    /// clamped address) before their stores. A thread's place steps by <see cref="GroupSize"/> elements
    /// without dividing (<see cref="WindowWalk"/>).
    /// </summary>
    private static void Stage(ConvGeometry g, ArrayView<float> x, ArrayView<float> window, int n, int ih0, int iw0, int height, int width)
    {
        int size = g.Ci * height * width;
        var walk = new WindowWalk(g, n, ih0, iw0, height, width, size, Group.IdxX);
        for (int i = Group.IdxX; i < size; i += StageUnroll * GroupSize)
        {
            float v0 = walk.Next(x), v1 = walk.Next(x), v2 = walk.Next(x), v3 = walk.Next(x);
            float v4 = walk.Next(x), v5 = walk.Next(x), v6 = walk.Next(x), v7 = walk.Next(x);
            float v8 = walk.Next(x), v9 = walk.Next(x), v10 = walk.Next(x), v11 = walk.Next(x);
            float v12 = walk.Next(x), v13 = walk.Next(x), v14 = walk.Next(x), v15 = walk.Next(x);
            Put(window, i, size, v0);
            Put(window, i + GroupSize, size, v1);
            Put(window, i + (2 * GroupSize), size, v2);
            Put(window, i + (3 * GroupSize), size, v3);
            Put(window, i + (4 * GroupSize), size, v4);
            Put(window, i + (5 * GroupSize), size, v5);
            Put(window, i + (6 * GroupSize), size, v6);
            Put(window, i + (7 * GroupSize), size, v7);
            Put(window, i + (8 * GroupSize), size, v8);
            Put(window, i + (9 * GroupSize), size, v9);
            Put(window, i + (10 * GroupSize), size, v10);
            Put(window, i + (11 * GroupSize), size, v11);
            Put(window, i + (12 * GroupSize), size, v12);
            Put(window, i + (13 * GroupSize), size, v13);
            Put(window, i + (14 * GroupSize), size, v14);
            Put(window, i + (15 * GroupSize), size, v15);
        }
    }

    private static void Put(ArrayView<float> window, int at, int size, float v)
    {
        if (at < size)
        {
            window[at] = v;
        }
    }

    /// <summary>One thread's place in the window it stages: (ci, row, column) of its next element, stepped by <see cref="GroupSize"/> elements at a time.</summary>
    private struct WindowWalk
    {
        private readonly ConvGeometry _g;
        private readonly int _n, _ih0, _iw0, _height, _width, _size, _rowStep, _colStep;
        private int _ci, _r, _c, _i;

        public WindowWalk(ConvGeometry g, int n, int ih0, int iw0, int height, int width, int size, int first)
        {
            (_g, _n, _ih0, _iw0, _height, _width, _size, _i) = (g, n, ih0, iw0, height, width, size, first);
            _rowStep = GroupSize / width; // width ≥ TileCols: at most 4 rows, fewer than the window's ≥ 32
            _colStep = GroupSize - (_rowStep * width);
            _r = first / width;
            _c = first - (_r * width);
            _ci = 0;
        }

        /// <summary>The value at the current place (0 outside the image or past the window), then one step on.</summary>
        public float Next(ArrayView<float> x)
        {
            int src = WindowSource(_g, _n, _ci, _ih0, _iw0, _r, _c);
            bool take = src >= 0 && _i < _size;
            float v = x[take ? src : 0];
            _i += GroupSize;
            _c += _colStep;
            _r += _rowStep;
            if (_c >= _width)
            {
                _c -= _width;
                _r++;
            }

            if (_r >= _height)
            {
                _r -= _height;
                _ci++;
            }

            return take ? v : 0f;
        }
    }
}
