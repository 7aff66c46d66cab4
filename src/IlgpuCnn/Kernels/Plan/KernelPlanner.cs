using IlgpuCnn.Device;

namespace IlgpuCnn.Kernels;

/// <summary>
/// The one place that decides which body runs a conv or dense pass on a device, and how (the
/// layers launch its plans; <c>bench</c>, the self-test and the static profile read them):
/// <list type="bullet">
/// <item>the CPU accelerator runs <see cref="KernelBody.Simple"/> for every pass;</item>
/// <item>a GPU runs a conv pass on <see cref="KernelBody.Run32"/> / <see cref="KernelBody.RunShort"/> /
/// <see cref="KernelBody.Run64"/> when its run dimension (forward Ci, backward-data Co,
/// backward-weights OH·OW) is a multiple of 8, backward-weights also reads x in contiguous runs
/// (<see cref="PatchRowRun.Fits"/>: stride 1, padding ≤ 1, OW a multiple of 8 or OW = W = 4), and
/// every tensor has fewer than 2³¹ elements — Run32
/// (64×32) when a forward or backward-data GEMM is at most 32 wide, RunShort (32×64) when a
/// backward-weights GEMM is at most 32 tall (Co ≤ 32), Run64 otherwise — else a forward on
/// <see cref="KernelBody.Direct"/> where <see cref="DirectConv.Fits"/> (K = Ci·KH·KW ≤ 64 and the
/// input window of a 16×32-pixel tile in 32 KB of shared memory; not on CPU cores), and any other pass on <see cref="KernelBody.Cursor"/>;
/// conv backward-data at stride ≠ 1 runs Simple (the GEMM operands gather dy at stride 1 only; the
/// recipe has no strided conv); dense passes run <see cref="KernelBody.Small"/>;</item>
/// <item>an OpenCL device made of CPU cores (PoCL) runs a conv pass Simple where its GEMM tiles
/// would be mostly padding (<see cref="TileFill"/> below <see cref="SimpleBelow"/>): the
/// narrow layers of small widths, and backward-weights of layers with 32 output channels or
/// fewer (a 64-row tile at most half full: such a device plans backward-weights on Run64, as
/// measured there, never on RunShort, which was not); CUDA and OpenCL GPUs never do;</item>
/// <item>an OpenCL device made of CPU cores runs a conv pass on <see cref="KernelBody.Simd"/>
/// wherever <see cref="SimdConv.Fits"/> (3×3, stride 1, padding 1, the pass's vector channels a
/// multiple of 16) — before the rule above: every pass of the recipe at width 1, measured there at
/// ~60 GFLOP/s per core against ~20 for a full Run64 tile;</item>
/// <item>split-K (<see cref="SplitK"/>) applies to every Run64/Run32/RunShort and Small pass and to the Cursor
/// passes whose output can take atomic adds into a zeroed or accumulating buffer: conv
/// backward-data and backward-weights. Run forward and backward-data and every Small pass (whose
/// slices may be a single K step: the dense GEMMs are small) sum their slices in the kernel
/// (<see cref="SliceSum"/>: the slice that finishes a tile last adds the others' partial tiles and
/// writes, with the bias; no atomics, no zeroed output); the weight gradients (which accumulate,
/// so need no zeroing) and Cursor backward-data add each slice atomically.</item>
/// </list>
/// Why each kernel of Conv2dKernels and DenseKernels exists: the Simple ones are the CPU
/// accelerator's every pass (and a GPU's strided conv backward-data; BiasGradKernel is the Simple
/// weight pass's db); Run64/Run32/RunShort run 7 of the recipe's 8 conv layers on a GPU (RunShort the
/// weight gradients of the two 32-channel layers); Direct runs the recipe's first conv forward (3
/// channels, K = 27: a GEMM tile would stage a 27-deep K padded to 32 and leave half its 64 columns
/// empty); the Cursor ones are the general case — any geometry whose channels or pixels are not
/// multiples of 8 and that Direct does not take (other widths: 0.3 gives 10-channel layers; 16×16
/// images give 2×2 maps); Small runs the dense layers.
/// </summary>
public static class KernelPlanner
{
    /// <summary>The plan of a conv pass (<paramref name="bias"/>: backward-weights also sums db, as one extra GEMM column).</summary>
    public static KernelPlan Conv(KernelPass pass, ConvGeometry g, DeviceFigures device, bool bias = true)
    {
        // The implicit GEMM of each pass, and the dimension its runs of 8 k walk.
        var (m, n, k, run) = pass switch
        {
            KernelPass.Forward => (g.N * g.OH * g.OW, g.Co, g.Ci * g.KH * g.KW, g.Ci),
            KernelPass.BackwardData => (g.N * g.H * g.W, g.Ci, g.Co * g.KH * g.KW, g.Co),
            _ => (g.Co, (g.Ci * g.KH * g.KW) + (bias ? 1 : 0), g.N * g.OH * g.OW, g.OH * g.OW),
        };
        if (!device.IsGpu || (pass == KernelPass.BackwardData && g.Stride != 1))
        {
            return Simple("Conv2dKernels", pass, m, n, k, ConvSimpleThreads(pass, g));
        }

        if (device.CpuCores && SimdConv.Fits(pass, g))
        {
            var (kernel, items) = SimdConv.Launch(pass, g);
            return new KernelPlan(pass, KernelBody.Simd, kernel, m, n, k, 1, pass == KernelPass.BackwardWeights ? GemmStoreMode.Add : GemmStoreMode.Write, items);
        }

        bool runs = RunsFit(run, (long)g.N * g.Ci * g.H * g.W, (long)g.N * g.Co * g.OH * g.OW, (long)g.Co * g.Ci * g.KH * g.KW)
            && (pass != KernelPass.BackwardWeights || PatchRowRun.Fits(g));
        if (!runs && pass == KernelPass.Forward && !device.CpuCores && DirectConv.Fits(g))
        {
            return new KernelPlan(pass, KernelBody.Direct, "Conv2dKernels.ForwardDirectKernel", m, n, k, 1, GemmStoreMode.Write, 0) { Geometry = g };
        }

        var body = !runs ? KernelBody.Cursor : RunBody(pass, m, n, device);
        return device.CpuCores && TileFill(body, m, n) < SimpleBelow(pass)
            ? Simple("Conv2dKernels", pass, m, n, k, ConvSimpleThreads(pass, g))
            : Gemm("Conv2dKernels", pass, body, m, n, k, device);
    }

