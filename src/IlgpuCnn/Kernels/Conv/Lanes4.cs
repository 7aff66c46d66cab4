using System.Runtime.CompilerServices;
using ILGPU;

namespace IlgpuCnn.Kernels;

/// <summary>
/// The register block of the simple conv kernels: one float per channel of a block of four
/// (<see cref="ChannelOffsets4"/>). Each value loaded from memory feeds all four lanes, which is
/// what makes one simulated thread per block of channels fast on the CPU accelerator.
/// </summary>
internal struct Lanes4
{
    public float L0;
    public float L1;
    public float L2;
    public float L3;

    /// <summary>src[at + O_j] for each lane j.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes4 Gather(ArrayView<float> src, long at, ChannelOffsets4 o) =>
        new() { L0 = src[at + o.O0], L1 = src[at + o.O1], L2 = src[at + o.O2], L3 = src[at + o.O3] };

    /// <summary>src[at + O_j] for the lanes that exist, 0 for the others.</summary>
    public static Lanes4 GatherOrZero(ArrayView<float> src, long at, ChannelOffsets4 o) =>
        new()
        {
            L0 = src[at + o.O0],
            L1 = o.Count > 1 ? src[at + o.O1] : 0f,
            L2 = o.Count > 2 ? src[at + o.O2] : 0f,
            L3 = o.Count > 3 ? src[at + o.O3] : 0f,
        };

    /// <summary>lane_j += v · w_j.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void AddScaled(float v, Lanes4 w)
    {
        L0 += v * w.L0;
        L1 += v * w.L1;
        L2 += v * w.L2;
        L3 += v * w.L3;
    }

    /// <summary>dst[at + O_j] = lane_j for the lanes that exist.</summary>
    public readonly void Write(ArrayView<float> dst, long at, ChannelOffsets4 o)
    {
        dst[at + o.O0] = L0;
        if (o.Count > 1)
        {
            dst[at + o.O1] = L1;
        }

        if (o.Count > 2)
        {
            dst[at + o.O2] = L2;
        }

        if (o.Count > 3)
        {
            dst[at + o.O3] = L3;
        }
    }

    /// <summary>dst[at + O_j] += lane_j for the lanes that exist.</summary>
    public readonly void AddTo(ArrayView<float> dst, long at, ChannelOffsets4 o)
    {
        dst[at + o.O0] += L0;
        if (o.Count > 1)
        {
            dst[at + o.O1] += L1;
        }

        if (o.Count > 2)
        {
            dst[at + o.O2] += L2;
        }

        if (o.Count > 3)
        {
            dst[at + o.O3] += L3;
        }
    }
}
