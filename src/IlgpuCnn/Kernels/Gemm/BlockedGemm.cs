using ILGPU;
using ILGPU.Runtime;

namespace IlgpuCnn.Kernels;

/// <summary>
/// The register-blocked GEMM body (CUDA's default variant): C[M,N] = Σ_k A(m,k)·B(k,n) over this
/// group's 64×64 tile of C and this grid-z slice of K. 128 threads; each keeps an 8×4 block of C
/// in registers (rows 8·ty.., columns 4·tx..), so a k step is three 16-byte shared loads
/// (<c>LDS.128</c>) for 32 FFMA. Staging: threads 0–63 each own one row of A, threads 64–127
/// one column of B, and read 16 consecutive k per K step through an <see cref="IKCursor"/>
/// (no integer division in the K loop). The next K step's 16 loads are issued into registers
/// right after this step's shared stores, before the barrier that opens this step's math, and
/// stored to shared memory after it (register double buffer): ptxas does not move a load across
/// a barrier, so a whole K step of math hides each load. Shared tiles are k-major [16][64]: staging stores and the B reads
/// are conflict-free, A reads are broadcasts.
/// </summary>
public static class BlockedGemm
{
    public const int TileM = 64;
    public const int TileN = 64;
    public const int TileK = 16;
    public const int GroupSize = 128;

    /// <summary>Float4s per shared tile (16 × 64 floats).</summary>
    public const int TileFloat4s = TileK * TileM / 4;

    /// <summary>Launch shape for C[M,N] with K split into <paramref name="splits"/> slices.</summary>
    public static KernelConfig Config(int m, int n, int splits) =>
        new(new Index3D((n + TileN - 1) / TileN, (m + TileM - 1) / TileM, splits), new Index3D(GroupSize, 1, 1));

    /// <summary>Length of one split-K slice (a multiple of <see cref="TileK"/>).</summary>
    public static int SliceLength(int k, int splits) => ((k + splits - 1) / splits + TileK - 1) / TileK * TileK;

    /// <summary>Groups of a launch.</summary>
    public static int Tiles(int m, int n) => ((m + TileM - 1) / TileM) * ((n + TileN - 1) / TileN);

    /// <summary>Runs inside a grouped kernel; <paramref name="sa"/>/<paramref name="sb"/> are <see cref="TileFloat4s"/> Float4s of shared memory each.</summary>
    public static void Run<TA, TB, TC>(TA a, TB b, TC c, int m, int n, int k, int slice, ArrayView<Float4> sa, ArrayView<Float4> sb)
        where TA : struct, IKCursor
        where TB : struct, IKCursor
        where TC : struct, IGemmOut
    {
        int t = Group.IdxX;
        int m0 = Grid.IdxY * TileM;
        int n0 = Grid.IdxX * TileN;
        int kBegin = Grid.IdxZ * slice;
        int kEnd = kBegin + slice < k ? kBegin + slice : k;

        bool loadsA = t < TileM;
        int lane = loadsA ? t : t - TileM;
        bool active = (loadsA ? m0 + lane < m : n0 + lane < n) && kBegin < kEnd;
        var staged = default(Staged16);
        if (loadsA)
        {
            if (active)
            {
                a.Start(m0 + lane, kBegin);
            }

            staged.Load(ref a, active, kEnd - kBegin);
        }
        else
        {
            if (active)
            {
                b.Start(n0 + lane, kBegin);
            }

            staged.Load(ref b, active, kEnd - kBegin);
        }

        int tx = t & 15;
        int ty = t >> 4;
        var acc = default(Block8x4);
        for (int k0 = kBegin; k0 < kEnd; k0 += TileK)
        {
            if (loadsA)
            {
                staged.Store(sa.Cast<float>(), lane);
            }
            else
            {
                staged.Store(sb.Cast<float>(), lane);
            }

            int next = kEnd - k0 - TileK;
            if (next > 0)
            {
                if (loadsA)
                {
                    staged.Load(ref a, active, next);
                }
                else
                {
                    staged.Load(ref b, active, next);
                }
            }

            Group.Barrier();
            MultiplyTile(ref acc, sa, sb, ty, tx, TileM / 4, TileN / 4);
            Group.Barrier();
        }

        acc.Store(ref c, m0 + (8 * ty), n0 + (4 * tx), m, n);
    }

    /// <summary>
    /// acc += the 16 k of the shared tiles: per k, rows 8·ty.. of A (two 16-byte loads) times
    /// columns 4·tx.. of B (one); a k row of A is <paramref name="aRow"/> Float4s apart (16; 17, or 9
    /// on the 32-row tile, where <see cref="RunGemm"/> pads A for stores along k), a row of B <paramref name="bRow"/>
    /// (16 for a 64-wide tile, 8 for <see cref="RunGemm"/>'s 32-wide one). Unrolled by hand (ILGPU keeps counted loops), so every shared
    /// address is a base register plus a constant and the loop has no counter.
    /// </summary>
    internal static void MultiplyTile(ref Block8x4 acc, ArrayView<Float4> sa, ArrayView<Float4> sb, int ty, int tx, int aRow, int bRow)
    {
        var a = sa.SubView(2 * ty);
        var b = sb.SubView(tx);
        int A = aRow;
        acc.Fma(a[0], a[1], b[0]);
        acc.Fma(a[A], a[A + 1], b[bRow]);
        acc.Fma(a[2 * A], a[(2 * A) + 1], b[2 * bRow]);
        acc.Fma(a[3 * A], a[(3 * A) + 1], b[3 * bRow]);
        acc.Fma(a[4 * A], a[(4 * A) + 1], b[4 * bRow]);
        acc.Fma(a[5 * A], a[(5 * A) + 1], b[5 * bRow]);
        acc.Fma(a[6 * A], a[(6 * A) + 1], b[6 * bRow]);
        acc.Fma(a[7 * A], a[(7 * A) + 1], b[7 * bRow]);
        acc.Fma(a[8 * A], a[(8 * A) + 1], b[8 * bRow]);
        acc.Fma(a[9 * A], a[(9 * A) + 1], b[9 * bRow]);
        acc.Fma(a[10 * A], a[(10 * A) + 1], b[10 * bRow]);
        acc.Fma(a[11 * A], a[(11 * A) + 1], b[11 * bRow]);
        acc.Fma(a[12 * A], a[(12 * A) + 1], b[12 * bRow]);
        acc.Fma(a[13 * A], a[(13 * A) + 1], b[13 * bRow]);
        acc.Fma(a[14 * A], a[(14 * A) + 1], b[14 * bRow]);
        acc.Fma(a[15 * A], a[(15 * A) + 1], b[15 * bRow]);
    }
}
