using IlgpuCnn.Kernels;

namespace IlgpuCnn.Benchmarks.Toolchain;

/// <summary>
/// Shared-memory wavefronts of the tiled GEMMs' 16-byte loads (LDS.128), from the lanes'
/// addresses in <see cref="BlockedGemm.MultiplyTile"/>: thread (ty, tx) reads A's float4s 2·ty and
/// 2·ty + 1 and B's float4 tx, per k. The counted mix charges 4 wavefronts per LDS.128 (one per
/// quarter-warp, 128 bytes each). Where every lane's address equals its neighbour's (lane n and
/// n xor 1), the warp's loads are served in 2 (NVIDIA's guidance for Volta and later; measured with
/// Nsight Compute on an H100 for exactly A's pattern — lanes 0–15 at one address, 16–31 at one 32
/// bytes on — 2 wavefronts where contiguous loads take 4). B's 16 distinct float4s keep 4.
/// </summary>
public static class SharedBroadcast
{
    /// <summary>Wavefronts of one warp's LDS.128 whose lane l reads float4 <paramref name="float4Of"/>(l).</summary>
    public static int Wavefronts128(Func<int, int> float4Of)
    {
        for (int lane = 0; lane < 32; lane += 2)
        {
            if (float4Of(lane) != float4Of(lane + 1))
            {
                return 4;
            }
        }

        return 2;
    }

    /// <summary>
    /// Wavefronts per work-loop iteration that A's broadcast saves against the counted mix: for the
    /// bodies that multiply with MultiplyTile (two of every three LDS.128 are A's), 4 minus A's
    /// wavefronts per A load; 0 for every other kernel.
    /// </summary>
    public static double Saved(KernelPlan? plan, SassMix mix)
    {
        if (plan is null || plan.Body is KernelBody.Simple or KernelBody.Small or KernelBody.Simd or KernelBody.Direct)
        {
            return 0;
        }

        int rowShift = plan.Body == KernelBody.Run32 ? 3 : 4; // ty = t >> 3 on the 64×32 tile, t >> 4 elsewhere
        int perLoad = 4 - Wavefronts128(lane => 2 * (lane >> rowShift));
        return perLoad * (mix.SharedLoads128 * 2.0 / 3.0);
    }
}
