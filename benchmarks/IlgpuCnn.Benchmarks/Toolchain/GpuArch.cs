namespace IlgpuCnn.Benchmarks.Toolchain;

/// <summary>
/// Per-SM limits of an NVIDIA architecture (CUDA programming guide, compute capabilities 8.0 and
/// 9.0) and the theoretical occupancy they give a kernel.
/// </summary>
/// <param name="Name">ptxas architecture, e.g. "sm_90"</param>
/// <param name="RegistersPerSm">32-bit registers per SM</param>
/// <param name="MaxRegistersPerThread">registers one thread may use</param>
/// <param name="MaxThreadsPerBlock">threads per group</param>
/// <param name="MaxThreadsPerSm">resident threads per SM</param>
/// <param name="MaxBlocksPerSm">resident groups per SM</param>
/// <param name="SharedPerSm">shared memory per SM usable by groups (bytes)</param>
/// <param name="StaticSharedPerBlock">static shared memory one group may declare (bytes)</param>
/// <param name="SharedReservedPerBlock">shared memory the system reserves per resident group (bytes)</param>
public sealed record GpuArch(string Name, int RegistersPerSm, int MaxRegistersPerThread, int MaxThreadsPerBlock, int MaxThreadsPerSm, int MaxBlocksPerSm, int SharedPerSm, int StaticSharedPerBlock, int SharedReservedPerBlock)
{
    public static readonly GpuArch Sm80 = new("sm_80", 65536, 255, 1024, 2048, 32, 164 * 1024, 48 * 1024, 1024);

    public static readonly GpuArch Sm90 = new("sm_90", 65536, 255, 1024, 2048, 32, 228 * 1024, 48 * 1024, 1024);

    public static readonly IReadOnlyList<GpuArch> All = [Sm80, Sm90];

    /// <summary>Registers one warp takes: per-thread count rounded to the allocation unit of 256 per warp.</summary>
    public static int RegistersPerWarp(int registers) => (registers * 32 + 255) / 256 * 256;

    /// <summary>Resident groups per SM for a kernel (0: it cannot run at this group size).</summary>
    public int BlocksPerSm(int registers, int threads, int sharedBytes)
    {
        if (threads <= 0 || threads > MaxThreadsPerBlock || registers > MaxRegistersPerThread || sharedBytes > StaticSharedPerBlock)
        {
            return 0;
        }

        int warps = (threads + 31) / 32;
        int byRegs = RegistersPerSm / (RegistersPerWarp(Math.Max(registers, 1)) * warps);
        int byThreads = MaxThreadsPerSm / (warps * 32);
        int perBlockShared = ((sharedBytes + 127) / 128 * 128) + SharedReservedPerBlock;
        int byShared = sharedBytes == 0 ? MaxBlocksPerSm : SharedPerSm / perBlockShared;
        return Math.Min(Math.Min(byRegs, byThreads), Math.Min(byShared, MaxBlocksPerSm));
    }

    /// <summary>Theoretical occupancy: resident warps / maximum warps per SM.</summary>
    public double Occupancy(int registers, int threads, int sharedBytes) =>
        BlocksPerSm(registers, threads, sharedBytes) * ((threads + 31) / 32) / (double)(MaxThreadsPerSm / 32);

    /// <summary>
    /// The group size CUDA's occupancy calculator (cuOccupancyMaxPotentialBlockSize, which ILGPU's
    /// auto-grouped launches use) picks: the largest multiple of 32 with the highest occupancy.
    /// </summary>
    public int AutoGroupSize(int registers, int sharedBytes)
    {
        int best = 32;
        double bestOcc = -1;
        for (int t = MaxThreadsPerBlock; t >= 32; t -= 32)
        {
            double occ = Occupancy(registers, t, sharedBytes);
            if (occ > bestOcc + 1e-9)
            {
                bestOcc = occ;
                best = t;
            }
        }

        return best;
    }
}
