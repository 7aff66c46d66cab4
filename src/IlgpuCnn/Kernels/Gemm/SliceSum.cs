using ILGPU;

namespace IlgpuCnn.Kernels;

/// <summary>
/// Split-K for the Run bodies without atomics and without zeroing the output first: each K slice
/// (a z layer of the grid) writes its partial tile to <see cref="Partials"/> and counts itself in
/// on its tile's counter; the group that arrives last sums every slice's partial tile in slice
/// order (so the result does not depend on which slice finished last) and stores the sum through
/// the output as its mode says (Write with the bias, or Add), then sets the counter back to 0 for
/// the next launch. The counters are zeroed once, when allocated (<see cref="SliceSumBuffers"/>).
/// With empty views (one slice, or a plan whose slices add atomically) each block is stored directly.
/// </summary>
/// <param name="Partials">per (tile, slice): 8 Float4s per thread (<see cref="SmallGemm"/>: 1, thread-major), stored j-major (Float4 j of every thread, then j + 1), so each store of a warp is 512 contiguous bytes</param>
/// <param name="Counters">one per tile of the launch: how many of its slices have stored their partial tile</param>
public readonly record struct SliceSum(ArrayView<Float4> Partials, ArrayView<int> Counters)
{
    /// <summary>Float4s of a thread's partial block in the Run bodies (an 8×4 register block).</summary>
    public const int BlockFloat4s = 8;

    /// <summary>Float4s of partial tiles a launch of <paramref name="tiles"/> groups of <paramref name="threads"/> threads in <paramref name="splits"/> slices needs, <paramref name="perThread"/> per thread (<see cref="BlockFloat4s"/> in the Run bodies, 1 in <see cref="SmallGemm"/>).</summary>
    public static long PartialFloat4s(int tiles, int splits, int threads, int perThread = BlockFloat4s) => (long)tiles * splits * threads * perThread;

    /// <summary>
    /// Stores thread <paramref name="t"/>'s block of this group's tile (rows r0.., columns c0..;
    /// <paramref name="threads"/> threads per group): through the last slice's sum, or directly
    /// when the views are empty. <paramref name="flag"/>: one int of shared memory no longer in use.
    /// </summary>
    internal void Store<TC>(ref Block8x4 acc, ref TC c, int t, int threads, int r0, int c0, int m, int n, ArrayView<int> flag)
        where TC : struct, IGemmOut
    {
        if (Counters.Length > 0 && !Last(ref acc, t, threads, flag))
        {
            return;
        }

        acc.Store(ref c, r0, c0, m, n);
    }

    /// <summary>Stores this slice's partial tile and counts it in; true (with the sum of all slices in <paramref name="acc"/>) in the group that arrived last.</summary>
    private bool Last(ref Block8x4 acc, int t, int threads, ArrayView<int> flag)
    {
        int tile = (Grid.IdxY * Grid.DimX) + Grid.IdxX;
        long first = (long)tile * Grid.DimZ * threads * 8;
        acc.Save(Partials, first + ((long)Grid.IdxZ * threads * 8) + t, threads);
        MemoryFence.DeviceLevel();
        Group.Barrier();
        if (t == 0)
        {
            flag[0] = Atomic.Add(ref Counters[tile], 1) == Grid.DimZ - 1 ? 1 : 0;
        }

        Group.Barrier();
        if (flag[0] == 0)
        {
            return false;
        }

        MemoryFence.DeviceLevel();
        acc = default;
        for (int z = 0; z < Grid.DimZ; z++)
        {
            acc.Add(Partials, first + ((long)z * threads * 8) + t, threads);
        }

        if (t == 0)
        {
            Counters[tile] = 0;
        }

        return true;
    }
}
