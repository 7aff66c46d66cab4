using ILGPU;

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

    /// <summary>Writes the block as 8 Float4s, row i at <paramref name="at"/> + i·<paramref name="stride"/> (a split-K partial tile, <see cref="SliceSum"/>).</summary>
    public readonly void Save(ArrayView<Float4> to, long at, int stride)
    {
        to[at] = Row(_c00, _c01, _c02, _c03);
        to[at + stride] = Row(_c10, _c11, _c12, _c13);
        to[at + (2 * stride)] = Row(_c20, _c21, _c22, _c23);
        to[at + (3 * stride)] = Row(_c30, _c31, _c32, _c33);
        to[at + (4 * stride)] = Row(_c40, _c41, _c42, _c43);
        to[at + (5 * stride)] = Row(_c50, _c51, _c52, _c53);
        to[at + (6 * stride)] = Row(_c60, _c61, _c62, _c63);
        to[at + (7 * stride)] = Row(_c70, _c71, _c72, _c73);
    }

    /// <summary>Adds 8 Float4s written by <see cref="Save"/> at <paramref name="at"/> (row i at + i·<paramref name="stride"/>).</summary>
    public void Add(ArrayView<Float4> from, long at, int stride)
    {
        var r = from[at]; _c00 += r.X; _c01 += r.Y; _c02 += r.Z; _c03 += r.W;
        r = from[at + stride]; _c10 += r.X; _c11 += r.Y; _c12 += r.Z; _c13 += r.W;
        r = from[at + (2 * stride)]; _c20 += r.X; _c21 += r.Y; _c22 += r.Z; _c23 += r.W;
        r = from[at + (3 * stride)]; _c30 += r.X; _c31 += r.Y; _c32 += r.Z; _c33 += r.W;
        r = from[at + (4 * stride)]; _c40 += r.X; _c41 += r.Y; _c42 += r.Z; _c43 += r.W;
        r = from[at + (5 * stride)]; _c50 += r.X; _c51 += r.Y; _c52 += r.Z; _c53 += r.W;
        r = from[at + (6 * stride)]; _c60 += r.X; _c61 += r.Y; _c62 += r.Z; _c63 += r.W;
        r = from[at + (7 * stride)]; _c70 += r.X; _c71 += r.Y; _c72 += r.Z; _c73 += r.W;
    }

    /// <summary>
    /// Stores the block (rows r0.., columns c0..; only the elements inside C[m, n]) as four rows at
    /// a time: first the 16 addends (an Add's loads in flight together), then the 16 stores, so
    /// no element's load waits for the previous element's store. The output's row cursor is
    /// sought once and stepped row by row.
    /// </summary>
    public readonly void Store<TC>(ref TC c, int r0, int c0, int m, int n)
        where TC : struct, IGemmOut
    {
        c.Seek(r0);
        int cols = n - c0;
        StoreRows(ref c, r0, c0, m, cols, Row(_c00, _c01, _c02, _c03), Row(_c10, _c11, _c12, _c13), Row(_c20, _c21, _c22, _c23), Row(_c30, _c31, _c32, _c33));
        StoreRows(ref c, r0 + 4, c0, m, cols, Row(_c40, _c41, _c42, _c43), Row(_c50, _c51, _c52, _c53), Row(_c60, _c61, _c62, _c63), Row(_c70, _c71, _c72, _c73));
    }

    /// <summary>
    /// Writes the block plus a bias per row (rows 0–3: <paramref name="bias0"/>, rows 4–7:
    /// <paramref name="bias1"/>) to a strided array: element (i, j) at <paramref name="at"/> +
    /// i·<paramref name="rowStride"/> + j·<paramref name="colStride"/>, only rows i &lt; <paramref name="rows"/>
    /// and columns j &lt; <paramref name="cols"/> (<see cref="DirectConv"/>: rows are output channels,
    /// columns a thread's pixels down an output column).
    /// </summary>
    public readonly void StoreChannels(ArrayView<float> to, int at, int rowStride, int colStride, int rows, int cols, Float4 bias0, Float4 bias1)
    {
        PutBiased(to, at, colStride, rows > 0, cols, Row(_c00, _c01, _c02, _c03), bias0.X);
        PutBiased(to, at + rowStride, colStride, rows > 1, cols, Row(_c10, _c11, _c12, _c13), bias0.Y);
        PutBiased(to, at + (2 * rowStride), colStride, rows > 2, cols, Row(_c20, _c21, _c22, _c23), bias0.Z);
        PutBiased(to, at + (3 * rowStride), colStride, rows > 3, cols, Row(_c30, _c31, _c32, _c33), bias0.W);
        PutBiased(to, at + (4 * rowStride), colStride, rows > 4, cols, Row(_c40, _c41, _c42, _c43), bias1.X);
        PutBiased(to, at + (5 * rowStride), colStride, rows > 5, cols, Row(_c50, _c51, _c52, _c53), bias1.Y);
        PutBiased(to, at + (6 * rowStride), colStride, rows > 6, cols, Row(_c60, _c61, _c62, _c63), bias1.Z);
        PutBiased(to, at + (7 * rowStride), colStride, rows > 7, cols, Row(_c70, _c71, _c72, _c73), bias1.W);
    }

    private static void PutBiased(ArrayView<float> to, int at, int colStride, bool row, int cols, Float4 v, float bias)
    {
        if (row)
        {
            if (cols > 0)
            {
                to[at] = v.X + bias;
            }

            if (cols > 1)
            {
                to[at + colStride] = v.Y + bias;
            }

            if (cols > 2)
            {
                to[at + (2 * colStride)] = v.Z + bias;
            }

            if (cols > 3)
            {
                to[at + (3 * colStride)] = v.W + bias;
            }
        }
    }

    private static Float4 Row(float x, float y, float z, float w) => new() { X = x, Y = y, Z = z, W = w };

    /// <summary>Rows r0..r0+3 (the cursor at r0; left at r0 + 4; <paramref name="cols"/>: how many of columns c0..c0+3 lie inside C): addends of all four rows, then their stores.</summary>
    private static void StoreRows<TC>(ref TC c, int r0, int c0, int m, int cols, Float4 v0, Float4 v1, Float4 v2, Float4 v3)
        where TC : struct, IGemmOut
    {
        var reader = c;
        var a0 = Addends(ref reader, r0 < m, c0, cols);
        var a1 = Addends(ref reader, r0 + 1 < m, c0, cols);
        var a2 = Addends(ref reader, r0 + 2 < m, c0, cols);
        var a3 = Addends(ref reader, r0 + 3 < m, c0, cols);
        PutRow(ref c, r0 < m, c0, cols, v0, a0);
        PutRow(ref c, r0 + 1 < m, c0, cols, v1, a1);
        PutRow(ref c, r0 + 2 < m, c0, cols, v2, a2);
        PutRow(ref c, r0 + 3 < m, c0, cols, v3, a3);
    }

    /// <summary>The addends of the current row's four columns (0 outside C), then one row on.</summary>
    private static Float4 Addends<TC>(ref TC c, bool row, int c0, int cols)
        where TC : struct, IGemmOut
    {
        var a = new Float4
        {
            X = row && cols > 0 ? c.Addend(c0) : 0f,
            Y = row && cols > 1 ? c.Addend(c0 + 1) : 0f,
            Z = row && cols > 2 ? c.Addend(c0 + 2) : 0f,
            W = row && cols > 3 ? c.Addend(c0 + 3) : 0f,
        };
        c.Next();
        return a;
    }

    /// <summary>Stores the current row's four columns that lie inside C, then one row on.</summary>
    private static void PutRow<TC>(ref TC c, bool row, int c0, int cols, Float4 v, Float4 a)
        where TC : struct, IGemmOut
    {
        if (row)
        {
            if (cols > 0)
            {
                c.Put(c0, v.X, a.X);
            }

            if (cols > 1)
            {
                c.Put(c0 + 1, v.Y, a.Y);
            }

            if (cols > 2)
            {
                c.Put(c0 + 2, v.Z, a.Z);
            }

            if (cols > 3)
            {
                c.Put(c0 + 3, v.W, a.W);
            }
        }

        c.Next();
    }
}
