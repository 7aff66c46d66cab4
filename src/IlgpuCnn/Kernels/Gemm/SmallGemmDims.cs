namespace IlgpuCnn.Kernels;

/// <summary>The GEMM a <see cref="SmallGemm"/> launch computes: C[M, N] = Σ over K, in slices of <see cref="Slice"/> k (one per grid z).</summary>
public readonly record struct SmallGemmDims(int M, int N, int K, int Slice)
{
    public SmallGemmDims(KernelPlan plan)
        : this(plan.M, plan.N, plan.K, plan.Slice)
    {
    }
}
