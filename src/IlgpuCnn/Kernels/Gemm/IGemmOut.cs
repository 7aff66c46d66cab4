namespace IlgpuCnn.Kernels;

/// <summary>Where the tiled GEMM's C(m, n) goes (see <see cref="GemmStoreMode"/>).</summary>
public interface IGemmOut
{
    void Store(int m, int n, float value);
}
