namespace IlgpuCnn.Kernels;

/// <summary>Shapes of one 2×2/2 pooling launch: NC planes of H×W in, (H/2)×(W/2) out.</summary>
public readonly struct PoolDims
{
    public PoolDims(int nc, int h, int w, int threads)
    {
        NC = nc;
        H = h;
        W = w;
        Threads = threads;
    }

    public readonly int NC;
    public readonly int H;
    public readonly int W;
    public readonly int Threads;

    public int OH => H / 2;

    public int OW => W / 2;

    public long OutLength => (long)NC * OH * OW;

    public PoolDims WithThreads(int threads) => new(NC, H, W, threads);

    /// <summary>Flat input index of the top-left of output o's window.</summary>
    public long FirstInput(long o)
    {
        int ohw = OH * OW;
        long plane = o / ohw;
        int r = (int)(o - plane * ohw);
        int oh = r / OW;
        int ow = r - oh * OW;
        return (plane * H + 2 * oh) * W + 2 * ow;
    }
}