    /// <summary>
    /// The Run body of a conv GEMM: the 64×32 tile for forward and backward-data at most 32 wide, the
    /// 32×64 tile for backward-weights at most 32 tall (not on CPU cores: their Simple-or-tile
    /// choice below was measured against the 64×64 tile), else the 64×64 tile.
    /// </summary>
    private static KernelBody RunBody(KernelPass pass, int m, int n, DeviceFigures device) => pass == KernelPass.BackwardWeights
        ? (m <= RunGemm.ShortM && !device.CpuCores ? KernelBody.RunShort : KernelBody.Run64)
        : (n <= RunGemm.NarrowN ? KernelBody.Run32 : KernelBody.Run64);

    /// <summary>The plan of a dense pass, x (n, inF) · w (inF, outF) (<paramref name="bias"/>: backward-weights also sums db, as one extra GEMM row).</summary>
    public static KernelPlan Dense(KernelPass pass, int n, int inF, int outF, DeviceFigures device, bool bias = true)
    {
        var (m, cols, k) = pass switch
        {
            KernelPass.Forward => (n, outF, inF),
            KernelPass.BackwardData => (n, inF, outF),
            _ => (inF + (bias ? 1 : 0), outF, n),
        };
        return device.IsGpu
            ? Small(pass, m, cols, k, device)
            : Simple("DenseKernels", pass, m, cols, k, pass == KernelPass.BackwardWeights ? inF : n);
    }

