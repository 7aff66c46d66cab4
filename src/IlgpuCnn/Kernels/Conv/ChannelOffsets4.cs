namespace IlgpuCnn.Kernels;

/// <summary>
/// Where the channels of a block of four (c, c+1, c+2, c+3) start in a buffer: first + j·stride for
/// the <see cref="Count"/> channels that exist, and <c>first</c> again for those past the end (so
/// their reads stay in range; their results are never stored).
/// </summary>
internal readonly struct ChannelOffsets4
{
    public ChannelOffsets4(long first, long stride, int remaining)
    {
        Count = remaining < 4 ? remaining : 4;
        O0 = first;
        O1 = Count > 1 ? first + stride : first;
        O2 = Count > 2 ? first + 2 * stride : first;
        O3 = Count > 3 ? first + 3 * stride : first;
    }

    public readonly long O0;
    public readonly long O1;
    public readonly long O2;
    public readonly long O3;

    /// <summary>Channels of the block that exist (1..4).</summary>
    public readonly int Count;
}
