using ILGPU;

namespace IlgpuCnn.Kernels;

/// <summary>
/// Conv backward-weights B: column (ci, kh, kw) of the implicit im2col of x read along
/// k = (n, oh, ow) as x[n, ci, oh − pad + kh, ow − pad + kw] (0 in the padding); the column
/// Ci·KH·KW (when the GEMM has it) reads 1 everywhere, which folds the bias gradient db = Σ dy into
/// the weight-gradient GEMM. Only for the shapes where a run of 8 output pixels is 8 consecutive
/// floats of x (<see cref="Fits"/>: stride 1, padding ≤ 1, and OW a multiple of 8 — one output row —
/// or OW = W = 4 — two whole rows). <see cref="Start"/> decodes once (<see cref="ConvIndex"/>); per
/// run: one or two row tests, a column mask chosen among three kept since Start (first run of a row,
/// last run of a row, all 8 inside), one base address, and 8 loads at fixed offsets from it
/// (immediate offsets in the SASS), each only where its mask bit is set (no address outside x is
/// read; the others read 0, or 1 in the ones column). No wrap test per value, no division per K step.
/// </summary>
public struct PatchRowRun : IKRun
{
    private readonly ArrayView<float> _x;
    private readonly ConvGeometry _g;

    private int _base;
    private int _ih;
    private int _ihEnd;
    private int _col;
    private bool _ones;

    /// <summary>Column masks (<see cref="ColumnMask"/>) of a row's first run (bits 0–7) and last run (bits 8–15).</summary>
    private int _edgeMasks;

    public PatchRowRun(ArrayView<float> x, ConvGeometry g)
    {
        _x = x;
        _g = g;
    }

    /// <summary>Output rows per run: 2 when OW = 4, else 1.</summary>
    private readonly int Rows => _g.OW < RunGemm.RunLength ? 2 : 1;

    /// <summary>Output pixels of a row of runs: OW, or 8 when a run is two rows.</summary>
    private readonly int Span => _g.OW < RunGemm.RunLength ? RunGemm.RunLength : _g.OW;

    /// <summary>
    /// True when this operand reads <paramref name="g"/>: stride 1; OW a multiple of 8 (a run is 8
    /// pixels of one output row) or OW = W = 4 (a run is two whole rows, contiguous in x); padding ≤ 1,
    /// so a run inside a row is all inside x's columns, and the views that start at a run's second and
    /// sixth value never start before x where they are read (a live row's first address is ≥ −1).
    /// </summary>
    public static bool Fits(ConvGeometry g) =>
        g.Stride == 1 && g.Pad <= 1 && ((g.OW & 7) == 0 || (g.OW == 4 && g.W == 4));

    public void Start(int col, int k)
    {
        int ci = ConvIndex.ChannelMajor(col, _g.KH, _g.KW, out int kh, out int kw);
        _ones = ci == _g.Ci;
        int dw = kw - _g.Pad;
        int n = ConvIndex.Split(k, _g.OH * _g.OW, out int p);
        _ih = (ConvIndex.Split(p, Span, out _col) * Rows) + kh - _g.Pad;
        _ihEnd = _g.OH + kh - _g.Pad;
        _base = (((n * _g.Ci) + (_ones ? 0 : ci)) * _g.H * _g.W) + dw;
        _edgeMasks = ColumnMask(dw) | (ColumnMask(Span - RunGemm.RunLength + dw) << 8);
    }

    public void Load(ref Staged8 s, int count, int advance)
    {
        bool two = _g.OW < RunGemm.RunLength;
        int rowMask = ((uint)_ih < (uint)_g.H ? (two ? 0x0F : 0xFF) : 0) | (two && (uint)(_ih + 1) < (uint)_g.H ? 0xF0 : 0);
        int colMask = (_col == 0 ? _edgeMasks : 0xFF) & (_col == Span - RunGemm.RunLength ? _edgeMasks >> 8 : 0xFF);
        int mask = count > 0 && !_ones ? rowMask & colMask : 0;
        float other = count > 0 && _ones ? 1f : 0f;

        // Where bits 1–3 (5–7) are set, their row is live, so at + 1 (at + 5) ≥ 0: the views never start before x.
        int at = mask != 0 ? _base + (_ih * _g.W) + _col : 0;
        var low = _x.SubView((mask & 0x0E) != 0 ? at + 1 : 0);
        var high = _x.SubView((mask & 0xE0) != 0 ? at + 5 : 0);
        s.V0 = (mask & 1) != 0 ? _x[at] : other;
        s.V1 = (mask & 2) != 0 ? low[0] : other;
        s.V2 = (mask & 4) != 0 ? low[1] : other;
        s.V3 = (mask & 8) != 0 ? low[2] : other;
        s.V4 = (mask & 16) != 0 ? _x[at + 4] : other;
        s.V5 = (mask & 32) != 0 ? high[0] : other;
        s.V6 = (mask & 64) != 0 ? high[1] : other;
        s.V7 = (mask & 128) != 0 ? high[2] : other;

        // On by the advance (8 or 16 pixels: at most two rows of runs, each crossing at most one image).
        _col += advance;
        Carry();
        Carry();
    }

    private void Carry()
    {
        bool row = _col >= Span;
        _col = row ? _col - Span : _col;
        _ih = row ? _ih + Rows : _ih;
        bool image = _ih >= _ihEnd;
        _ih = image ? _ih - _g.OH : _ih;
        _base = image ? _base + (_g.Ci * _g.H * _g.W) : _base;
    }

    /// <summary>Bits j of a run whose first input column is <paramref name="iw"/> where its input column (iw + j, or iw + j mod 4 on two rows) is inside x.</summary>
    private readonly int ColumnMask(int iw)
    {
        int mask = 0;
        for (int j = 0; j < RunGemm.RunLength; j++)
        {
            int c = iw + (Rows > 1 ? j & 3 : j);
            mask |= (uint)c < (uint)_g.W ? 1 << j : 0;
        }

        return mask;
    }
}
