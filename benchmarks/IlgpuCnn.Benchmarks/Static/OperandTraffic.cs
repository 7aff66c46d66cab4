using IlgpuCnn.Benchmarks.Toolchain;
using IlgpuCnn.Device;
using IlgpuCnn.Kernels;

namespace IlgpuCnn.Benchmarks.Static;

/// <summary>
/// The cache lines per warp load of a conv or dense launch's two GEMM operands (derived: the
/// operands the kernels construct for the plan's body, run through <see cref="WarpAddresses"/>
/// over index-valued buffers of the layer's sizes) and its split-K atomic adds. The operand
/// choice per (pass, body) mirrors <c>Conv2dKernels</c> and <c>DenseKernels</c> (a conv forward's B
/// is the weights' transposed copy, <see cref="ConvWeightCopies"/>, of w's size); a body this
/// file does not know gives no lines (the estimate then assumes one line per warp load).
/// </summary>
internal static class OperandTraffic
{
    /// <summary>Warps sampled per operand: the first, middle and last tile, both warps of each.</summary>
    private static IEnumerable<int> Firsts(int extent, int tile)
    {
        int tiles = (extent + tile - 1) / tile;
        return new[] { 0, tiles / 2, tiles - 1 }.Distinct().SelectMany(t => new[] { t * tile, (t * tile) + WarpAddresses.WarpSize }).Where(i => i < extent);
    }

    /// <summary>K positions sampled: the first K steps, the middle and the end, as run starts (multiples of <paramref name="step"/>) with room for <paramref name="span"/> k.</summary>
    private static IEnumerable<int> Ks(int k, int step, int span) =>
        new[] { 0, step, 2 * step, 3 * step, k / 2, k - span }.Select(x => x / step * step).Where(x => x >= 0 && x + span <= k).Distinct();

    public static LaunchTraffic Conv(KernelPlan plan, ConvGeometry g, ComputeDevice device)
    {
        double atomics = plan.Store == GemmStoreMode.AtomicAdd ? (double)plan.M * plan.N * plan.Splits : 0;
        if (plan.Body == KernelBody.Simple)
        {
            return LaunchTraffic.None with { Atomics = atomics };
        }

        if (plan.Body == KernelBody.Direct)
        {
            // no global loads in its K loop: the lines are the staging's (window as A, weights as B), paid once per group
            return new LaunchTraffic(DirectWindowLines(g), DirectWeightLines(g), 0, 0, atomics);
        }

        long x = (long)g.N * g.Ci * g.H * g.W, dy = (long)g.N * g.Co * g.OH * g.OW, w = (long)g.Co * g.Ci * g.KH * g.KW;
        var (a, b) = plan.Pass switch
        {
            KernelPass.Forward => (new WarpAddresses(device, x), new WarpAddresses(device, w)),
            KernelPass.BackwardData => (new WarpAddresses(device, dy), new WarpAddresses(device, w)),
            _ => (new WarpAddresses(device, dy), new WarpAddresses(device, x)),
        };
        using (a)
        using (b)
        {
            var (la, lb) = plan.Body == KernelBody.Cursor ? ConvCursors(plan, g, a, b) : ConvRuns(plan, g, a, b);
            return Traffic(plan, la, lb, atomics);
        }
    }

    public static LaunchTraffic Dense(KernelPlan plan, int n, int inF, int outF, ComputeDevice device)
    {
        double atomics = plan.Store == GemmStoreMode.AtomicAdd ? (double)plan.M * plan.N * plan.Splits : 0;
        if (plan.Body != KernelBody.Small)
        {
            return LaunchTraffic.None with { Atomics = atomics };
        }

        using var x = new WarpAddresses(device, (long)n * inF);
        using var dy = new WarpAddresses(device, (long)n * outF);
        using var w = new WarpAddresses(device, (long)inF * outF);
        var (a, b) = plan.Pass switch
        {
            KernelPass.Forward => (new DenseOperand(x.View, inF, 1, n), new DenseOperand(w.View, 1, outF, outF)),
            KernelPass.BackwardData => (new DenseOperand(dy.View, outF, 1, n), new DenseOperand(w.View, outF, 1, inF)),
            _ => (new DenseOperand(x.View, 1, inF, plan.M, inF), new DenseOperand(dy.View, 1, outF, outF)),
        };
        return Traffic(plan, DenseLines(a, plan.M, plan.K), DenseLines(b, plan.N, plan.K), atomics);
    }

    private static LaunchTraffic Traffic(KernelPlan plan, WarpLines a, WarpLines b, double atomics) =>
        new(a, b, plan.TileM * plan.TileK / WarpAddresses.WarpSize, plan.TileN * plan.TileK / WarpAddresses.WarpSize, atomics);

    private static (WarpLines A, WarpLines B) ConvRuns(KernelPlan plan, ConvGeometry g, WarpAddresses a, WarpAddresses b) => plan.Pass switch
    {
        KernelPass.Forward => (RunLines(ConvTapRun.Forward(a.View, g), plan.M, plan.K), RunLines(new ForwardWeightsRun(b.View, g), plan.N, plan.K)),
        KernelPass.BackwardData => (RunLines(ConvTapRun.BackwardData(a.View, g), plan.M, plan.K), RunLines(ConvTapWeightsRun.BackwardData(b.View, g), plan.N, plan.K)),
        _ => (AlongKLines(new ChannelPlanesRun(a.View, g.Co, g.OH * g.OW), plan.M, plan.K, plan.Body == KernelBody.RunShort), RunLines(new PatchRowRun(b.View, g), plan.N, plan.K)),
    };

