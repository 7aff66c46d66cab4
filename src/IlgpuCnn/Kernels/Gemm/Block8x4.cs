namespace IlgpuCnn.Kernels;

/// <summary>
/// An 8×4 register block of C in the blocked GEMM: rows r0..r0+7, columns c0..c0+3. Each k step
/// takes 8 values of A and 4 of B as three 16-byte shared loads and does 32 FFMA with them.
/// </summary>
internal struct Block8x4
{
    private float _c00, _c01, _c02, _c03, _c10, _c11, _c12, _c13, _c20, _c21, _c22, _c23, _c30, _c31, _c32, _c33, _c40, _c41, _c42, _c43, _c50, _c51, _c52, _c53, _c60, _c61, _c62, _c63, _c70, _c71, _c72, _c73;

    public void Fma(Float4 a0, Float4 a1, Float4 b)
    {
        _c00 += a0.X * b.X; _c01 += a0.X * b.Y; _c02 += a0.X * b.Z; _c03 += a0.X * b.W;
        _c10 += a0.Y * b.X; _c11 += a0.Y * b.Y; _c12 += a0.Y * b.Z; _c13 += a0.Y * b.W;
        _c20 += a0.Z * b.X; _c21 += a0.Z * b.Y; _c22 += a0.Z * b.Z; _c23 += a0.Z * b.W;
        _c30 += a0.W * b.X; _c31 += a0.W * b.Y; _c32 += a0.W * b.Z; _c33 += a0.W * b.W;
        _c40 += a1.X * b.X; _c41 += a1.X * b.Y; _c42 += a1.X * b.Z; _c43 += a1.X * b.W;
        _c50 += a1.Y * b.X; _c51 += a1.Y * b.Y; _c52 += a1.Y * b.Z; _c53 += a1.Y * b.W;
        _c60 += a1.Z * b.X; _c61 += a1.Z * b.Y; _c62 += a1.Z * b.Z; _c63 += a1.Z * b.W;
        _c70 += a1.W * b.X; _c71 += a1.W * b.Y; _c72 += a1.W * b.Z; _c73 += a1.W * b.W;
    }

    public readonly void Store<TC>(ref TC c, int r0, int c0, int m, int n)
        where TC : struct, IGemmOut
    {
        StoreRow(ref c, r0 + 0, c0, m, n, _c00, _c01, _c02, _c03);
        StoreRow(ref c, r0 + 1, c0, m, n, _c10, _c11, _c12, _c13);
        StoreRow(ref c, r0 + 2, c0, m, n, _c20, _c21, _c22, _c23);
        StoreRow(ref c, r0 + 3, c0, m, n, _c30, _c31, _c32, _c33);
        StoreRow(ref c, r0 + 4, c0, m, n, _c40, _c41, _c42, _c43);
        StoreRow(ref c, r0 + 5, c0, m, n, _c50, _c51, _c52, _c53);
        StoreRow(ref c, r0 + 6, c0, m, n, _c60, _c61, _c62, _c63);
        StoreRow(ref c, r0 + 7, c0, m, n, _c70, _c71, _c72, _c73);
    }

    private static void StoreRow<TC>(ref TC c, int row, int c0, int m, int n, float v0, float v1, float v2, float v3)
        where TC : struct, IGemmOut
    {
        if (row >= m)
        {
            return;
        }

        if (c0 < n)
        {
            c.Store(row, c0, v0);
        }

        if (c0 + 1 < n)
        {
            c.Store(row, c0 + 1, v1);
        }

        if (c0 + 2 < n)
        {
            c.Store(row, c0 + 2, v2);
        }

        if (c0 + 3 < n)
        {
            c.Store(row, c0 + 3, v3);
        }
    }
}
