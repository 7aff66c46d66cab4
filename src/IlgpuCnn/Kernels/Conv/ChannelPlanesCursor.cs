using ILGPU;

namespace IlgpuCnn.Kernels;

/// <summary>
/// Channel c of a [Q, Channels, H, W] tensor read along k = (q, h, w), i.e. src[q, c, h, w]: its
/// planes one after another. <see cref="Start"/> decodes once (<see cref="ConvIndex.Split"/>);
/// <see cref="Next"/> steps with a carry, no division. Backward-weights A: row co of dy
/// [N, Co, OH, OW]. Backward-data B (Cursor): column ci of w [Co, Ci, KH, KW], k = (co, kh, kw).
/// The plane is recomputed from H and W where used (kernel parameters, so no register holds it).
/// </summary>
public struct ChannelPlanesCursor : IKCursor
{
    private readonly ArrayView<float> _src;
    private readonly int _channels;
    private readonly int _h;
    private readonly int _w;
    private long _at;
    private int _p;

    public ChannelPlanesCursor(ArrayView<float> src, int channels, int h, int w)
    {
        _src = src;
        _channels = channels;
        _h = h;
        _w = w;
    }

    public void Start(int c, int k)
    {
        int plane = _h * _w;
        int q = ConvIndex.Split(k, plane, out _p);
        _at = ((((long)q * _channels) + c) * plane) + _p;
    }

    public float Next()
    {
        float v = _src[_at];
        _at++;
        int plane = _h * _w;
        if (++_p == plane)
        {
            _p = 0;
            _at += (long)(_channels - 1) * plane;
        }

        return v;
    }
}
