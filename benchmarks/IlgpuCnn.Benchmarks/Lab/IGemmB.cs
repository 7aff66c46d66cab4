using IlgpuCnn.Kernels;

namespace IlgpuCnn.Benchmarks.Lab;

/// <summary>Right operand B(k, n) of the tiled GEMM, with the column bound once per thread (see <see cref="IGemmA"/>).</summary>
public interface IGemmB
{
    /// <summary>Fixes the column this copy of the operand reads (per thread, once).</summary>
    void BindColumn(int n);

    /// <summary>B(k, bound column).</summary>
    float B(int k);
}
