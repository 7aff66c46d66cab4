namespace IlgpuCnn.Device;

/// <summary>
/// Launch sizes for grid-stride kernels: on CUDA enough threads to fill the machine; on an OpenCL
/// device one full group per compute unit (what the device reports); on the CPU accelerator (a
/// simulator costing ~1 µs per simulated thread) few threads, each looping over many elements.
/// </summary>
public static class Launch
{
    /// <summary>Threads for a grid-stride loop over <paramref name="n"/> elements.</summary>
    public static int Threads(ComputeDevice device, long n)
    {
        long cap = device.IsCuda ? 1L << 20
            : device.IsOpenCL ? Math.Min(1L << 20, (long)device.Accelerator.NumMultiprocessors * device.Accelerator.MaxNumThreadsPerGroup)
            : 64;
        return (int)Math.Max(1, Math.Min(n, cap));
    }
}
