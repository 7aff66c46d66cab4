using ILGPU;
using ILGPU.Runtime;

namespace IlgpuCnn.Kernels;

/// <summary>
/// The blocked GEMM with balanced staging (CUDA's conv variant wherever the operands allow runs of
/// 8 k): the 8×4 register block, 16-byte shared loads and k-major shared tiles of
/// <see cref="BlockedGemm"/>, but every thread stages whole runs of 8 consecutive k through an
/// <see cref="IKRun"/> — one base address per run and loads at a fixed stride, the same code in
/// every warp. Three tile shapes:
/// <list type="bullet">
/// <item><see cref="Run"/>: 64×64 tiles, 128 threads (<see cref="BlockedGemm.Config"/>); thread t
/// stages one run of A and one of B (lane t mod 64, k offset 8·(t div 64)).</item>
/// <item><see cref="RunNarrow"/>: 64×32 tiles for GEMMs at most 32 wide (the 32-channel layers),
/// 64 threads (<see cref="NarrowConfig"/>); thread t stages both runs of A row t and one run of B
/// (lane t mod 32, k offset 8·(t div 32)), so no half-empty tile is multiplied.</item>
/// <item><see cref="RunShort"/>: 32×64 tiles for GEMMs at most 32 tall (the weight gradients of
/// the 32-channel layers, whose M is the output channels), 64 threads (<see cref="ShortConfig"/>);
/// thread t stages one run of A along k (<see cref="RunPlace.AlongKShort"/>) and both runs of B
/// column t, so no half-empty tile is multiplied.</item>
/// </list>
/// K and every slice boundary must be multiples of 8. The next K step's runs are loaded into
/// registers right after this step's shared stores, before the barrier that opens this step's
/// math, and stored to shared memory after it (register double buffer): ptxas does not move a
/// load across a barrier, so a whole K step of math hides each load (placed after the barrier,
/// ptxas sank them to the end of the math, 50–175 instructions before their use). The loads are
/// unconditional (<see cref="Staged8.Gather"/>: a clamped address where the run is padding or
/// past the end of the slice; the zeros are written at the shared store), so there is no branch
/// around them either. A split K (grid z > 1) is summed by <see cref="SliceSum"/>: the slice that
/// finishes a tile last adds the others' partial tiles and stores the sum (no atomics, no zeroed
/// output).
/// </summary>
public static class RunGemm
{
    public const int TileM = BlockedGemm.TileM;
    public const int TileK = BlockedGemm.TileK;
    public const int RunLength = 8;

    /// <summary>Floats per k row of the 64×64 tile's A when staged along k: 64 + 4, so a warp's stores of 4 rows × 8 k hit 32 banks.</summary>
    public const int PaddedRow = TileM + 4;

    /// <summary>Float4s of that padded A tile.</summary>
    public const int PaddedFloat4s = TileK * PaddedRow / 4;

    /// <summary>Width of the narrow tile.</summary>
    public const int NarrowN = 32;

    /// <summary>Threads of a narrow-tile group.</summary>
    public const int NarrowGroupSize = 64;

    /// <summary>Groups of the 64×32 tile's forward that must fit one multiprocessor (<see cref="Device.KernelAttribute.MinGroupsPerMultiprocessor"/>): 8, so at most 128 registers (ptxas 12.4 gave 129 unbounded, 7 groups). Backward-data has no such bound: it needs 145, and at 144 or 128 ptxas spills.</summary>
    public const int NarrowGroupsPerMultiprocessor = 8;

    /// <summary>Float4s of the narrow tile's shared B (16 × 32 floats).</summary>
    public const int NarrowFloat4s = TileK * NarrowN / 4;

    /// <summary>Height of the short tile.</summary>
    public const int ShortM = 32;

    /// <summary>Threads of a short-tile group.</summary>
    public const int ShortGroupSize = 64;