    /// <summary>A dense pass on <see cref="SmallGemm"/>: K split by <see cref="SplitK"/> down to one K step per slice, with no empty slice; the slices are summed in the kernel, which writes (forward, backward-data) or adds (backward-weights) once.</summary>
    private static KernelPlan Small(KernelPass pass, int m, int n, int k, DeviceFigures device)
    {
        int slice = BlockedGemm.SliceLength(k, SplitK(SmallGemm.Tiles(m, n), SmallGemm.GroupSize, k, device, minSteps: 1));
        bool weights = pass == KernelPass.BackwardWeights;
        string kernel = weights ? "DenseKernels.GradGemmSmallKernel" : "DenseKernels.GemmSmallKernel";
        return new KernelPlan(pass, KernelBody.Small, kernel, m, n, k, Math.Max(1, (k + slice - 1) / slice), weights ? GemmStoreMode.Add : GemmStoreMode.Write, 0);
    }

    /// <summary>Warp schedulers of a multiprocessor (four on every NVIDIA GPU since Maxwell).</summary>
    public const int SchedulersPerMultiprocessor = 4;

    /// <summary>
    /// Warps per scheduler a split launch should give the busiest multiprocessor: the Run bodies' lone
    /// warp needs about 1.5–2.5 times its K step's instructions in cycles (its waits, benchmarks/STATIC.md),
    /// so a scheduler with fewer than 3 warps idles part of the time.
    /// </summary>
    public const int WarpsPerScheduler = 3;

    /// <summary>
    /// Most groups a split may put on one multiprocessor, so that a split launch is one wave: the
    /// split bodies hold at least that many on sm_90 (Run64 5, Run32 6–7, RunShort 8, Small 4; the assembler tests keep them there).
    /// </summary>
    public const int MaxGroupsPerMultiprocessor = 4;

    /// <summary>
    /// The one split-K rule: the number of K slices that gives the busiest multiprocessor the least
    /// work. Launching <paramref name="groups"/> groups of <paramref name="groupThreads"/> threads per
    /// slice over s slices puts ceil(groups·s / multiprocessors) groups on the busiest one, each doing
    /// 1/s of K; its time goes as its warps per scheduler (at least <see cref="WarpsPerScheduler"/>:
    /// with fewer, a scheduler idles while its warp waits) divided by s. So 265 groups on 132
    /// multiprocessors (3 on one) take as long as 396, and 260 are a third faster. Splits stop at
    /// <see cref="MaxGroupsPerMultiprocessor"/> groups and at <paramref name="minSteps"/> K steps per
    /// slice (8 for the 64×64 bodies; 1 for <see cref="SmallGemm"/>); the fewest slices within 3 % of
    /// the least work win (fewer partial tiles to add).
    /// </summary>
    public static int SplitK(int groups, int groupThreads, int k, DeviceFigures device, int minSteps = 8)
    {
        int most = Math.Max(1, k / (minSteps * BlockedGemm.TileK));
        int warps = Math.Max(1, groupThreads / 32);
        long sms = Math.Max(1, device.Multiprocessors);
        long PerSm(int s) => ((groups * (long)s) + sms - 1) / sms;
        double Cost(int s) => Math.Max(((PerSm(s) * warps) + SchedulersPerMultiprocessor - 1) / SchedulersPerMultiprocessor, WarpsPerScheduler) / (double)s;
        int last = 1;
        while (last < most && PerSm(last + 1) <= MaxGroupsPerMultiprocessor)
        {
            last++;
        }

        double least = double.MaxValue;
        for (int s = 1; s <= last; s++)
        {
            least = Math.Min(least, Cost(s));
        }

        int splits = 1;
        while (Cost(splits) > least * 1.03)
        {
            splits++;
        }

        return splits;
    }

