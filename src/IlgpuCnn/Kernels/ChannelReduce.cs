using System.Numerics;
using ILGPU;
using ILGPU.Runtime;
using IlgpuCnn.Device;

namespace IlgpuCnn.Kernels;

/// <summary>
/// Per-channel reductions over (n, h, w) of an NCHW tensor: one group per channel, each thread
/// summing a strided share in double, then a shared-memory tree. On CUDA groups are 1024
/// threads; on OpenCL the largest power of two the device allows per group, up to 1024 on a GPU
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

    /// <summary>Launch: one group per channel.</summary>
    public static KernelConfig Config(ComputeDevice device, int channels) =>
        new(new Index1D(channels), new Index1D(GroupSize(device)));

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
