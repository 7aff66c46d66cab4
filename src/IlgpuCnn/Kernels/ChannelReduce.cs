using System.Numerics;
using ILGPU;
using ILGPU.Runtime;
using IlgpuCnn.Device;

namespace IlgpuCnn.Kernels;

/// <summary>
/// Per-channel reductions over (n, h, w) of an NCHW tensor: one group per channel, each thread
/// summing a strided share in double, then a shared-memory tree. On CUDA groups are 1024
/// threads (fewer for small channels: <see cref="Fit"/>); on OpenCL the largest power of two the device allows per group, up to 1024 on a GPU
/// and <see cref="CpuCoresGroup"/> on a CPU device (PoCL); on the
/// default CPU accelerator 1 (no barrier cost), which makes the same kernel a plain loop; on a
/// GPU-shaped CPU accelerator (tests) 32, so the tree itself is exercised.
/// </summary>
public static class ChannelReduce
{
    public const int MaxGroup = 1024;

    /// <summary>
    /// Group size on an OpenCL device made of CPU cores (PoCL): it runs a group's work-items as a
    /// loop that every barrier splits, so the tree's barriers cost passes over the whole group; 64
    /// made a width-0.25 step ~25 % cheaper there than 1024 (measured at 16 to 1024).
    /// </summary>
    public const int CpuCoresGroup = 64;

    /// <summary>Values each thread reads per loop trip (<see cref="ChannelCursor4"/>).</summary>
    public const int ValuesPerTrip = 4;

    /// <summary>Group size for per-channel reductions on this device.</summary>
    public static int GroupSize(ComputeDevice device) =>
        device.IsCuda ? MaxGroup
        : device.IsOpenCL ? (int)Math.Min(device.Figures.CpuCores ? CpuCoresGroup : MaxGroup, BitOperations.RoundUpToPowerOf2((uint)device.Accelerator.MaxNumThreadsPerGroup + 1) / 2)
        : device.Accelerator.MaxNumThreadsPerGroup >= MaxGroup ? 32 : 1;

    /// <summary>The smallest group <see cref="Fit"/> shrinks to: one warp.</summary>
    public const int MinGroup = 32;

    /// <summary>Launch: one group per channel of <paramref name="perChannel"/> values (<see cref="Fit"/>).</summary>
    public static KernelConfig Config(ComputeDevice device, int channels, long perChannel = long.MaxValue) =>
        new(new Index1D(channels), new Index1D(Fit(GroupSize(device), perChannel)));

    /// <summary>
    /// A device's group size <paramref name="group"/>, halved while half of it still reads a
    /// channel of <paramref name="perChannel"/> values in one trip of <see cref="ValuesPerTrip"/>,
    /// but not below <see cref="MinGroup"/> (a group already smaller — 1 on the CPU accelerator —
    /// stays): small channels (64 values per channel in the dense head's batch norm, 1,024 in block
    /// 4's) get fewer idle threads and a shorter tree.
    /// </summary>
    public static int Fit(int group, long perChannel)
    {
        int g = group;
        while (g > MinGroup && (long)(g / 2) * ValuesPerTrip >= perChannel)
        {
            g /= 2;
        }

        return g;
    }

    /// <summary>The most slices <see cref="Slices"/> gives a channel (their partials fit in a group's first 32 threads).</summary>
    public const int MaxSlices = 16;

    /// <summary>
    /// Groups per channel (<see cref="ChannelSlices"/>) for <paramref name="channels"/> channels of
    /// <paramref name="perChannel"/> values in groups of <paramref name="group"/> threads on
    /// <paramref name="device"/>: as many as give every multiprocessor one group (floor(multiprocessors /
    /// channels): a 1,024-thread group of the batch-norm kernels, at 44–48 registers a thread, is the
    /// only one a multiprocessor holds, so more groups would run as a second wave), each slice keeping at
    /// least two trips of every thread, at most <see cref="MaxSlices"/> (and half the group); 1 where a group is a
    /// single thread (the CPU accelerator: the plain loop, unchanged). The recipe on an H100: 4
    /// slices in block 1 (32 channels of 65,536: 128 groups on 132 multiprocessors), 2 in block 2, 1 elsewhere.
    /// </summary>
    public static int Slices(DeviceFigures device, int channels, long perChannel, int group)
    {
        if (group <= 1)
        {
            return 1;
        }

        long wanted = device.Multiprocessors / channels;
        long cap = perChannel / ((long)group * ValuesPerTrip * 2);
        return (int)Math.Clamp(wanted, 1, Math.Clamp(cap, 1, Math.Min(MaxSlices, group / 2))); // 2 partials per slice staged by the group's threads
    }

    /// <summary>Tree-sums <paramref name="value"/> over the group; thread 0 gets the total.</summary>
    public static double GroupSum(ArrayView<double> shared, double value)
    {
        int t = Group.IdxX;
        shared[t] = value;
        Group.Barrier();
        for (int s = Group.DimX / 2; s > 0; s >>= 1)
        {
            if (t < s)
            {
                shared[t] += shared[t + s];
            }

            Group.Barrier();
        }

        double total = shared[0];
        Group.Barrier();
        return total;
    }
}
