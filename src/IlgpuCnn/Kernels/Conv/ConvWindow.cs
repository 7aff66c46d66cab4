using System.Runtime.CompilerServices;

namespace IlgpuCnn.Kernels;

/// <summary>
/// How a conv GEMM's A operand sees its source, for both directions (one sign apart): rows
/// m = (n, a, b) over a RowsH × RowsW grid read src[n, c, top + sign·kh, left + sign·kw] of an
/// [N, Channels, SrcH, SrcW] source (0 outside it), top = a·stride + offset, left = b·stride + offset.
/// Forward: source x, rows (n, oh, ow), offset −pad, sign +1. Backward-data at stride 1: source dy,
/// rows (n, ih, iw), offset +pad, sign −1. <see cref="Row"/> decodes a row (<see cref="ConvIndex.Pixel"/>);
/// <see cref="ConvTapRun"/> (k tap-major) and <see cref="ConvTapCursor"/> (k channel-major) read k.
/// </summary>
public readonly struct ConvWindow
{
    private ConvWindow(int channels, int srcH, int srcW, int rowsH, int rowsW, int stride, int offset, int sign, int kh, int kw)
    {
        Channels = channels;
        SrcH = srcH;
        SrcW = srcW;
        RowsH = rowsH;
        RowsW = rowsW;
        Stride = stride;
        Offset = offset;
        Sign = sign;
        KH = kh;
        KW = kw;
        Plane = srcH * srcW;
    }

    public int Channels { get; }

    public int SrcH { get; }

    public int SrcW { get; }

    public int RowsH { get; }

    public int RowsW { get; }

    public int Stride { get; }

    public int Offset { get; }

    public int Sign { get; }

    public int KH { get; }

    public int KW { get; }

    /// <summary>Elements of one channel plane of the source.</summary>
    public int Plane { get; }

    /// <summary>Forward: patches of x, rows (n, oh, ow).</summary>
    public static ConvWindow Forward(ConvGeometry g) => new(g.Ci, g.H, g.W, g.OH, g.OW, g.Stride, -g.Pad, 1, g.KH, g.KW);

    /// <summary>Backward-data at stride 1: dy gathered for rows (n, ih, iw).</summary>
    public static ConvWindow BackwardData(ConvGeometry g) => new(g.Co, g.OH, g.OW, g.H, g.W, 1, g.Pad, -1, g.KH, g.KW);

    /// <summary>Row m → its image n (returned) and its window's top-left corner in the source.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public int Row(int m, out int top, out int left)
    {
        int n = ConvIndex.Pixel(m, RowsH, RowsW, out int a, out int b);
        top = (a * Stride) + Offset;
        left = (b * Stride) + Offset;
        return n;
    }
}
