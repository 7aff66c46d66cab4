using IlgpuCnn.Kernels;

namespace IlgpuCnn.Benchmarks.Lab;

/// <summary>
/// Left operand A(m, k) of the tiled GEMM C[M,N] (+)= Σ_k A(m,k)·B(k,n) (<see cref="TiledGemm"/>).
/// The operand structs let one kernel body serve dense layers (plain strided matrices) and
/// convolutions (implicit im2col: the matrix element is computed from NCHW indices, never
/// materialised). In the tiled GEMM each thread always stages the same row m of A (only k moves
/// along the K loop), so the row's index arithmetic is done once in <see cref="BindRow"/> and
/// <see cref="A"/> only decodes k.
/// </summary>
public interface IGemmA
{
    /// <summary>Fixes the row this copy of the operand reads (per thread, once).</summary>
    void BindRow(int m);

    /// <summary>A(bound row, k).</summary>
    float A(int k);
}
