using ILGPU;
using ILGPU.Runtime;

namespace IlgpuCnn.Kernels;

/// <summary>
/// How one conv or dense pass runs on one device (made by <see cref="KernelPlanner"/>): the body,
/// its kernel, the GEMM it computes (C[M, N] = Σ over K), the split-K count and how C is stored;
/// for the <see cref="KernelBody.Simple"/> and <see cref="KernelBody.Simd"/> bodies, the work-items it launches instead of a grid.
/// </summary>
/// <param name="Pass">forward, backward-data or backward-weights</param>
/// <param name="Body">which body runs</param>
/// <param name="Kernel">the kernel's name, "Class.Method", as the PTX, assembler and static-profile tools name it</param>
/// <param name="M">rows of C</param>
/// <param name="N">columns of C (with the bias column or row of a fused bias gradient)</param>
/// <param name="K">the reduction length</param>
/// <param name="Splits">K slices, each a z layer of the grid (1: no split): Store = AtomicAdd: each adds atomically into C; otherwise (Run forward and backward-data, every Small pass) the kernel sums them (<see cref="SliceSum"/>) and stores as Store says</param>
/// <param name="Store">how C's values reach memory</param>
/// <param name="Threads">threads of a Simple or Simd launch (0 for the GEMM bodies, which launch <see cref="Config"/>)</param>
public sealed record KernelPlan(KernelPass Pass, KernelBody Body, string Kernel, int M, int N, int K, int Splits, GemmStoreMode Store, long Threads)
{
    /// <summary>True for the bodies without GEMM tiles (Simple, Simd), which launch <see cref="Threads"/> work-items.</summary>
    public bool Untiled => Body is KernelBody.Simple or KernelBody.Simd;

    /// <summary>The conv geometry of a <see cref="KernelBody.Direct"/> plan, whose grid is laid out by image and tile (null for the others).</summary>
    public ConvGeometry? Geometry { get; init; }

    /// <summary>True for a conv forward on a GEMM body (Cursor, Run64, Run32) or on Direct: it reads the weights' transposed copy (<see cref="ConvWeightCopies"/>), not w.</summary>
    public bool ReadsWeightsCopy => Pass == KernelPass.Forward && Body is KernelBody.Cursor or KernelBody.Run64 or KernelBody.Run32 or KernelBody.Direct;

    /// <summary>Rows of C (pixels for Direct) a group computes (0 for Simple and Simd).</summary>
    public int TileM => Untiled ? 0 : Body switch { KernelBody.Small => SmallGemm.TileM, KernelBody.RunShort => RunGemm.ShortM, KernelBody.Direct => DirectConv.TileRows * DirectConv.TileCols, _ => RunGemm.TileM };

    /// <summary>Columns of C (output channels for Direct) a group computes (0 for Simple and Simd).</summary>
    public int TileN => Untiled ? 0 : Body switch { KernelBody.Run32 => RunGemm.NarrowN, KernelBody.Small => SmallGemm.TileN, KernelBody.Direct => DirectConv.ChannelBlock, _ => BlockedGemm.TileN };

    /// <summary>K per step of the GEMM bodies' loop.</summary>
    public int TileK => BlockedGemm.TileK;

    /// <summary>Rows × columns ("64×32", "32×64"), or "-" for Simple and Simd.</summary>
    public string Tile => Untiled ? "-" : $"{TileM}×{TileN}";

    /// <summary>K per slice (a multiple of <see cref="TileK"/>).</summary>
    public int Slice => BlockedGemm.SliceLength(K, Splits);

    /// <summary>The grid and group of a GEMM body.</summary>
    public KernelConfig Config => Body switch
    {
        KernelBody.Direct => DirectConv.Config(Geometry ?? throw new InvalidOperationException("a Direct plan carries its conv geometry")),
        KernelBody.Run32 => RunGemm.NarrowConfig(M, N, Splits),
        KernelBody.RunShort => RunGemm.ShortConfig(M, N, Splits),
        KernelBody.Small => SmallGemm.Config(M, N, Splits),
        _ => BlockedGemm.Config(M, N, Splits),
    };

    /// <summary>True when the pass's output is written but its slices add atomically, so it is zeroed (one memset) first.</summary>
    public bool ZeroesOutput => Store == GemmStoreMode.AtomicAdd && Pass != KernelPass.BackwardWeights;

    /// <summary>One line: "Run32 64×32 split 4 AtomicAdd".</summary>
    public override string ToString() => $"{Body} {Tile} split {Splits} {Store}";
}
