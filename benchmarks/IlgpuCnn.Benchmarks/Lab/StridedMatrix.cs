using ILGPU;
using IlgpuCnn.Kernels;

namespace IlgpuCnn.Benchmarks.Lab;

/// <summary>A strided matrix: element (r, c) = data[r·rowStride + c·colStride]; transposes are stride swaps.</summary>
public struct StridedMatrix : IGemmA, IGemmB
{
    private readonly ArrayView<float> _data;
    private readonly int _rowStride;
    private readonly int _colStride;
    private long _base;

    public StridedMatrix(ArrayView<float> data, int rowStride, int colStride)
    {
        _data = data;
        _rowStride = rowStride;
        _colStride = colStride;
        _base = 0;
    }

    public void BindRow(int m) => _base = (long)m * _rowStride;

    public readonly float A(int k) => _data[_base + (long)k * _colStride];

    public void BindColumn(int n) => _base = (long)n * _colStride;

    public readonly float B(int k) => _data[(long)k * _rowStride + _base];
}
