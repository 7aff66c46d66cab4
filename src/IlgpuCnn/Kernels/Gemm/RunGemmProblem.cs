namespace IlgpuCnn.Kernels;

/// <summary>One GEMM for <see cref="RunGemm"/>: C[M, N] = Σ_k A(m, k)·B(k, n) over K, its operands and its output.</summary>
public struct RunGemmProblem<TA, TB, TC>
    where TA : struct, IKRun
    where TB : struct, IKRun
    where TC : struct, IGemmOut
{
    public TA A;
    public TB B;
    public TC C;
    public int M;
    public int N;
    public int K;
}
