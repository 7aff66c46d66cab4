using ILGPU;

namespace IlgpuCnn.Kernels;

/// <summary>
/// A strided matrix operand of <see cref="SmallGemm"/>: element (index, k) = data[index·indexStride
/// + k·kStride] for index below <c>extent</c> (rows of A or columns of B; transposes are stride
/// swaps); the row or column <c>onesIndex</c> (if ≥ 0) reads 1 everywhere (a bias gradient as one
/// extra GEMM row). A group stages a 32-index × 16-k tile, two values per thread, with the warp's
/// lanes along whichever of index and k is contiguous in memory (kStride 1: 16 k of 2 rows per warp
/// load, else 32 consecutive indices), so a warp load touches one or two cache lines. Staging has
/// no branches: an element outside the operand (or past the slice's k) is loaded from element 0
/// and replaced by 0 with a select.
/// </summary>
public readonly struct DenseOperand
{
    private readonly ArrayView<float> _data;
    private readonly int _indexStride;
    private readonly int _kStride;
    private readonly int _extent;
    private readonly int _onesIndex;
    private readonly int _alongK; // 1: lanes walk k (kStride is 1); an int: kernel parameters must be blittable

    public DenseOperand(ArrayView<float> data, int indexStride, int kStride, int extent, int onesIndex = -1)
    {
        _data = data;
        _indexStride = indexStride;
        _kStride = kStride;
        _extent = extent;
        _onesIndex = onesIndex;
        _alongK = kStride == 1 && indexStride != 1 ? 1 : 0;
    }

    /// <summary>Thread <paramref name="t"/>'s place in the 32 × 16 tile for its value <paramref name="h"/> (0 or 1): (index in the tile, k in the tile).</summary>
    public (int Index, int K) Place(int t, int h) => _alongK != 0
        ? ((t >> 4) + (16 * h), t & 15)
        : (t & 31, (t >> 5) + (8 * h));

    /// <summary>Element (<paramref name="index"/>, <paramref name="k"/>), or 0 when the index is outside the operand or k is not below <paramref name="kEnd"/>; always one load.</summary>
    public float Load(int index, int k, int kEnd)
    {
        bool inK = k < kEnd;
        bool ones = index == _onesIndex;
        bool real = inK && !ones && index < _extent;
        float v = _data[real ? ((long)index * _indexStride) + ((long)k * _kStride) : 0L];
        return real ? v : ones && inK ? 1f : 0f;
    }
}