    /// <summary>Floats per k row of the short tile's A (staged along k): 32 + 4, so a warp's stores of 4 rows × 8 k hit 32 banks.</summary>
    public const int ShortPaddedRow = ShortM + 4;

    /// <summary>Float4s of the short tile's padded shared A.</summary>
    public const int ShortPaddedFloat4s = TileK * ShortPaddedRow / 4;

    /// <summary>Launch shape of <see cref="RunShort"/> for C[M,N] with K split into <paramref name="splits"/> slices.</summary>
    public static KernelConfig ShortConfig(int m, int n, int splits) =>
        new(new Index3D((n + BlockedGemm.TileN - 1) / BlockedGemm.TileN, (m + ShortM - 1) / ShortM, splits), new Index3D(ShortGroupSize, 1, 1));

    /// <summary>Groups of a short launch.</summary>
    public static int ShortTiles(int m, int n) => ((m + ShortM - 1) / ShortM) * ((n + BlockedGemm.TileN - 1) / BlockedGemm.TileN);

    /// <summary>Launch shape of <see cref="RunNarrow"/> for C[M,N] with K split into <paramref name="splits"/> slices.</summary>
    public static KernelConfig NarrowConfig(int m, int n, int splits) =>
        new(new Index3D((n + NarrowN - 1) / NarrowN, (m + TileM - 1) / TileM, splits), new Index3D(NarrowGroupSize, 1, 1));

    /// <summary>Groups of a narrow launch.</summary>
    public static int NarrowTiles(int m, int n) => ((m + TileM - 1) / TileM) * ((n + NarrowN - 1) / NarrowN);

    /// <summary>
    /// 64×64 tiles: runs inside a grouped kernel of <see cref="BlockedGemm.GroupSize"/> threads
    /// launched with <see cref="BlockedGemm.Config"/>; <paramref name="sa"/> holds
    /// <see cref="PaddedFloat4s"/> when <paramref name="aAlongK"/>, else <see cref="BlockedGemm.TileFloat4s"/>.
    /// B is staged by <see cref="RunPlace.Rows"/>; A too, or by <see cref="RunPlace.AlongK"/> when
    /// <paramref name="aAlongK"/> (an operand whose k is its contiguous index; a constant of each kernel).
    /// </summary>
    public static void Run<TA, TB, TC>(RunGemmProblem<TA, TB, TC> gemm, int slice, SliceSum sum, ArrayView<Float4> sa, ArrayView<Float4> sb, bool aAlongK)
        where TA : struct, IKRun
        where TB : struct, IKRun
        where TC : struct, IGemmOut
    {
        var (a, b, m, n, k) = (gemm.A, gemm.B, gemm.M, gemm.N, gemm.K);
        int t = Group.IdxX;
        int lane = t & (TileM - 1);
        int row0 = (t >> 6) * RunLength;
        int m0 = Grid.IdxY * TileM;
        int n0 = Grid.IdxX * BlockedGemm.TileN;
        int kBegin = Grid.IdxZ * slice;
        int kEnd = kBegin + slice < k ? kBegin + slice : k;
        int aRow = aAlongK ? PaddedRow : TileM;
        var placeA = aAlongK ? RunPlace.AlongK(t) : RunPlace.Rows(t, aRow);
        int liveA = placeA.Live(m - m0);
        bool colB = n0 + lane < n;
        var stagedA = First(ref a, liveA, m0 + placeA.Index, kBegin + placeA.K, kEnd, aAlongK);
        var stagedB = First(ref b, colB, n0 + lane, kBegin + row0, kEnd, TileK);
        var acc = default(Block8x4);
        for (int k0 = kBegin; k0 < kEnd; k0 += TileK)
        {
            StoreA(stagedA, sa.Cast<float>(), placeA, aRow, aAlongK);
            stagedB.Store(sb.Cast<float>(), row0, lane, BlockedGemm.TileN);
            int kNext = k0 + TileK + row0;
            a.Load(ref stagedA, aAlongK ? (kEnd > kNext ? liveA : 0) : (liveA > 0 ? kEnd - kNext : 0), TileK);
            b.Load(ref stagedB, colB ? kEnd - kNext : 0, TileK);
            Group.Barrier();
            BlockedGemm.MultiplyTile(ref acc, sa, sb, t >> 4, t & 15, aRow / 4, BlockedGemm.TileN / 4);
            Group.Barrier();
        }

        sum.Store(ref acc, ref gemm.C, t, BlockedGemm.GroupSize, m0 + (8 * (t >> 4)), n0 + (4 * (t & 15)), m, n, sa.Cast<int>());
    }

