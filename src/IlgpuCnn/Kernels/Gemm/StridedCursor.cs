using ILGPU;

namespace IlgpuCnn.Kernels;

/// <summary>
/// A strided matrix read along k: element (index, k) = data[index·indexStride + k·kStride] (rows of
/// A or columns of B; transposes are stride swaps). The row or column <c>onesIndex</c> (if ≥ 0)
/// reads 1 everywhere: a GEMM with one extra such row sums the other operand along k, which folds
/// a bias gradient into the weight-gradient GEMM.
/// </summary>
public struct StridedCursor : IKCursor
{
    private readonly ArrayView<float> _data;
    private readonly int _indexStride;
    private readonly int _kStride;
    private readonly int _onesIndex;
    private long _at;
    private int _ones; // 1: the ones row/column (an int: kernel parameters must be blittable)

    public StridedCursor(ArrayView<float> data, int indexStride, int kStride, int onesIndex = -1)
    {
        _data = data;
        _indexStride = indexStride;
        _kStride = kStride;
        _onesIndex = onesIndex;
        _at = 0;
        _ones = 0;
    }

    public void Start(int index, int k)
    {
        _ones = index == _onesIndex ? 1 : 0;
        _at = ((long)index * _indexStride) + ((long)k * _kStride);
    }

    public float Next()
    {
        float v = _ones != 0 ? 1f : _data[_at];
        _at += _kStride;
        return v;
    }
}
