using System.Runtime.CompilerServices;

namespace IlgpuCnn.Kernels;

/// <summary>
/// The conv GEMMs' index decodings, each written once. A conv GEMM's flat indices are mixed-radix
/// numbers of three kinds:
/// <list type="bullet">
/// <item>pixel i = (n, y, x) over a Y×X plane: the rows m = (n, oh, ow) of forward and (n, ih, iw) of
/// backward-data (<see cref="ConvWindow.Row"/>), the k = (n, oh, ow) of backward-weights;</item>
/// <item>channel-major k = (c, kh, kw), the weights' own order: the Cursor operands' k and the
/// backward-weights columns j = (ci, kh, kw);</item>
/// <item>tap-major k = (tap, c) with tap = (kh, kw): the Run operands' k, where a run of 8 k is 8
/// channels of one tap.</item>
/// </list>
/// Every decode divides (a software division on a GPU), so operands call these in <c>Start</c>
/// only, once per row or column, and then step counters with carries along k.
/// </summary>
public static class ConvIndex
{
    /// <summary>i = q·<paramref name="size"/> + r with 0 ≤ r &lt; size: returns q (r out). The one division of every decode.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int Split(int i, int size, out int r)
    {
        int q = i / size;
        r = i - (q * size);
        return q;
    }

    /// <summary>Pixel i = (n, y, x) over a <paramref name="rows"/>×<paramref name="cols"/> plane: returns n (y, x out).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int Pixel(int i, int rows, int cols, out int y, out int x)
    {
        int n = Split(i, rows * cols, out int r);
        y = Split(r, cols, out x);
        return n;
    }

    /// <summary>Channel-major k = (c, kh, kw) of a <paramref name="kh"/>×<paramref name="kw"/> kernel: returns c (the tap (h, w) out).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int ChannelMajor(int k, int kh, int kw, out int h, out int w) => Pixel(k, kh, kw, out h, out w);

    /// <summary>Tap-major k = (tap, c) over <paramref name="channels"/>: returns the tap (c out); <see cref="Tap"/> splits it.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int TapMajor(int k, int channels, out int c) => Split(k, channels, out c);

    /// <summary>Tap = (h, w) of a kernel <paramref name="kw"/> wide: returns h (w out).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int Tap(int tap, int kw, out int w) => Split(tap, kw, out w);
}