    /// <summary>64×32 tiles: runs inside a grouped kernel of <see cref="NarrowGroupSize"/> threads launched with <see cref="NarrowConfig"/>; <paramref name="sb"/> holds <see cref="NarrowFloat4s"/>.</summary>
    public static void RunNarrow<TA, TB, TC>(RunGemmProblem<TA, TB, TC> gemm, int slice, SliceSum sum, ArrayView<Float4> sa, ArrayView<Float4> sb)
        where TA : struct, IKRun
        where TB : struct, IKRun
        where TC : struct, IGemmOut
    {
        var (a, b, m, n, k) = (gemm.A, gemm.B, gemm.M, gemm.N, gemm.K);
        int t = Group.IdxX;
        int laneB = t & (NarrowN - 1);
        int rowB = (t >> 5) * RunLength;
        int m0 = Grid.IdxY * TileM;
        int n0 = Grid.IdxX * NarrowN;
        int kBegin = Grid.IdxZ * slice;
        int kEnd = kBegin + slice < k ? kBegin + slice : k;
        bool rowA = m0 + t < m;
        bool colB = n0 + laneB < n;
        var lowA = First(ref a, rowA, m0 + t, kBegin, kEnd, RunLength);
        var highA = default(Staged8);
        a.Load(ref highA, rowA ? kEnd - kBegin - RunLength : 0, RunLength);
        var stagedB = First(ref b, colB, n0 + laneB, kBegin + rowB, kEnd, TileK);
        var acc = default(Block8x4);
        for (int k0 = kBegin; k0 < kEnd; k0 += TileK)
        {
            lowA.Store(sa.Cast<float>(), 0, t, TileM);
            highA.Store(sa.Cast<float>(), RunLength, t, TileM);
            stagedB.Store(sb.Cast<float>(), rowB, laneB, NarrowN);
            int kNext = k0 + TileK;
            a.Load(ref lowA, rowA ? kEnd - kNext : 0, RunLength);
            a.Load(ref highA, rowA ? kEnd - kNext - RunLength : 0, RunLength);
            b.Load(ref stagedB, colB ? kEnd - kNext - rowB : 0, TileK);
            Group.Barrier();
            BlockedGemm.MultiplyTile(ref acc, sa, sb, t >> 3, t & 7, TileM / 4, NarrowN / 4);
            Group.Barrier();
        }

        sum.Store(ref acc, ref gemm.C, t, NarrowGroupSize, m0 + (8 * (t >> 3)), n0 + (4 * (t & 7)), m, n, sa.Cast<int>());
    }

