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
    private readonly long _dwAddress;
    private readonly long _dbAddress;
    private int _m;

    /// <param name="dw">the weight gradient</param>
    /// <param name="db">the bias gradient (may be empty)</param>
    /// <param name="rows">dw's rows</param>
    /// <param name="cols">dw's columns</param>
    /// <param name="mode">how values are stored</param>
    /// <param name="addresses">dw's and db's device addresses (<see cref="GradAddresses.Of"/>), where AtomicAdd adds on CUDA</param>
    public GradWithBiasOut(ArrayView<float> dw, ArrayView<float> db, int rows, int cols, GemmStoreMode mode, GradAddresses addresses)
    {
        _dw = dw;
        _db = db;
        _rows = rows;
        _cols = cols;
        _mode = mode;
        (_dwAddress, _dbAddress) = (addresses.Dw, addresses.Db);
        _m = 0;
    }

    public void Seek(int m) => _m = m;

    public void Next() => _m++;

    public readonly float Addend(int n) => GemmStore.Addend(Target(n, out long i, out _), i, 0f, _mode);

    public readonly void Put(int n, float value, float addend) => GemmStore.PutAt(Target(n, out long i, out long address), i, value, addend, _mode, address);

    /// <summary>Where C(row, n) lives: dw[row, n], or db at the bias column's row or the bias row's column (chosen by selects, not branches, so an Add's loads stay in flight together), and that view's device address.</summary>
    private readonly ArrayView<float> Target(int n, out long i, out long address)
    {
        bool weight = _m < _rows && n < _cols;
        i = weight ? ((long)_m * _cols) + n : n == _cols ? _m : n;
        address = weight ? _dwAddress : _dbAddress;
        return weight ? _dw : _db;
    }
}

/// <summary>The device addresses of a weight gradient and its bias gradient (<see cref="FloatAtomic.AddressOf"/>; 0 off CUDA, where they are not used), for split-K's global atomic adds.</summary>
public readonly record struct GradAddresses(long Dw, long Db)
{
    /// <summary>The addresses of <paramref name="dw"/> and <paramref name="db"/> (host code only).</summary>
    public static GradAddresses Of(ArrayView<float> dw, ArrayView<float> db) => new(FloatAtomic.AddressOf(dw), FloatAtomic.AddressOf(db));
}