    private static (WarpLines A, WarpLines B) ConvCursors(KernelPlan plan, ConvGeometry g, WarpAddresses a, WarpAddresses b) => plan.Pass switch
    {
        KernelPass.Forward => (CursorLines(ConvTapCursor.Forward(a.View, g), plan.M, plan.K), CursorLines(new ForwardWeightsCursor(b.View, g), plan.N, plan.K)),
        KernelPass.BackwardData => (CursorLines(ConvTapCursor.BackwardData(a.View, g), plan.M, plan.K), CursorLines(new ChannelPlanesCursor(b.View, g.Ci, g.KH, g.KW), plan.N, plan.K)),
        _ => (CursorLines(new ChannelPlanesCursor(a.View, g.Co, g.OH, g.OW), plan.M, plan.K), CursorLines(new ConvPatchColumnCursor(b.View, g), plan.N, plan.K)),
    };

    /// <summary>Lines per warp load of <see cref="DirectConv"/>'s window staging (<see cref="DirectConv.WindowSource"/>, the kernel's own index code): every warp and trip of the first and last tile of the first and last image.</summary>
    private static WarpLines DirectWindowLines(ConvGeometry g)
    {
        int height = DirectConv.WindowHeight(g), width = DirectConv.WindowWidth(g);
        int size = g.Ci * height * width;
        int tilesW = (g.OW + DirectConv.TileCols - 1) / DirectConv.TileCols;
        var loads = new List<int>();
        foreach (int n in new[] { 0, g.N - 1 }.Distinct())
        {
            foreach (int tile in new[] { 0, DirectConv.TilesPerImage(g) - 1 }.Distinct())
            {
                int ih0 = (tile / tilesW * DirectConv.TileRows * g.Stride) - g.Pad, iw0 = (tile % tilesW * DirectConv.TileCols * g.Stride) - g.Pad;
                for (int first = 0; first < size; first += WarpAddresses.WarpSize)
                {
                    var lanes = Enumerable.Range(first, WarpAddresses.WarpSize).Where(i => i < size).Select(i =>
                    {
                        int ci = i / (height * width), r = i % (height * width) / width, c = i % width;
                        int src = DirectConv.WindowSource(g, n, ci, ih0, iw0, r, c);
                        return (src, src >= 0);
                    });
                    loads.Add(DistinctLines(lanes));
                }
            }
        }

        return Summarise(loads);
    }

    /// <summary>Lines per warp load of <see cref="DirectConv"/>'s weight staging (<see cref="DirectConv.WeightSource"/>): its 4 loads per thread, every warp, the first and last channel block.</summary>
    private static WarpLines DirectWeightLines(ConvGeometry g)
    {
        int k = g.Ci * g.KH * g.KW;
        var loads = new List<int>();
        foreach (int co0 in new[] { 0, (g.Co - 1) / DirectConv.ChannelBlock * DirectConv.ChannelBlock }.Distinct())
        {
            for (int first = 0; first < 4 * DirectConv.GroupSize; first += WarpAddresses.WarpSize)
            {
                loads.Add(DistinctLines(Enumerable.Range(first, WarpAddresses.WarpSize).Select(i => DirectConv.WeightSource(g, i, k, co0)).Select(src => (src, src >= 0))));
            }
        }

        return Summarise(loads);
    }

    private static int DistinctLines(IEnumerable<(int Index, bool Inside)> lanes) =>
        lanes.Where(l => l.Inside).Select(l => (long)l.Index * sizeof(float) / WarpAddresses.LineBytes).Distinct().Count();

    private static WarpLines Summarise(List<int> loads)
    {
        var live = loads.Where(l => l > 0).ToList();
        return live.Count == 0 ? WarpLines.Empty : new WarpLines(live.Average(), live.Max(), live.Count);
    }

    private static WarpLines RunLines<T>(T operand, int extent, int k)
        where T : struct, IKRun =>
        WarpAddresses.Runs(operand, Firsts(extent, RunGemm.TileM), Ks(k, RunGemm.RunLength, RunGemm.RunLength), extent);

    private static WarpLines DenseLines(DenseOperand operand, int extent, int k) =>
        WarpAddresses.Dense(operand, Firsts(extent, SmallGemm.TileM).Where(f => f % SmallGemm.TileM == 0), Ks(k, SmallGemm.TileK, Math.Min(k, SmallGemm.TileK)), k);

    /// <summary>An operand <see cref="RunGemm.Run"/> (<see cref="RunPlace.AlongK"/>) or, when <paramref name="short"/>, <see cref="RunGemm.RunShort"/> (<see cref="RunPlace.AlongKShort"/>) stages along k: the first, middle and last row tile, whole K steps.</summary>
    private static WarpLines AlongKLines<T>(T operand, int extent, int k, bool @short)
        where T : struct, IKRun
    {
        var (tile, threads) = @short ? (RunGemm.ShortM, RunGemm.ShortGroupSize) : (RunGemm.TileM, BlockedGemm.GroupSize);
        Func<int, RunPlace> place = @short ? RunPlace.AlongKShort : RunPlace.AlongK;
        return WarpAddresses.RunsAlongK(operand, Firsts(extent, tile).Where(i => i % tile == 0), Ks(k, RunGemm.TileK, RunGemm.TileK), extent, place, threads);
    }

    private static WarpLines CursorLines<T>(T operand, int extent, int k)
        where T : struct, IKCursor =>
        WarpAddresses.Cursor(operand, Firsts(extent, BlockedGemm.TileM), Ks(k, BlockedGemm.TileK, Math.Min(k, BlockedGemm.TileK)), extent, Math.Min(k, BlockedGemm.TileK));
}