    /// <summary>
    /// 32×64 tiles: runs inside a grouped kernel of <see cref="ShortGroupSize"/> threads launched with
    /// <see cref="ShortConfig"/>; <paramref name="sa"/> holds <see cref="ShortPaddedFloat4s"/>,
    /// <paramref name="sb"/> <see cref="BlockedGemm.TileFloat4s"/>. A is staged along k (an operand
    /// whose k is its contiguous index: <see cref="RunPlace.AlongKShort"/>), B by columns.
    /// </summary>
    public static void RunShort<TA, TB, TC>(RunGemmProblem<TA, TB, TC> gemm, int slice, SliceSum sum, ArrayView<Float4> sa, ArrayView<Float4> sb)
        where TA : struct, IKRun
        where TB : struct, IKRun
        where TC : struct, IGemmOut
    {
        var (a, b, m, n, k) = (gemm.A, gemm.B, gemm.M, gemm.N, gemm.K);
        int t = Group.IdxX;
        int m0 = Grid.IdxY * ShortM;
        int n0 = Grid.IdxX * BlockedGemm.TileN;
        int kBegin = Grid.IdxZ * slice;
        int kEnd = kBegin + slice < k ? kBegin + slice : k;
        var placeA = RunPlace.AlongKShort(t);
        int liveA = placeA.Live(m - m0);
        int atA = (placeA.K * ShortPaddedRow) + placeA.Index;
        bool colB = n0 + t < n;
        var stagedA = First(ref a, liveA, m0 + placeA.Index, kBegin + placeA.K, kEnd, true);
        var lowB = First(ref b, colB, n0 + t, kBegin, kEnd, RunLength);
        var highB = default(Staged8);
        b.Load(ref highB, colB ? kEnd - kBegin - RunLength : 0, RunLength);
        var acc = default(Block8x4);
        for (int k0 = kBegin; k0 < kEnd; k0 += TileK)
        {
            stagedA.StoreAt(sa.Cast<float>(), atA, placeA.Step);
            lowB.Store(sb.Cast<float>(), 0, t, BlockedGemm.TileN);
            highB.Store(sb.Cast<float>(), RunLength, t, BlockedGemm.TileN);
            int kNext = k0 + TileK;
            a.Load(ref stagedA, kEnd > kNext + placeA.K ? liveA : 0, TileK);
            b.Load(ref lowB, colB ? kEnd - kNext : 0, RunLength);
            b.Load(ref highB, colB ? kEnd - kNext - RunLength : 0, RunLength);
            Group.Barrier();
            BlockedGemm.MultiplyTile(ref acc, sa, sb, t >> 4, t & 15, ShortPaddedRow / 4, BlockedGemm.TileN / 4);
            Group.Barrier();
        }

        sum.Store(ref acc, ref gemm.C, t, ShortGroupSize, m0 + (8 * (t >> 4)), n0 + (4 * (t & 15)), m, n, sa.Cast<int>());
    }

    /// <summary>A's first run on the 64×64 and 32×64 tiles: <see cref="RunPlace.Live"/> values, loaded by the operand as a count when along k, else as a row run.</summary>
    private static Staged8 First<T>(ref T operand, int live, int index, int kRun, int kEnd, bool alongK)
        where T : struct, IKRun
    {
        if (!alongK)
        {
            return First(ref operand, live > 0, index, kRun, kEnd, TileK);
        }

        if (live > 0)
        {
            operand.Start(index, kRun);
        }

        var staged = default(Staged8);
        operand.Load(ref staged, kEnd > kRun ? live : 0, TileK);
        return staged;
    }

    /// <summary>Stores A's run where its <see cref="RunPlace"/> says: across rows or down k.</summary>
    private static void StoreA(Staged8 staged, ArrayView<float> tile, RunPlace place, int aRow, bool alongK)
    {
        if (alongK)
        {
            staged.StoreAt(tile, (place.K * aRow) + place.Index, place.Step);
        }
        else
        {
            staged.Store(tile, place.K, place.Index, aRow);
        }
    }

    /// <summary>Starts an operand at its row/column (when inside the matrix) and loads its first run, then moves <paramref name="advance"/> k on.</summary>
    private static Staged8 First<T>(ref T operand, bool live, int index, int kRun, int kEnd, int advance)
        where T : struct, IKRun
    {
        if (live)
        {
            operand.Start(index, kRun);
        }

        var staged = default(Staged8);
        operand.Load(ref staged, live ? kEnd - kRun : 0, advance);
        return staged;
    }
}
