using ILGPU;
using ILGPU.Runtime;

namespace IlgpuCnn.Kernels;

/// <summary>
/// The blocked GEMM with balanced staging (CUDA's variant wherever the operands allow runs of 8 k):
/// the same 64×64 tile, 128 threads, 8×4 register block and k-major shared tiles as
/// <see cref="BlockedGemm"/> (same launch shape, same split-K slices), but every thread stages one
/// run of 8 consecutive k of A AND one of B per K step through an <see cref="IKRun"/> (lane
/// t mod 64, k offset 8·(t div 64)): one base address per run per K step and loads at a fixed
/// stride, the same code in every warp. Requires K and every slice boundary to be multiples of 8.
/// The next K step's runs are loaded into registers right after the barrier, before this step's
/// math, and stored to shared memory after it (register double buffer).
/// </summary>
public static class RunGemm
{
    public const int TileM = BlockedGemm.TileM;
    public const int TileK = BlockedGemm.TileK;
    public const int RunLength = 8;

    /// <summary>Runs inside a grouped kernel of <see cref="BlockedGemm.GroupSize"/> threads launched with <see cref="BlockedGemm.Config"/>.</summary>
    public static void Run<TA, TB, TC>(TA a, TB b, TC c, int m, int n, int k, int slice, ArrayView<Float4> sa, ArrayView<Float4> sb)
        where TA : struct, IKRun
        where TB : struct, IKRun
        where TC : struct, IGemmOut
    {
        int t = Group.IdxX;
        int lane = t & (TileM - 1);
        int row0 = (t >> 6) * RunLength;
        int m0 = Grid.IdxY * TileM;
        int n0 = Grid.IdxX * BlockedGemm.TileN;
        int kBegin = Grid.IdxZ * slice;
        int kEnd = kBegin + slice < k ? kBegin + slice : k;
        bool rowA = m0 + lane < m;
        bool colB = n0 + lane < n;
        int kRun = kBegin + row0;
        var stagedA = First(ref a, rowA, m0 + lane, kRun, kEnd);
        var stagedB = First(ref b, colB, n0 + lane, kRun, kEnd);

        int tx = t & 15;
        int ty = t >> 4;
        var acc = default(Block8x4);
        for (int k0 = kBegin; k0 < kEnd; k0 += TileK)
        {
            stagedA.Store(sa.Cast<float>(), row0, lane);
            stagedB.Store(sb.Cast<float>(), row0, lane);
            Group.Barrier();
            // The next K step's runs (past the end of the slice: counts ≤ 0, every load predicated
            // off). No branch around them, so nothing copies the loaded registers before the stores.
            kRun += TileK;
            a.Load(ref stagedA, rowA ? kEnd - kRun : 0);
            b.Load(ref stagedB, colB ? kEnd - kRun : 0);

            BlockedGemm.MultiplyTile(ref acc, sa, sb, ty, tx);
            Group.Barrier();
        }

        acc.Store(ref c, m0 + (8 * ty), n0 + (4 * tx), m, n);
    }

    /// <summary>Starts an operand at its row/column (when inside the matrix) and loads its first run.</summary>
    private static Staged8 First<T>(ref T operand, bool live, int index, int kRun, int kEnd)
        where T : struct, IKRun
    {
        if (live)
        {
            operand.Start(index, kRun);
        }

        var staged = default(Staged8);
        operand.Load(ref staged, live ? kEnd - kRun : 0);
        return staged;
    }
}
