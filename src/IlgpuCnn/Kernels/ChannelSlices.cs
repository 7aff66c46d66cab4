using ILGPU;

namespace IlgpuCnn.Kernels;

/// <summary>
/// A per-channel reduction spread over <see cref="Count"/> groups per channel (grid y): group
/// (c, s) reduces positions [s·Length, (s + 1)·Length) of channel c's walk and stores two partial
/// figures; the group that arrives last on the channel (its counter) combines them in slice order
/// (deterministic; no float atomics) and finishes the channel, then sets the counter back to 0 —
/// one launch, no memset. With one slice (the CPU accelerator, small channels) the views are empty
/// and the group reduces the whole channel as before.
/// </summary>
/// <param name="Partials">two doubles per (channel, slice), channel-major</param>
/// <param name="Counters">one per channel: slices that have stored their partials</param>
/// <param name="Count">slices per channel</param>
/// <param name="Length">positions per slice (the last may be shorter)</param>
public readonly record struct ChannelSlices(ArrayView<double> Partials, ArrayView<int> Counters, int Count, int Length)
{
    /// <summary>
    /// Stores this group's two partial figures and counts it in; true in the group that arrived
    /// last on channel <paramref name="c"/> (which then <see cref="Stage"/>s the partials).
    /// <paramref name="flag"/>: one int of shared memory.
    /// </summary>
    public bool Last(int c, double first, double second, ArrayView<int> flag)
    {
        long at = 2L * ((c * Count) + Grid.IdxY);
        if (Group.IdxX == 0)
        {
            Partials[at] = first;
            Partials[at + 1] = second;
        }

        MemoryFence.DeviceLevel();
        Group.Barrier();
        if (Group.IdxX == 0)
        {
            flag[0] = Atomic.Add(ref Counters[c], 1) == Count - 1 ? 1 : 0;
        }

        Group.Barrier();
        bool last = flag[0] != 0;
        if (last)
        {
            MemoryFence.DeviceLevel();
        }

        return last;
    }

    /// <summary>
    /// The last group: copies the channel's partials into <paramref name="shared"/> (slice s's two
    /// figures at 2s, 2s + 1; at most <see cref="ChannelReduce.MaxSlices"/> slices, so they fit in
    /// any group of 32 or more), one load per thread, then a barrier.
    /// </summary>
    public void Stage(int c, ArrayView<double> shared)
    {
        int t = Group.IdxX;
        if (t < 2 * Count)
        {
            shared[t] = Partials[(2L * c * Count) + t];
        }

        Group.Barrier();
    }

    /// <summary>Positions in slice <paramref name="s"/> of a channel of <paramref name="m"/> values.</summary>
    public int Size(int s, int m) => (s + 1) * Length < m ? Length : m - (s * Length);

    /// <summary>The last group sets the channel's counter back to 0 (call after every <see cref="Last"/> of the launch is past: the last group is the only one left).</summary>
    public void Reset(int c)
    {
        if (Group.IdxX == 0)
        {
            Counters[c] = 0;
        }
    }
}