    /// <summary>The share of a GEMM body's tiles that holds C (1: M and N are multiples of the tile; the rest is padding it multiplies too).</summary>
    public static double TileFill(KernelBody body, int m, int n)
    {
        int tileM = body == KernelBody.RunShort ? RunGemm.ShortM : RunGemm.TileM;
        int tileN = body == KernelBody.Run32 ? RunGemm.NarrowN : BlockedGemm.TileN;
        return (double)m / RoundUp(m, tileM) * n / RoundUp(n, tileN);
    }

    /// <summary>
    /// On an OpenCL device made of CPU cores (PoCL), a conv pass whose GEMM tiles are filled less
    /// than this runs the Simple body instead. Measured there (2 cores, the recipe's layers at widths
    /// 0.25 and 1): a full tile runs at ~20 GFLOP/s per core, Simple forward at ~3.5, Simple
    /// backward-data and backward-weights at ~8, so Simple wins below about 1/6 and 2/5 of a tile;
    /// the recipe's fills are 1/8, 1/4, 1/2 and ~1, hence 1/4 and 1/2.
    /// </summary>
    public static double SimpleBelow(KernelPass pass) => pass == KernelPass.Forward ? 0.25 : 0.5;

    /// <summary>
    /// Whether a conv GEMM can stage runs of 8 k: its run dimension (forward Ci, backward-data Co,
    /// backward-weights OH·OW) is a multiple of 8 and every tensor has fewer than 2³¹ elements (the
    /// run operands index in 32 bits).
    /// </summary>
    public static bool RunsFit(int runDimension, params ReadOnlySpan<long> lengths)
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

    /// <summary>A GEMM body's plan, split by <see cref="SplitK"/> where the body and pass may split (Run forward and backward-data: summed in the kernel; the others: atomically).</summary>
    private static KernelPlan Gemm(string op, KernelPass pass, KernelBody body, int m, int n, int k, DeviceFigures device)
    {
        bool runs = body is KernelBody.Run64 or KernelBody.Run32 or KernelBody.RunShort;
        bool sums = runs && pass != KernelPass.BackwardWeights;
        bool maySplit = runs || pass != KernelPass.Forward;
        var (groups, threads) = body switch
        {
            KernelBody.Run32 => (RunGemm.NarrowTiles(m, n), RunGemm.NarrowGroupSize),
            KernelBody.RunShort => (RunGemm.ShortTiles(m, n), RunGemm.ShortGroupSize),
            _ => (BlockedGemm.Tiles(m, n), BlockedGemm.GroupSize),
        };
        int splits = maySplit ? SplitK(groups, threads, k, device) : 1;
        int slice = BlockedGemm.SliceLength(k, splits);
        splits = (k + slice - 1) / slice; // slices are whole K steps: no slice left empty (it would still add its zeros)
        var store = splits > 1 && !sums ? GemmStoreMode.AtomicAdd : pass == KernelPass.BackwardWeights ? GemmStoreMode.Add : GemmStoreMode.Write;
        return new KernelPlan(pass, body, $"{op}.{pass}{body}Kernel", m, n, k, splits, store, 0);
    }

    private static int RoundUp(int x, int tile) => (x + tile - 1) / tile * tile;

    private static KernelPlan Simple(string op, KernelPass pass, int m, int n, int k, long threads) =>
        new(pass, KernelBody.Simple, $"{op}.{pass}SimpleKernel", m, n, k, 1, pass == KernelPass.BackwardWeights ? GemmStoreMode.Add : GemmStoreMode.Write, threads);

    /// <summary>One thread per (n, block of 4 output or input channels), or per (block of 4 output channels, ci, kh) of weights.</summary>
    private static long ConvSimpleThreads(KernelPass pass, ConvGeometry g) => pass switch
    {
        KernelPass.Forward => (long)g.N * Conv2dKernels.Blocks(g.Co),
        KernelPass.BackwardData => (long)g.N * Conv2dKernels.Blocks(g.Ci),
        _ => (long)Conv2dKernels.Blocks(g.Co) * g.Ci * g.KH,
    };
}
