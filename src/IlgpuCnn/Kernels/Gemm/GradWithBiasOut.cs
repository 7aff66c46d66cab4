using ILGPU;

namespace IlgpuCnn.Kernels;

/// <summary>
/// A weight gradient dw[rows, cols] (row-major, leading dimension <c>cols</c>) plus its bias
/// gradient from the GEMM's one extra column (db[m], conv: dw[co, ci·kh·kw] with db[co]) or extra
/// row (db[n], dense: dw[in, out] with db[out]); stored as <see cref="GemmStoreMode"/> says.
/// </summary>
public readonly struct GradWithBiasOut : IGemmOut
{
    private readonly ArrayView<float> _dw;
    private readonly ArrayView<float> _db;
    private readonly int _rows;
    private readonly int _cols;
    private readonly GemmStoreMode _mode;

    public GradWithBiasOut(ArrayView<float> dw, ArrayView<float> db, int rows, int cols, GemmStoreMode mode)
    {
        _dw = dw;
        _db = db;
        _rows = rows;
        _cols = cols;
        _mode = mode;
    }

    public void Store(int m, int n, float value)
    {
        if (m < _rows && n < _cols)
        {
            GemmStore.Put(_dw, ((long)m * _cols) + n, value, _mode);
        }
        else
        {
            GemmStore.Put(_db, n == _cols ? m : n, value, _mode);
        }
    }
}
