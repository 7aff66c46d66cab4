using ILGPU;
using ILGPU.Runtime;

namespace IlgpuCnn.Kernels;

/// <summary>
/// The small-GEMM body (the dense layers on a GPU): C[M,N] = Σ_k A(m,k)·B(k,n) over this group's
/// 32×32 tile of C and this grid-z slice of K, 256 threads, each keeping a column of 4 rows of C
/// (rows 4·ty.., column tx) in registers: a k step is one 16-byte shared load of A (a broadcast
/// within the warp) and one 4-byte load of B for 4 FFMA. Each K step every thread stages two
/// values of A and two of B through <see cref="DenseOperand"/> (coalesced, branch-free), issuing
/// the next step's four loads before the barrier that opens this step's math. The dense GEMMs are
/// small (batch 64: 8 MFLOP at most), so the plan splits K until the device's schedulers have two
/// warps each (<see cref="KernelPlanner.SplitK"/>, down to one K step per slice), and the slices
/// are summed in the kernel: each stores its partial tile, the group that arrives last on a tile
/// adds all of them in slice order (deterministic; no atomics, no zeroed output) and stores the sum
/// as the output's mode says (Write with the bias, Add onto a gradient), then resets the tile's
/// counter. Shared tiles are k-major with a pitch of 36 floats (16-byte aligned rows; staging
/// along k stores with at most a 2-way bank conflict).
/// </summary>
public static class SmallGemm
{
    public const int TileM = 32;
    public const int TileN = 32;
    public const int TileK = BlockedGemm.TileK;
    public const int GroupSize = 256;

    /// <summary>Floats per k row of a shared tile (32 + 4 padding).</summary>
    public const int Pitch = 36;

    /// <summary>Float4s per shared tile.</summary>
    public const int TileFloat4s = TileK * Pitch / 4;

    /// <summary>Float4s of partial tile one thread stores for the slice sum.</summary>
    public const int PartialFloat4sPerThread = 1;

    /// <summary>Launch shape for C[M,N] with K split into <paramref name="splits"/> slices.</summary>
    public static KernelConfig Config(int m, int n, int splits) =>
        new(new Index3D((n + TileN - 1) / TileN, (m + TileM - 1) / TileM, splits), new Index3D(GroupSize, 1, 1));

    /// <summary>Groups of a launch.</summary>
    public static int Tiles(int m, int n) => ((m + TileM - 1) / TileM) * ((n + TileN - 1) / TileN);

    /// <summary>Runs inside a grouped kernel; <paramref name="sa"/>/<paramref name="sb"/> hold <see cref="TileFloat4s"/> Float4s each, <paramref name="flag"/> one int.</summary>
    public static void Run<TC>(DenseOperand a, DenseOperand b, TC c, int m, int n, int k, int slice, SliceSum sum, ArrayView<Float4> sa, ArrayView<Float4> sb, ArrayView<int> flag)
        where TC : struct, IGemmOut
    {
        int t = Group.IdxX;
        int m0 = Grid.IdxY * TileM;
        int n0 = Grid.IdxX * TileN;
        int kBegin = Grid.IdxZ * slice;
        int kEnd = kBegin + slice < k ? kBegin + slice : k;
        var (ai0, ak0) = a.Place(t, 0);
        var (ai1, ak1) = a.Place(t, 1);
        var (bi0, bk0) = b.Place(t, 0);
        var (bi1, bk1) = b.Place(t, 1);
        var fa = sa.Cast<float>();
        var fb = sb.Cast<float>();
        float a0 = a.Load(m0 + ai0, kBegin + ak0, kEnd), a1 = a.Load(m0 + ai1, kBegin + ak1, kEnd);
        float b0 = b.Load(n0 + bi0, kBegin + bk0, kEnd), b1 = b.Load(n0 + bi1, kBegin + bk1, kEnd);
        var acc = default(Float4);
        for (int k0 = kBegin; k0 < kEnd; k0 += TileK)
        {
            fa[(ak0 * Pitch) + ai0] = a0;
            fa[(ak1 * Pitch) + ai1] = a1;
            fb[(bk0 * Pitch) + bi0] = b0;
            fb[(bk1 * Pitch) + bi1] = b1;
            int next = k0 + TileK;
            a0 = a.Load(m0 + ai0, next + ak0, kEnd);
            a1 = a.Load(m0 + ai1, next + ak1, kEnd);
            b0 = b.Load(n0 + bi0, next + bk0, kEnd);
            b1 = b.Load(n0 + bi1, next + bk1, kEnd);
            Group.Barrier();
            MultiplyTile(ref acc, sa.SubView(t >> 5), fb.SubView(t & 31));
            Group.Barrier();
        }

        if (Grid.DimZ == 1 || Last(ref acc, sum, t, flag))
        {
            Store(acc, ref c, m0 + (4 * (t >> 5)), n0 + (t & 31), m, n);
        }
    }

