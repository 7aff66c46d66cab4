using IlgpuCnn.Kernels;

namespace IlgpuCnn.Benchmarks.Lab;

/// <summary>A 4×4 register block of C: rows r0 + 16·i, columns c0 + 16·j.</summary>
internal struct Block4x4
{
    private float _c00, _c01, _c02, _c03, _c10, _c11, _c12, _c13, _c20, _c21, _c22, _c23, _c30, _c31, _c32, _c33;

    public void Fma(float a0, float a1, float a2, float a3, float b0, float b1, float b2, float b3)
    {
        _c00 += a0 * b0; _c01 += a0 * b1; _c02 += a0 * b2; _c03 += a0 * b3;
        _c10 += a1 * b0; _c11 += a1 * b1; _c12 += a1 * b2; _c13 += a1 * b3;
        _c20 += a2 * b0; _c21 += a2 * b1; _c22 += a2 * b2; _c23 += a2 * b3;
        _c30 += a3 * b0; _c31 += a3 * b1; _c32 += a3 * b2; _c33 += a3 * b3;
    }

    public readonly void Store<TC>(ref TC c, int r0, int c0, int m, int n)
        where TC : struct, IGemmOut
    {
        StoreRow(ref c, r0, c0, m, n, _c00, _c01, _c02, _c03);
        StoreRow(ref c, r0 + 16, c0, m, n, _c10, _c11, _c12, _c13);
        StoreRow(ref c, r0 + 32, c0, m, n, _c20, _c21, _c22, _c23);
        StoreRow(ref c, r0 + 48, c0, m, n, _c30, _c31, _c32, _c33);
    }

    /// <summary>One row (sought on its own: the lab's rows are 16 apart), each column inside C stored on top of its addend.</summary>
    private static void StoreRow<TC>(ref TC c, int row, int c0, int m, int n, float v0, float v1, float v2, float v3)
        where TC : struct, IGemmOut
    {
        if (row >= m)
        {
            return;
        }

        c.Seek(row);
        if (c0 < n)
        {
            c.Put(c0, v0, c.Addend(c0));
        }

        if (c0 + 16 < n)
        {
            c.Put(c0 + 16, v1, c.Addend(c0 + 16));
        }

        if (c0 + 32 < n)
        {
            c.Put(c0 + 32, v2, c.Addend(c0 + 32));
        }

        if (c0 + 48 < n)
        {
            c.Put(c0 + 48, v3, c.Addend(c0 + 48));
        }
    }
}
