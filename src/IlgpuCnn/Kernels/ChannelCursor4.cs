namespace IlgpuCnn.Kernels;

/// <summary>
/// Four consecutive positions of one thread's walk over channel c (positions start + j·step,
/// j = 4i..4i+3 at iteration i): a per-channel loop reads all four values before it uses the first,
/// so each thread has four loads in flight instead of one. Values are still added in the order of
/// the plain walk (A, then B, C, D where valid), so sums are bit-identical to it.
/// </summary>
public struct ChannelCursor4
{
    public ChannelCursor A;
    public ChannelCursor B;
    public ChannelCursor C;
    public ChannelCursor D;

    /// <summary>The walk over the whole channel (positions below N·HW).</summary>
    public ChannelCursor4(BatchNormDims d, int c, int start, int step)
        : this(d, c, start, step, d.N * d.HW)
    {
    }

    /// <summary>The walk over positions below <paramref name="end"/> (a slice of the channel).</summary>
    public ChannelCursor4(BatchNormDims d, int c, int start, int step, int end)
    {
        A = new ChannelCursor(d, c, start, 4 * step, end);
        B = new ChannelCursor(d, c, start + step, 4 * step, end);
        C = new ChannelCursor(d, c, start + (2 * step), 4 * step, end);
        D = new ChannelCursor(d, c, start + (3 * step), 4 * step, end);
    }

    /// <summary>Whether the first of the four is inside the walk (the others may not be).</summary>
    public readonly bool Valid => A.Valid;

    public void Next()
    {
        A.Next();
        B.Next();
        C.Next();
        D.Next();
    }
}