    /// <summary>acc += the 16 k of the shared tiles: per k, A's rows 4·ty.. (one Float4) times B's column tx. Unrolled by hand.</summary>
    private static void MultiplyTile(ref Float4 acc, ArrayView<Float4> a, ArrayView<float> b)
    {
        const int A = Pitch / 4;
        Fma(ref acc, a[0], b[0]);
        Fma(ref acc, a[A], b[Pitch]);
        Fma(ref acc, a[2 * A], b[2 * Pitch]);
        Fma(ref acc, a[3 * A], b[3 * Pitch]);
        Fma(ref acc, a[4 * A], b[4 * Pitch]);
        Fma(ref acc, a[5 * A], b[5 * Pitch]);
        Fma(ref acc, a[6 * A], b[6 * Pitch]);
        Fma(ref acc, a[7 * A], b[7 * Pitch]);
        Fma(ref acc, a[8 * A], b[8 * Pitch]);
        Fma(ref acc, a[9 * A], b[9 * Pitch]);
        Fma(ref acc, a[10 * A], b[10 * Pitch]);
        Fma(ref acc, a[11 * A], b[11 * Pitch]);
        Fma(ref acc, a[12 * A], b[12 * Pitch]);
        Fma(ref acc, a[13 * A], b[13 * Pitch]);
        Fma(ref acc, a[14 * A], b[14 * Pitch]);
        Fma(ref acc, a[15 * A], b[15 * Pitch]);
    }

    private static void Fma(ref Float4 acc, Float4 a, float b)
    {
        acc.X += a.X * b;
        acc.Y += a.Y * b;
        acc.Z += a.Z * b;
        acc.W += a.W * b;
    }

    private static Float4 Plus(Float4 x, Float4 y) => new() { X = x.X + y.X, Y = x.Y + y.Y, Z = x.Z + y.Z, W = x.W + y.W };

    /// <summary>Stores this slice's partial (thread-major, so a warp stores 512 contiguous bytes) and counts it in; true, with the slices' sum in <paramref name="acc"/>, in the group that arrived last on the tile.</summary>
    private static bool Last(ref Float4 acc, SliceSum sum, int t, ArrayView<int> flag)
    {
        int tile = (Grid.IdxY * Grid.DimX) + Grid.IdxX;
        long first = (long)tile * Grid.DimZ * GroupSize;
        sum.Partials[first + ((long)Grid.IdxZ * GroupSize) + t] = acc;
        MemoryFence.DeviceLevel();
        Group.Barrier();
        if (t == 0)
        {
            flag[0] = Atomic.Add(ref sum.Counters[tile], 1) == Grid.DimZ - 1 ? 1 : 0;
        }

        Group.Barrier();
        if (flag[0] == 0)
        {
            return false;
        }

        MemoryFence.DeviceLevel();
        acc = SumSlices(sum.Partials, first + t, Grid.DimZ);
        if (t == 0)
        {
            sum.Counters[tile] = 0;
        }

        return true;
    }

    /// <summary>Σ over z of partials[at + z·GroupSize], in z order, four loads in flight per trip.</summary>
    private static Float4 SumSlices(ArrayView<Float4> partials, long at, int slices)
    {
        var s = default(Float4);
        int last = slices - 1;
        for (int z = 0; z < slices; z += 4)
        {
            var p0 = partials[at + ((long)z * GroupSize)];
            var p1 = partials[at + ((long)(z + 1 < slices ? z + 1 : last) * GroupSize)];
            var p2 = partials[at + ((long)(z + 2 < slices ? z + 2 : last) * GroupSize)];
            var p3 = partials[at + ((long)(z + 3 < slices ? z + 3 : last) * GroupSize)];
            s = Plus(s, p0);
            s = z + 1 < slices ? Plus(s, p1) : s;
            s = z + 2 < slices ? Plus(s, p2) : s;
            s = z + 3 < slices ? Plus(s, p3) : s;
        }

        return s;
    }

    /// <summary>Stores rows r0..r0+3 of column <paramref name="col"/> (those inside C): the four addends first (an Add's loads in flight together), then the four stores.</summary>
    private static void Store<TC>(Float4 acc, ref TC c, int r0, int col, int m, int n)
        where TC : struct, IGemmOut
    {
        if (col >= n || r0 >= m)
        {
            return;
        }

        c.Seek(r0);
        var c1 = c;
        c1.Next();
        var c2 = c1;
        c2.Next();
        var c3 = c2;
        c3.Next();
        float d0 = c.Addend(col);
        float d1 = r0 + 1 < m ? c1.Addend(col) : 0f;
        float d2 = r0 + 2 < m ? c2.Addend(col) : 0f;
        float d3 = r0 + 3 < m ? c3.Addend(col) : 0f;
        c.Put(col, acc.X, d0);
        PutIf(ref c1, r0 + 1 < m, col, acc.Y, d1);
        PutIf(ref c2, r0 + 2 < m, col, acc.Z, d2);
        PutIf(ref c3, r0 + 3 < m, col, acc.W, d3);
    }

    private static void PutIf<TC>(ref TC c, bool inside, int col, float value, float addend)
        where TC : struct, IGemmOut
    {
        if (inside)
        {
            c.Put(col, value, addend);
        }
    }
}
