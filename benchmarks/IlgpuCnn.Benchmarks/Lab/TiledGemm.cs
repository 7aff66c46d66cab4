using ILGPU;
using ILGPU.Runtime;
using IlgpuCnn.Kernels;

namespace IlgpuCnn.Benchmarks.Lab;

/// <summary>
/// Version 1 of the lab's GEMM (see TiledKernels.cs; the product runs versions 2 and 3, Cursor and
/// Run64/Run32): C[M,N] = Σ_k A(m,k)·B(k,n) over this group's
/// 64×64 tile of C and this grid-z slice of K (split-K). 256 threads (16×16); each keeps a 4×4
/// block of C in registers. Per K step of 16: every thread stages 4 elements of A and 4 of B
/// into shared memory, barrier, 16 rank-1 updates from shared memory, barrier. A thread always
/// stages the same row of A and column of B, so operands decode those indices once (BindRow/BindColumn).
/// Thread (tx, ty) owns rows ty + 16·i and columns tx + 16·j, so shared reads are broadcast (A)
/// and consecutive (B): no bank conflicts.
/// </summary>
public static class TiledGemm
{
    public const int TileM = 64;
    public const int TileN = 64;
    public const int TileK = 16;
    public const int GroupSize = 256;

    /// <summary>Launch shape for C[M,N] with K split into <paramref name="splits"/> slices.</summary>
    public static KernelConfig Config(int m, int n, int splits) =>
        new(new Index3D((n + TileN - 1) / TileN, (m + TileM - 1) / TileM, splits), new Index3D(GroupSize, 1, 1));

    /// <summary>Length of one split-K slice (a multiple of <see cref="TileK"/>).</summary>
    public static int SliceLength(int k, int splits) => ((k + splits - 1) / splits + TileK - 1) / TileK * TileK;

    /// <summary>Runs inside a grouped kernel; <paramref name="sa"/>/<paramref name="sb"/> are TileK·64 floats of shared memory.</summary>
    public static void Run<TA, TB, TC>(TA a, TB b, TC c, int m, int n, int k, int slice, ArrayView<float> sa, ArrayView<float> sb)
        where TA : struct, IGemmA
        where TB : struct, IGemmB
        where TC : struct, IGemmOut
    {
        int t = Group.IdxX;
        int tx = t & 15;
        int ty = t >> 4;
        int m0 = Grid.IdxY * TileM;
        int n0 = Grid.IdxX * TileN;
        int kBegin = Grid.IdxZ * slice;
        int kEnd = kBegin + slice < k ? kBegin + slice : k;

        // Thread t stages elements e = t + 256·r (r = 0..3) of each tile: always row m0 + (t & 63)
        // of A and column n0 + (t & 63) of B, at k offsets (t >> 6) + 4·r.
        int lo = t & 63;
        bool rowIn = m0 + lo < m;
        bool colIn = n0 + lo < n;
        if (rowIn)
        {
            a.BindRow(m0 + lo);
        }

        if (colIn)
        {
            b.BindColumn(n0 + lo);
        }

        var acc = default(Block4x4);
        for (int k0 = kBegin; k0 < kEnd; k0 += TileK)
        {
            for (int r = 0; r < 4; r++)
            {
                int e = t + GroupSize * r;
                int kk = k0 + (e >> 6);
                bool kIn = kk < kEnd;
                sa[e] = kIn && rowIn ? a.A(kk) : 0f;
                sb[e] = kIn && colIn ? b.B(kk) : 0f;
            }

            Group.Barrier();
            for (int kl = 0; kl < TileK; kl++)
            {
                int ra = kl * TileM + ty;
                int rb = kl * TileN + tx;
                acc.Fma(sa[ra], sa[ra + 16], sa[ra + 32], sa[ra + 48], sb[rb], sb[rb + 16], sb[rb + 32], sb[rb + 48]);
            }

            Group.Barrier();
        }

        acc.Store(ref c, m0 + ty, n0 + tx, m, n);
    }
}
