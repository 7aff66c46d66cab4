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

    /// <summary>
    /// Work-items and elements per work-item for a loop over <paramref name="n"/> elements: on an
    /// OpenCL device made of CPU cores (PoCL) contiguous chunks (16 work-items per core, each a
    /// multiple of 16 elements), so each core streams through its own part and the compiler
    /// vectorises the loop — a grid-stride loop there walks memory 8,192 elements apart per
    /// work-item; elsewhere <see cref="Threads"/> and chunk 0 (grid-stride).
    /// </summary>
    public static (int Threads, int Chunk) Chunks(ComputeDevice device, long n)
    {
        if (!device.Figures.CpuCores)
        {
            return (Threads(device, n), 0);
        }

        long items = Math.Max(1, (long)device.Accelerator.NumMultiprocessors * 16);
        long chunk = Math.Max(16, (n + items - 1) / items + 15) / 16 * 16;
        return ((int)Math.Max(1, (n + chunk - 1) / chunk), (int)chunk);
    }
}
