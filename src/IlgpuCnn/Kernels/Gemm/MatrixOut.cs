using ILGPU;

namespace IlgpuCnn.Kernels;

/// <summary>
/// GEMM output C[M,N], row-major with leading dimension <c>ld</c>; stored as <see cref="GemmStoreMode"/>
/// says, with bias[n] added on <see cref="GemmStoreMode.Write"/> (bias may be empty).
/// </summary>
public readonly struct MatrixOut : IGemmOut
{
    private readonly ArrayView<float> _data;
    private readonly ArrayView<float> _bias;
    private readonly int _ld;
    private readonly GemmStoreMode _mode;

    public MatrixOut(ArrayView<float> data, ArrayView<float> bias, int ld, GemmStoreMode mode)
    {
        _data = data;
        _bias = bias;
        _ld = ld;
        _mode = mode;
    }

    public void Store(int m, int n, float value)
    {
        GemmStore.Put(_data, (long)m * _ld + n, _mode == GemmStoreMode.Write && _bias.Length > 0 ? value + _bias[n] : value, _mode);
    }
}
