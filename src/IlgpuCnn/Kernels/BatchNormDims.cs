namespace IlgpuCnn.Kernels;

/// <summary>Shapes and constants of one batch-norm launch (passed by value into kernels).</summary>
public readonly struct BatchNormDims
{
    public BatchNormDims(int n, int c, int hw, float epsilon, float momentum, bool relu = false, int threads = 1)
    {
        N = n;
        C = c;
        HW = hw;
        Epsilon = epsilon;
        Momentum = momentum;
        Relu = relu ? 1 : 0;
        Threads = threads;
    }

    public readonly int N;
    public readonly int C;
    public readonly int HW;
    public readonly float Epsilon;
    public readonly float Momentum;

    /// <summary>1: ReLU fused after the normalisation.</summary>
    public readonly int Relu;

    /// <summary>Threads of the grid-stride launch.</summary>
    public readonly int Threads;

    public long Length => (long)N * C * HW;

    public BatchNormDims WithThreads(int threads) => new(N, C, HW, Epsilon, Momentum, Relu != 0, threads);

    /// <summary>Channel of flat NCHW index i (tensors under 2³¹ elements).</summary>
    public int Channel(int i) => i / HW % C;
}
