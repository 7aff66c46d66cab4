using ILGPU;

namespace IlgpuCnn.Kernels;

/// <summary>
/// A weight gradient dw[rows, cols] (row-major, leading dimension <c>cols</c>) plus its bias
/// gradient from the GEMM's one extra column (db[m], conv: dw[co, ci·kh·kw] with db[co]) or extra
/// row (db[n], dense: dw[in, out] with db[out]); stored as <see cref="GemmStoreMode"/> says.
/// </summary>
public struct GradWithBiasOut : IGemmOut
{
    private readonly ArrayView<float> _dw;
    private readonly ArrayView<float> _db;
    private readonly int _rows;
    private readonly int _cols;
    private readonly GemmStoreMode _mode;
    private int _m;

    public GradWithBiasOut(ArrayView<float> dw, ArrayView<float> db, int rows, int cols, GemmStoreMode mode)
    {
        _dw = dw;
        _db = db;
        _rows = rows;
        _cols = cols;
        _mode = mode;
        _m = 0;
    }

    public void Seek(int m) => _m = m;

    public void Next() => _m++;

    public readonly float Addend(int n) => GemmStore.Addend(Target(n, out long i), i, 0f, _mode);

    public readonly void Put(int n, float value, float addend) => GemmStore.Put(Target(n, out long i), i, value, addend, _mode);

    /// <summary>Where C(row, n) lives: dw[row, n], or db at the bias column's row or the bias row's column (chosen by selects, not branches, so an Add's loads stay in flight together).</summary>
    private readonly ArrayView<float> Target(int n, out long i)
    {
        bool weight = _m < _rows && n < _cols;
        i = weight ? ((long)_m * _cols) + n : n == _cols ? _m : n;
        return weight ? _dw : _db;
    }
}
