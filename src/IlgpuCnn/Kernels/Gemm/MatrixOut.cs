using ILGPU;

namespace IlgpuCnn.Kernels;

/// <summary>
/// GEMM output C[M,N], row-major with leading dimension <c>ld</c>; stored as <see cref="GemmStoreMode"/>
/// says, with bias[n] added on <see cref="GemmStoreMode.Write"/> (bias may be empty).
/// </summary>
public struct MatrixOut : IGemmOut
{
    private readonly ArrayView<float> _data;
    private readonly ArrayView<float> _bias;
    private readonly int _ld;
    private readonly GemmStoreMode _mode;
    private long _row;

    public MatrixOut(ArrayView<float> data, ArrayView<float> bias, int ld, GemmStoreMode mode)
    {
        _data = data;
        _bias = bias;
        _ld = ld;
        _mode = mode;
        _row = 0;
    }

    public void Seek(int m) => _row = (long)m * _ld;

    public void Next() => _row += _ld;

    public readonly float Addend(int n) =>
        GemmStore.Addend(_data, _row + n, _mode == GemmStoreMode.Write && _bias.Length > 0 ? _bias[n] : 0f, _mode);

    public readonly void Put(int n, float value, float addend) => GemmStore.Put(_data, _row + n, value, addend, _mode);
}
