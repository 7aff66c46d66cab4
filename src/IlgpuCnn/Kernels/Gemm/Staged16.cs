using ILGPU;

namespace IlgpuCnn.Kernels;

/// <summary>
/// The 16 values one thread stages per K step of the blocked GEMM, held in registers between
/// their global loads and their shared stores (so the next K step's loads overlap this one's math).
/// </summary>
internal struct Staged16
{
    private float _v0, _v1, _v2, _v3, _v4, _v5, _v6, _v7, _v8, _v9, _v10, _v11, _v12, _v13, _v14, _v15;

    /// <summary>Reads the next <paramref name="count"/> (up to 16) values of the cursor, zeros after them (or all zeros when inactive).</summary>
    public void Load<T>(ref T cursor, bool active, int count)
        where T : struct, IKCursor
    {
        int n = active ? count : 0;
        _v0 = n > 0 ? cursor.Next() : 0f;
        _v1 = n > 1 ? cursor.Next() : 0f;
        _v2 = n > 2 ? cursor.Next() : 0f;
        _v3 = n > 3 ? cursor.Next() : 0f;
        _v4 = n > 4 ? cursor.Next() : 0f;
        _v5 = n > 5 ? cursor.Next() : 0f;
        _v6 = n > 6 ? cursor.Next() : 0f;
        _v7 = n > 7 ? cursor.Next() : 0f;
        _v8 = n > 8 ? cursor.Next() : 0f;
        _v9 = n > 9 ? cursor.Next() : 0f;
        _v10 = n > 10 ? cursor.Next() : 0f;
        _v11 = n > 11 ? cursor.Next() : 0f;
        _v12 = n > 12 ? cursor.Next() : 0f;
        _v13 = n > 13 ? cursor.Next() : 0f;
        _v14 = n > 14 ? cursor.Next() : 0f;
        _v15 = n > 15 ? cursor.Next() : 0f;
    }

    /// <summary>Stores the 16 values as column <paramref name="lane"/> of a k-major [16][64] tile.</summary>
    public readonly void Store(ArrayView<float> tile, int lane)
    {
        const int L = BlockedGemm.TileM;
        tile[lane] = _v0;
        tile[L + lane] = _v1;
        tile[(2 * L) + lane] = _v2;
        tile[(3 * L) + lane] = _v3;
        tile[(4 * L) + lane] = _v4;
        tile[(5 * L) + lane] = _v5;
        tile[(6 * L) + lane] = _v6;
        tile[(7 * L) + lane] = _v7;
        tile[(8 * L) + lane] = _v8;
        tile[(9 * L) + lane] = _v9;
        tile[(10 * L) + lane] = _v10;
        tile[(11 * L) + lane] = _v11;
        tile[(12 * L) + lane] = _v12;
        tile[(13 * L) + lane] = _v13;
        tile[(14 * L) + lane] = _v14;
        tile[(15 * L) + lane] = _v15;
    }
}
